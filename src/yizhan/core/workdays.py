"""Mainland China's working days: statutory holidays and make-up workdays (调休).

Order of authority for a date: an override entered by the city administrator (the State
Council's announcement for a year the calendar package does not know yet, or a local
change), then the `chinesecalendar` package, then plain Monday-to-Friday. `calendar_known`
says whether a year rests on an announced schedule, so pages can warn when it does not.
"""

import datetime as dt
import time
from functools import lru_cache

import chinese_calendar


def _override_map() -> dict[dt.date, bool]:
    from yizhan.core.models import WorkdayOverride

    return dict(WorkdayOverride.objects.values_list("date", "is_workday"))


# Overrides change a few times a year; each process re-reads them at most once a minute,
# and at once in the process where the administrator saved a change.
_CACHE_SECONDS = 60.0
_cache: dict = {"map": None, "at": 0.0}


def clear_cache() -> None:
    """Forget cached overrides (called when an administrator changes them)."""
    _cache.update(map=None, at=0.0)


def _overrides() -> dict[dt.date, bool]:
    now = time.monotonic()
    if _cache["map"] is None or now - _cache["at"] > _CACHE_SECONDS:
        _cache.update(map=_override_map(), at=now)
    return _cache["map"]


@lru_cache(maxsize=64)
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_known(year: int) -> bool:
    """True when the year's holidays come from an announced schedule, not a weekday guess."""
    if _package_knows(year):
        return True
    return any(day.year == year for day in _overrides())


def is_workday(day: dt.date) -> bool:
    overrides = _overrides()
    if day in overrides:
        return overrides[day]
    if _package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date n working days after `start` (n=0: `start` itself if a workday, else the next).

    Counting starts the day after `start`, as time limits do: a limit of 3 working days
    from Tuesday ends on Friday when all are workdays.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    if n == 0:
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the half-open interval (start, end]; negative when end < start."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
