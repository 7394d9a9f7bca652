"""Green on any day: at each fixed moment (a Monday morning, Friday 17:55, a Saturday, the eve of
and inside the National Day holiday, 23:59:30 on New Year's Eve) a report gets the target its
category's working days give, and closes itself 7 days after the fix, once.

The expected dates are computed here from `chinese_calendar` (the State Council's schedule),
not from `core.workdays`, so a mistake in one is not copied into the other."""

import datetime as dt

import chinese_calendar
import pytest
from django.utils import timezone

from tests.clock import SHANGHAI
from tests.reports.conftest import IN_A, make_jpeg
from yizhan.core import periodic
from yizhan.core.models import Event
from yizhan.reports import services
from yizhan.reports.models import Category, Report


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year not announced yet: Monday to Friday, as documented
        return day.weekday() < 5


def expected_due(moment: dt.datetime, working_days: int) -> dt.datetime:
    """The end (23:59:59 Shanghai) of the Nth working day after the day the report arrived."""
    day = moment.astimezone(SHANGHAI).date()
    left = working_days
    while left:
        day += dt.timedelta(days=1)
        left -= is_workday(day)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


@pytest.mark.parametrize("code", ["exposed-wire", "bulky-rubbish", "damaged-road"])
def test_target_date_counts_the_categorys_working_days(city, moment, code):
    category = Category.objects.get(code=code)  # 1, 3 and 5 working days
    report = services.report_submit(
        reporter=city.alice,
        category=category,
        lat=IN_A[0],
        lng=IN_A[1],
        photos=[make_jpeg()],
    ).report
    assert timezone.localtime(report.created_at).date() == moment.date()
    assert report.due_at == expected_due(moment, category.response_days)
    assert not (report.is_open and report.due_at < timezone.now())  # not overdue on arrival


def test_autoclose_runs_seven_days_after_the_fix_once(city, moment, clock, wire, run_tasks):
    report = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg()]
    ).report
    services.report_accept(user=city.grace, report_id=report.pk)
    services.report_resolve(
        user=city.grace, report_id=report.pk, note="已处理", after_photo=make_jpeg(seed=2)
    )
    fixed = Report.objects.get(pk=report.pk).resolved_at

    def hourly_sweep_at(when):
        """What the scheduler and the task worker do every hour."""
        clock.move_to(when)
        periodic.tick(now=timezone.now())
        run_tasks()
        return Report.objects.get(pk=report.pk)

    assert hourly_sweep_at(fixed + dt.timedelta(days=7) - dt.timedelta(hours=1)).state == (
        "resolved"
    )
    closed = hourly_sweep_at(fixed + dt.timedelta(days=7, hours=1))
    assert closed.state == "closed"
    assert fixed + dt.timedelta(days=7) < closed.closed_at < fixed + dt.timedelta(days=7, hours=2)
    again = hourly_sweep_at(fixed + dt.timedelta(days=7, hours=2, seconds=1))
    assert again.closed_at == closed.closed_at
    assert again.history.filter(action="closed").count() == 1
    assert Event.objects.filter(name="report.verified").count() == 1
