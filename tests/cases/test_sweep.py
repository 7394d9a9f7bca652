"""The deadline sweep: reminders one working day ahead, overdue marks with a supervision
notice, acceptance misses — each case acted on once however often the sweep runs."""

from django.core.management import call_command

from tests.cases.conftest import at, inbox
from yizhan.cases import services
from yizhan.cases.models import CaseEvent
from yizhan.core.models import Notification


def test_reminder_one_working_day_before_then_overdue_then_nothing_more(cases):
    city = cases.city
    case = cases.signed(now=at(2026, 10, 12, 9))  # complaint, due Thu 2026-10-29 23:59:59
    assert services.deadline_sweep(now=at(2026, 10, 27, 10)).reminded == 0
    result = services.deadline_sweep(now=at(2026, 10, 28, 10))
    assert result.reminded == 1 and result.overdue == 0
    assert services.deadline_sweep(now=at(2026, 10, 28, 11)).reminded == 0  # claimed once
    assert Notification.objects.filter(recipient=city.dan, verb="case_deadline").count() == 1

    result = services.deadline_sweep(now=at(2026, 10, 30, 0, 5))
    assert result.overdue == 1
    case.refresh_from_db()
    assert case.overdue_at is not None
    assert CaseEvent.objects.filter(case=case, action="supervise").count() == 1
    assert sum("督办" in text for text in inbox(city.dora)) == 1
    assert sum("督办" in text for text in inbox(city.dan)) == 1
    assert services.deadline_sweep(now=at(2026, 10, 31)).overdue == 0


def test_reminder_before_a_holiday_comes_on_the_last_working_day(cases):
    # An enquiry accepted Tue 9-29 is due Fri 10-9; the working day before is Thu 10-8.
    case = cases.signed(now=at(2026, 9, 29, 9), category=cases.other)  # enquiry: 3 days
    assert case.due_at.astimezone().date().isoformat() == "2026-10-09"
    assert services.deadline_sweep(now=at(2026, 9, 30, 10)).reminded == 0
    assert services.deadline_sweep(now=at(2026, 10, 8, 10)).reminded == 1


def test_unaccepted_demands_are_flagged_to_dispatchers(cases):
    cases.filed(now=at(2026, 10, 12, 9))
    result = services.deadline_sweep(now=at(2026, 10, 14, 9))
    assert result.accept_overdue == 1
    assert any("未在时限内受理" in text for text in inbox(cases.city.dora))


def test_closed_and_replied_cases_are_left_alone(cases):
    cases.replied(now=at(2026, 10, 12, 9))
    result = services.deadline_sweep(now=at(2026, 12, 1))
    assert (result.reminded, result.overdue, result.accept_overdue) == (0, 0, 0)


def test_overdue_filter_in_the_queue(cases, login):
    case = cases.signed(now=at(2026, 9, 1, 9))
    fresh = cases.signed()
    body = login(cases.city.dora).get("/cases/queue/?overdue=1").content.decode()
    assert f"#{case.pk}" in body and f"#{fresh.pk}" not in body
    assert "已超期" in body


def test_the_command_runs_once(cases):
    cases.signed(now=at(2026, 9, 1, 9))
    call_command("cases_sweep", verbosity=0)
    assert CaseEvent.objects.filter(action="supervise").count() == 1


def test_the_sweep_is_set_based_as_many_statements_for_thirty_cases_as_for_three(cases):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(n, day):
        for _ in range(n):
            cases.signed(now=at(2026, 9, day, 9))
        with CaptureQueriesContext(connection) as queries:
            result = services.deadline_sweep(now=at(2026, 11, day))
        assert result.overdue == n
        return len(queries)

    assert statements(3, 1) == statements(30, 2)
    assert CaseEvent.objects.filter(action="supervise").count() == 33
