"""Opening hours as plain data, and the one rule that says whether a station is open.

A `Schedule` is what the database rows (weekly hours, exceptions, the keeper's temporary
status) say, frozen into tuples of minutes so that the in-process nearest-station index
and `Station.is_open_at` evaluate exactly the same function: `is_open(schedule, moment)`.

Rules, in order of authority:
1. A keeper's temporary status (open / closed / full) while it has not expired.
   "Full" counts as not open: a rider cannot get in.
2. The day's hours: an exception for that date, else the "statutory holidays" rule on a
   statutory holiday, else 24 hours (`is_24h`), else the weekly rows for that weekday.
3. An interval whose closing time is not after its opening time runs past midnight into
   the next day, so Sunday 20:00-06:00 keeps the station open at 03:00 on Monday.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

from yizhan.core import workdays

DAY_MINUTES = 24 * 60
FULL_DAY = ((0, DAY_MINUTES),)

TEMP_OPEN = "open"
TEMP_CLOSED = "closed"
TEMP_FULL = "full"

Interval = tuple[int, int]  # minutes since midnight; close <= open means past midnight


@dataclass(frozen=True)
class Schedule:
    is_24h: bool = False
    weekly: tuple[tuple[Interval, ...], ...] = ((),) * 7  # Monday first
    dates: dict = field(default_factory=dict)  # date -> tuple of intervals (() = closed)
    holidays: tuple[Interval, ...] | None = None  # on statutory holidays; None: no rule
    temp_status: str = ""
    temp_since: dt.datetime | None = None
    temp_until: dt.datetime | None = None

    def __hash__(self):  # dates is a dict; identity is enough for caching
        return id(self)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=512)
def _package_holiday(day: dt.date) -> bool | None:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return bool(on_holiday and name)


def is_statutory_holiday(day: dt.date) -> bool:
    """A public holiday (法定节假日), not an ordinary weekend and not a make-up workday.

    An administrator's working-day override decides first; then the calendar package; for a
    year nobody has announced yet, no day is a statutory holiday.
    """
    overrides = workdays._overrides()
    if day in overrides:
        return not overrides[day] and (day.weekday() < 5 or _package_holiday(day) is not False)
    return bool(_package_holiday(day))


def temp_status_at(schedule: Schedule, moment: dt.datetime) -> str:
    """The keeper's temporary status in force at `moment`, or ""."""
    if not schedule.temp_status or schedule.temp_until is None:
        return ""
    if schedule.temp_since is not None and moment < schedule.temp_since:
        return ""
    return schedule.temp_status if moment < schedule.temp_until else ""


def intervals_on(schedule: Schedule, day: dt.date, holiday: bool) -> tuple[Interval, ...]:
    """The opening intervals that start on `day` (local date)."""
    if day in schedule.dates:
        return schedule.dates[day]
    if holiday and schedule.holidays is not None:
        return schedule.holidays
    if schedule.is_24h:
        return FULL_DAY
    return schedule.weekly[day.weekday()]


def _open_by_hours(schedule: Schedule, local: dt.datetime, holiday_flags) -> bool:
    day = local.date()
    minute = local.hour * 60 + local.minute
    today_holiday, yesterday_holiday = holiday_flags
    for start, end in intervals_on(schedule, day, today_holiday):
        if end > start:
            if start <= minute < end:
                return True
        elif minute >= start:  # runs past midnight: the evening part of today
            return True
    for start, end in intervals_on(schedule, day - dt.timedelta(days=1), yesterday_holiday):
        if end <= start and minute < end:  # yesterday's interval spilling into today
            return True
    return False


def holiday_flags(local_day: dt.date) -> tuple[bool, bool]:
    return is_statutory_holiday(local_day), is_statutory_holiday(local_day - dt.timedelta(days=1))


def is_open(schedule: Schedule, moment: dt.datetime, *, flags=None, local=None) -> bool:
    """Whether a station with `schedule` admits visitors at `moment` (aware datetime).

    Callers that evaluate many stations at one moment may pass `local` (the moment in
    Shanghai time) and `flags` (today is a statutory holiday, yesterday was) once.
    """
    status = temp_status_at(schedule, moment)
    if status:
        return status == TEMP_OPEN
    if schedule.is_24h and not schedule.dates and schedule.holidays is None:
        return True
    if local is None:
        local = moment.astimezone(local_tz())
    return _open_by_hours(schedule, local, flags or holiday_flags(local.date()))


# --- Text form: "24小时", "08:00-22:00", "08:00-12:00,14:00-18:00", "22:00-06:00" -------

_TIME = r"([01]?\d|2[0-4])[:：]([0-5]\d)"
_RANGE = re.compile(rf"{_TIME}\s*[-–—~～至到]\s*{_TIME}")
_SEPARATORS = " \t,，、;；/"
ALL_DAY_WORDS = {"24小时", "24h", "全天", "全天24小时", "24小时开放", "00:00-24:00"}


