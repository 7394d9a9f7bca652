"""Green on any day: a demand filed at each fixed moment (Monday morning, Friday 17:55, a
Saturday, the eve of and inside the National Day holiday, 23:59:30 on 31 December in
Asia/Shanghai) is due for acceptance at the end of the next working day, and the deadline
sweep flags it only once that has passed — exactly once.

The expected deadline is worked out here from the `chinesecalendar` package itself (and the
documented Monday-to-Friday rule for a year it does not know yet), not with the code under
test."""

import datetime as dt

import chinese_calendar
from django.utils import timezone

from tests.cases.conftest import inbox
from tests.clock import SHANGHAI
from yizhan.cases import services
from yizhan.cases.models import CaseEvent

SECOND = dt.timedelta(seconds=1)


def calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_is_workday(day: dt.date) -> bool:
    if calendar_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5  # a year nobody has announced yet: Monday to Friday


def end_of_next_working_day(moment: dt.datetime) -> dt.datetime:
    day = moment.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    while not calendar_is_workday(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def test_a_demand_filed_at_any_moment_is_due_at_the_end_of_the_next_working_day(
    cases, moment, login
):
    case = cases.filed()  # at the moment, on the test's clock
    assert abs(case.created_at - moment) < dt.timedelta(minutes=1)
    due = end_of_next_working_day(moment)
    assert case.accept_due_at == due
    assert case.deadline_at == due
    page = login(cases.city.alice).get(f"/cases/{case.pk}/").content.decode()
    assert timezone.localtime(due, SHANGHAI).strftime("%Y-%m-%d %H:%M") in page
    # A deadline in a year without an announced schedule says so.
    assert ("尚未公布" in page) == (not calendar_knows(due.year))


def test_the_sweep_flags_a_late_acceptance_only_after_the_deadline_and_once(cases, moment, clock):
    case = cases.filed()
    due = end_of_next_working_day(moment)
    assert services.deadline_sweep().accept_overdue == 0  # at the moment of filing

    clock.move_to(due - SECOND)
    assert services.deadline_sweep().accept_overdue == 0  # the last second still counts

    clock.move_to(due + SECOND)
    assert services.deadline_sweep().accept_overdue == 1
    assert services.deadline_sweep().accept_overdue == 0  # claimed once
    case.refresh_from_db()
    assert case.accept_overdue_at is not None
    assert CaseEvent.objects.filter(case=case, action="supervise").count() == 1
    assert sum("未在时限内受理" in text for text in inbox(cases.city.dora)) == 1
