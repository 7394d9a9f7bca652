import datetime as dt

import pytest
from django.core.management import call_command

from yizhan.core import workdays
from yizhan.core.models import WorkdayOverride

D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _fresh_overrides(db):
    workdays.clear_cache()
    yield
    workdays.clear_cache()


def test_national_day_2026_is_a_holiday_and_its_makeup_days_are_workdays():
    assert all(not workdays.is_workday(D(f"2026-10-0{d}")) for d in range(1, 8))
    assert workdays.is_workday(D("2026-09-20"))  # Sunday, make-up workday
    assert workdays.is_workday(D("2026-10-10"))  # Saturday, make-up workday


def test_complaint_accepted_tuesday_before_national_day_is_due_13_working_days_later():
    # 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12..16, 10-19..22
    assert workdays.add_working_days(D("2026-09-29"), 13) == D("2026-10-22")


def test_three_working_days_across_mid_autumn():
    # 2026-09-25 (Fri) is the Mid-Autumn holiday; 09-26/27 a weekend.
    assert workdays.add_working_days(D("2026-09-24"), 3) == D("2026-09-30")


def test_zero_days_rolls_forward_to_a_workday():
    assert workdays.add_working_days(D("2026-10-03"), 0) == D("2026-10-08")
    assert workdays.add_working_days(D("2026-10-08"), 0) == D("2026-10-08")


def test_working_days_between_counts_half_open_interval():
    assert workdays.working_days_between(D("2026-09-29"), D("2026-10-22")) == 13
    assert workdays.working_days_between(D("2026-10-22"), D("2026-09-29")) == -13
    assert workdays.working_days_between(D("2026-10-01"), D("2026-10-07")) == 0


def test_unknown_year_falls_back_to_weekdays_and_says_so():
    assert not workdays.calendar_known(2031)
    assert workdays.is_workday(D("2031-10-01"))  # a Wednesday: no schedule known yet
    assert not workdays.is_workday(D("2031-10-04"))  # Saturday


def test_administrator_override_wins_and_marks_the_year_known():
    WorkdayOverride.objects.create(date=D("2031-10-01"), is_workday=False, name="国庆节")
    workdays.clear_cache()
    assert not workdays.is_workday(D("2031-10-01"))
    assert workdays.calendar_known(2031)


def test_workdays_command_prints_the_date(capsys):
    call_command("workdays", "add", "2026-09-29", "13")
    assert capsys.readouterr().out.strip() == "2026-10-22"


def test_workdays_command_warns_for_unknown_year(capsys):
    call_command("workdays", "add", "2031-03-03", "1")
    captured = capsys.readouterr()
    assert captured.out.strip() == "2031-03-04"
    assert "no announced holiday schedule for 2031" in captured.err
