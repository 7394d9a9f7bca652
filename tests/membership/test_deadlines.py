"""The check-in deadline runs in working days (core.workdays): statutory holidays and make-up
workdays count as the State Council announced them; an administrator's override wins."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.clock import local
from yizhan.core import workdays
from yizhan.core.models import WorkdayOverride
from yizhan.membership import services
from yizhan.membership.rules import LOCAL, due_after


def day(moment):
    return f"{moment.astimezone(LOCAL):%Y-%m-%d %H:%M:%S}"


def test_a_check_in_on_the_eve_of_national_day_waits_until_after_the_holiday(world, clock):
    clock.move_to(local(2026, 9, 30, 16, 0))
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    # 1-7 October are holidays; Thursday 8 and Friday 9 count, and Saturday 10 October 2026 is
    # a make-up workday (调休): the third working day.
    assert day(transfer.due_at) == "2026-10-10 23:59:59"
    assert transfer.working_days == 3


def test_a_check_in_inside_the_holiday_starts_counting_after_it(world, clock):
    clock.move_to(local(2026, 10, 3, 11, 0))
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert day(transfer.due_at) == "2026-10-10 23:59:59"


def test_a_friday_evening_check_in_skips_the_weekend(world, clock):
    clock.move_to(local(2026, 11, 27, 17, 55))
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert day(transfer.due_at) == "2026-12-02 23:59:59"


def test_an_administrators_override_moves_the_deadline(world, clock, db):
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 26), is_workday=False, name="本地假日")
    workdays.clear_cache()
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert day(transfer.due_at) == "2026-11-30 23:59:59"


def test_a_deadline_in_an_unannounced_year_is_flagged_as_a_guess(world, clock, login):
    clock.move_to(local(2026, 12, 31, 23, 59, 30))
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert day(transfer.due_at) == "2027-01-05 23:59:59"
    page = login(world.city.alice).get(f"/membership/check-ins/{transfer.pk}/")
    assert "假日安排尚未公布" in page.content.decode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 20)),
    n=st.integers(min_value=1, max_value=10),
)
def test_the_deadline_always_leaves_exactly_n_working_days(db, start, n):
    start = start.replace(tzinfo=LOCAL)
    due = due_after(start, n).date()
    assert workdays.working_days_between(start.date(), due) == n
    assert workdays.is_workday(due)
