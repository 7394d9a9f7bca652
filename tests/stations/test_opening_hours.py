"""`Station.is_open_at` — the single source of truth for "open now"."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.stations.conftest import add_station
from yizhan.core import workdays
from yizhan.core.models import WorkdayOverride
from yizhan.stations import hours
from yizhan.stations.models import HoursException, Station

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def night_station(db):
    """Open Sunday 20:00 to Monday 06:00 only."""
    return add_station("N1", lat=36.0, lng=103.8, is_24h=False, weekly=[(6, "20:00", "06:00")])


# 2026-03-01 is a Sunday, 2026-03-02 a Monday (both ordinary days).
def test_overnight_hours_run_from_sunday_night_into_monday_morning(night_station):
    assert not night_station.is_open_at(at(2026, 3, 1, 19, 59))
    assert night_station.is_open_at(at(2026, 3, 1, 20, 0))
    assert night_station.is_open_at(at(2026, 3, 1, 23, 59))
    assert night_station.is_open_at(at(2026, 3, 2, 0, 0))
    assert night_station.is_open_at(at(2026, 3, 2, 5, 59))
    assert not night_station.is_open_at(at(2026, 3, 2, 6, 0))


def test_overnight_hours_do_not_open_the_morning_before(night_station):
    assert not night_station.is_open_at(at(2026, 3, 1, 3, 0))  # Sunday 03:00: Saturday had none


def test_moment_in_another_timezone_is_read_in_shanghai_time(night_station):
    utc = dt.datetime(2026, 3, 1, 13, 30, tzinfo=dt.UTC)  # 21:30 in Shanghai
    assert night_station.is_open_at(utc)


def test_24_hour_station_is_always_open(db):
    station = add_station("A1", lat=36.0, lng=103.8, is_24h=True)
    for hour in (0, 3, 12, 23):
        assert station.is_open_at(at(2026, 3, 4, hour, 30))


def test_daytime_hours_open_and_close_on_the_minute(db):
    station = add_station(
        "D1",
        lat=36.0,
        lng=103.8,
        is_24h=False,
        weekly=[(2, "08:00", "12:00"), (2, "14:00", "22:00")],
    )
    wednesday = (2026, 3, 4)
    assert not station.is_open_at(at(*wednesday, 7, 59))
    assert station.is_open_at(at(*wednesday, 8, 0))
    assert not station.is_open_at(at(*wednesday, 12, 0))  # lunch break
    assert station.is_open_at(at(*wednesday, 21, 59))
    assert not station.is_open_at(at(*wednesday, 22, 0))
    assert not station.is_open_at(at(2026, 3, 5, 9, 0))  # Thursday: no hours


def test_closing_at_midnight_means_the_end_of_the_day(db):
    station = add_station("M1", lat=36.0, lng=103.8, is_24h=False, weekly=[(2, "18:00", "00:00")])
    assert station.is_open_at(at(2026, 3, 4, 23, 59))
    assert not station.is_open_at(at(2026, 3, 5, 0, 0))


@pytest.fixture
def weekday_station(db):
    return add_station(
        "B1", lat=36.0, lng=103.8, is_24h=False, weekly=[(d, "09:00", "17:00") for d in range(7)]
    )


def test_statutory_holiday_rule_closes_the_station(weekday_station):
    HoursException.objects.create(station=weekday_station, on_holidays=True, closed=True)
    assert not weekday_station.is_open_at(at(2026, 10, 1, 10, 0))  # National Day
    assert weekday_station.is_open_at(at(2026, 9, 29, 10, 0))  # an ordinary Tuesday


def test_holiday_rule_does_not_apply_on_make_up_workdays_or_plain_weekends(weekday_station):
    HoursException.objects.create(station=weekday_station, on_holidays=True, closed=True)
    assert weekday_station.is_open_at(at(2025, 10, 11, 10, 0))  # a Saturday worked (调休)
    assert weekday_station.is_open_at(at(2026, 3, 7, 10, 0))  # an ordinary Saturday


def test_holiday_special_hours_replace_the_weekly_hours(weekday_station):
    HoursException.objects.create(
        station=weekday_station,
        on_holidays=True,
        closed=False,
        opens=dt.time(10),
        closes=dt.time(14),
    )
    assert not weekday_station.is_open_at(at(2026, 10, 2, 9, 30))
    assert weekday_station.is_open_at(at(2026, 10, 2, 13, 0))
    assert not weekday_station.is_open_at(at(2026, 10, 2, 15, 0))


def test_a_24_hour_station_can_close_on_holidays(db):
    station = add_station("H1", lat=36.0, lng=103.8, is_24h=True)
    HoursException.objects.create(station=station, on_holidays=True, closed=True)
    assert not station.is_open_at(at(2026, 10, 1, 12, 0))
    assert station.is_open_at(at(2026, 10, 8, 12, 0))


def test_administrator_override_makes_a_holiday(weekday_station):
    HoursException.objects.create(station=weekday_station, on_holidays=True, closed=True)
    WorkdayOverride.objects.create(date=dt.date(2026, 3, 4), is_workday=False, name="local")
    workdays.clear_cache()
    try:
        assert not weekday_station.is_open_at(at(2026, 3, 4, 10, 0))
    finally:
        workdays.clear_cache()


def test_a_date_exception_closes_one_day_only(weekday_station):
    HoursException.objects.create(station=weekday_station, date=dt.date(2026, 3, 4), closed=True)
    assert not weekday_station.is_open_at(at(2026, 3, 4, 10, 0))
    assert weekday_station.is_open_at(at(2026, 3, 5, 10, 0))


def test_temporary_closure_overrides_the_hours_until_it_expires(db):
    station = add_station("T1", lat=36.0, lng=103.8, is_24h=True)
    Station.objects.filter(pk=station.pk).update(
        temp_status="closed",
        temp_status_since=at(2026, 3, 4, 10, 0),
        temp_status_until=at(2026, 3, 4, 12, 0),
    )
    station.refresh_from_db()
    assert station.is_open_at(at(2026, 3, 4, 9, 59))  # before the keeper closed it
    assert not station.is_open_at(at(2026, 3, 4, 11, 0))
    assert station.is_open_at(at(2026, 3, 4, 12, 0))  # the closure has expired


def test_full_counts_as_not_open(db):
    station = add_station("F1", lat=36.0, lng=103.8, is_24h=True)
    Station.objects.filter(pk=station.pk).update(
        temp_status="full",
        temp_status_since=at(2026, 3, 4, 10),
        temp_status_until=at(2026, 3, 4, 11),
    )
    station.refresh_from_db()
    assert not station.is_open_at(at(2026, 3, 4, 10, 30))
    assert station.active_temp_status(at(2026, 3, 4, 10, 30)) == "full"


def test_temporary_open_opens_a_closed_station_until_it_expires(weekday_station):
    Station.objects.filter(pk=weekday_station.pk).update(
        temp_status="open",
        temp_status_since=at(2026, 3, 4, 20, 0),
        temp_status_until=at(2026, 3, 4, 23, 0),
    )
    weekday_station.refresh_from_db()
    assert weekday_station.is_open_at(at(2026, 3, 4, 21, 0))
    assert not weekday_station.is_open_at(at(2026, 3, 4, 23, 30))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("24小时", (True, (hours.FULL_DAY,) * 7)),
        ("08:00-22:00", (False, (((480, 1320),),) * 7)),
        ("22:00-06:00", (False, (((1320, 360),),) * 7)),
        ("08:00 - 12:00，14:00-18:00", (False, (((480, 720), (840, 1080)),) * 7)),
        (
            "周一至周五 09:00-17:00；周六、周日 10:00-16:00",
            (False, (((540, 1020),),) * 5 + (((600, 960),),) * 2),
        ),
    ],
)
def test_hours_text_as_cities_write_it(text, expected):
    assert hours.parse_week_text(text) == expected
    assert hours.parse_week_text(hours.format_week_text(*expected)) == expected


@pytest.mark.parametrize("text", ["", "早八晚十", "25:00-26:00", "08:00", "08:00-08:00"])
def test_hours_text_that_does_not_read_is_refused(text):
    with pytest.raises(ValueError):
        hours.parse_week_text(text)
