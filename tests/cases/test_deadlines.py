"""Time limits in working days, across statutory holidays and make-up workdays."""

import datetime as dt

import pytest

from tests.cases.conftest import at
from yizhan.cases import services
from yizhan.cases.deadlines import LOCAL, due_after, rests_on_guess
from yizhan.cases.models import TimeLimitType
from yizhan.core import workdays
from yizhan.core.models import WorkdayOverride


def local(moment):
    return moment.astimezone(LOCAL).replace(tzinfo=None)


def test_complaint_accepted_before_mid_autumn_and_national_day_is_due_on_22_october(cases):
    case = cases.accepted(now=at(2026, 9, 29, 9, 30))
    assert case.limit_type.working_days == 13
    assert local(case.due_at) == dt.datetime(2026, 10, 22, 23, 59, 59)


def test_saturday_make_up_workday_counts(db):
    # Sat 2026-10-10 is a make-up workday after National Day: 1 working day from Fri 10-09.
    assert local(due_after(at(2026, 10, 9), 1)) == dt.datetime(2026, 10, 10, 23, 59, 59)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2026, 9, 29), 3, dt.date(2026, 10, 9)),  # enquiry across the holiday
        (at(2026, 9, 30, 23, 30), 1, dt.date(2026, 10, 8)),  # acceptance on the eve
        (at(2026, 10, 3), 0, dt.date(2026, 10, 8)),  # urgent on a holiday: next workday
        (at(2026, 10, 13), 0, dt.date(2026, 10, 13)),  # urgent on a workday: same day
        (at(2026, 9, 25), 1, dt.date(2026, 9, 28)),  # Mid-Autumn Friday
    ],
)
def test_limits_end_at_the_end_of_the_nth_working_day(db, start, days, due):
    assert local(due_after(start, days)) == dt.datetime.combine(due, dt.time(23, 59, 59))


def test_a_filed_demand_is_to_be_accepted_within_one_working_day(cases):
    case = cases.filed(now=at(2026, 9, 30, 16))
    assert local(case.accept_due_at) == dt.datetime(2026, 10, 8, 23, 59, 59)


def test_urgent_case_is_due_the_same_working_day(cases):
    case = cases.filed(now=at(2026, 10, 13, 9))
    case = services.case_accept(
        case=case, actor=cases.city.dora, urgent=True, now=at(2026, 10, 13, 9)
    )
    assert case.limit_type.code == "urgent"
    assert local(case.due_at) == dt.datetime(2026, 10, 13, 23, 59, 59)


def test_limits_are_configurable_per_type(cases):
    TimeLimitType.objects.filter(code="complaint").update(working_days=5)
    case = cases.accepted(now=at(2026, 10, 12))  # Monday
    assert local(case.due_at) == dt.datetime(2026, 10, 19, 23, 59, 59)


def test_unknown_year_uses_weekdays_until_the_administrator_enters_the_schedule(cases):
    workdays.clear_cache()
    start = at(2031, 1, 31)  # a Friday in a year chinesecalendar does not know
    if workdays.calendar_known(2031):
        pytest.skip("the calendar package already knows 2031")
    assert local(due_after(start, 1)) == dt.datetime(2031, 2, 3, 23, 59, 59)
    assert rests_on_guess(due_after(start, 1))
    WorkdayOverride.objects.create(date=dt.date(2031, 2, 3), is_workday=False, name="春节")
    workdays.clear_cache()
    try:
        assert local(due_after(start, 1)) == dt.datetime(2031, 2, 4, 23, 59, 59)
        assert not rests_on_guess(due_after(start, 1))
    finally:
        workdays.clear_cache()


def test_case_page_warns_when_the_deadline_rests_on_a_guess(cases, login):
    workdays.clear_cache()
    if workdays.calendar_known(2031):
        pytest.skip("the calendar package already knows 2031")
    case = cases.accepted(now=at(2031, 3, 3))
    body = login(cases.city.alice).get(f"/cases/{case.pk}/").content.decode()
    assert "尚未公布" in body


def test_the_acceptance_window_is_a_setting(cases, settings):
    settings.CASES_ACCEPT_WORKING_DAYS = 3
    case = cases.filed(now=at(2026, 10, 12, 9))  # Monday
    assert local(case.accept_due_at) == dt.datetime(2026, 10, 15, 23, 59, 59)
    settings.CASES_RETURN_WORKING_DAYS = 1
    case = services.case_accept(case=case, actor=cases.city.dora, now=at(2026, 10, 12, 10))
    case = services.case_dispatch(
        case=case, actor=cases.city.dora, department=cases.city.labour, now=at(2026, 10, 12, 10)
    )
    assert local(case.return_due_at) == dt.datetime(2026, 10, 13, 23, 59, 59)