def _minutes(hours: str, minutes: str) -> int:
    value = int(hours) * 60 + int(minutes)
    if value > DAY_MINUTES:
        raise ValueError(f"{hours}:{minutes}")
    return value


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """Parse "08:00-12:00, 14:00-22:00" into intervals; ValueError when it does not read."""
    matches = list(_RANGE.finditer(text))
    leftover = _RANGE.sub("", text).strip(_SEPARATORS)
    if not matches or leftover:
        raise ValueError(text)
    result = []
    for match in matches:
        start = _minutes(match.group(1), match.group(2))
        end = _minutes(match.group(3), match.group(4))
        if start in (DAY_MINUTES, end):
            raise ValueError(match.group(0))
        result.append((start, end))
    return tuple(result)


def is_all_day(text: str) -> bool:
    return text.strip().lower().replace(" ", "").replace("：", ":") in ALL_DAY_WORDS


def format_minutes(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def format_intervals(intervals) -> str:
    return ", ".join(f"{format_minutes(s)}-{format_minutes(e)}" for s, e in intervals)


# --- A week in words, as cities write it: "周一至周五 08:00-18:00；周六、周日 10:00-16:00" ---

DAY_NAMES = "一二三四五六日"
_DAY = r"(?:周|星期|礼拜)?([一二三四五六日天])"
_DAY_RANGE = re.compile(rf"^{_DAY}\s*[至到\-–~～]\s*{_DAY}")
_DAY_LIST = re.compile(rf"^{_DAY}(?:\s*[、,，]\s*{_DAY})*")
_DAY_WORDS = {
    "每天": range(7),
    "每日": range(7),
    "全周": range(7),
    "工作日": range(5),
    "周末": range(5, 7),
    "双休日": range(5, 7),
}
CLOSED_WORDS = {"休息", "关闭", "闭馆", "不开放", "closed"}


def _day_index(char: str) -> int:
    return 6 if char in "日天" else DAY_NAMES.index(char)


def _segment_days(segment: str) -> tuple[list[int], str]:
    """Split "周一至周五 08:00-18:00" into ([0..4], "08:00-18:00"); no day words: every day."""
    segment = segment.strip()
    for word, days in _DAY_WORDS.items():
        if segment.startswith(word):
            return list(days), segment[len(word) :]
    match = _DAY_RANGE.match(segment)
    if match:
        first, last = _day_index(match.group(1)), _day_index(match.group(2))
        days = (
            list(range(first, last + 1)) if first <= last else [*range(first, 7), *range(last + 1)]
        )
        return days, segment[match.end() :]
    match = _DAY_LIST.match(segment)
    if match and match.group(0).strip():
        days = [_day_index(c) for c in re.findall(r"[一二三四五六日天]", match.group(0))]
        if days and segment[: match.end()].strip()[0] in "周星礼":
            return days, segment[match.end() :]
    return list(range(7)), segment


def parse_week_text(text: str) -> tuple[bool, tuple[tuple[Interval, ...], ...]]:
    """Parse a week's hours. Returns (is_24h, weekly); ValueError when it does not read.

    Days not mentioned in a text that names days are closed; a text without day words
    applies to every day.
    """
    text = (text or "").strip()
    if not text:
        raise ValueError("empty")
    if is_all_day(text):
        return True, (FULL_DAY,) * 7
    weekly: list[tuple[Interval, ...] | None] = [None] * 7
    for segment in re.split(r"[;；\n]+", text):
        if not segment.strip():
            continue
        days, rest = _segment_days(segment)
        rest = rest.strip(" :：,，")
        if rest.lower() in CLOSED_WORDS:
            intervals: tuple[Interval, ...] = ()
        elif is_all_day(rest):
            intervals = FULL_DAY
        else:
            intervals = parse_intervals(rest)
        for day in days:
            weekly[day] = intervals
    result = tuple(day or () for day in weekly)
    return all(day == FULL_DAY for day in result), result


def format_week_text(is_24h: bool, weekly) -> str:
    """The inverse of `parse_week_text`, grouping consecutive days with equal hours."""
    if is_24h or all(tuple(day) == FULL_DAY for day in weekly):
        return "24小时"
    if all(tuple(day) == tuple(weekly[0]) for day in weekly):
        return format_intervals(weekly[0]) or "休息"
    parts, start = [], 0
    for day in range(1, 8):
        if day == 7 or tuple(weekly[day]) != tuple(weekly[start]):
            label = f"周{DAY_NAMES[start]}" + (
                f"至周{DAY_NAMES[day - 1]}" if day - 1 > start else ""
            )
            parts.append(f"{label} {format_intervals(weekly[start]) or '休息'}")
            start = day
    return "；".join(parts)
