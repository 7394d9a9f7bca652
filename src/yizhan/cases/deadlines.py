"""Time limits in working days (工作日).

A limit of N working days runs to the end (23:59:59 Asia/Shanghai) of the Nth working day
after the day the clock starts; N = 0 ("same day") ends the day the clock starts, or the
next working day when that day is a holiday. Working days come from `core.workdays`
(administrator overrides, then the statutory calendar, then Monday to Friday).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from yizhan.core.workdays import add_working_days, calendar_known

LOCAL = ZoneInfo(settings.TIME_ZONE)
MEDIATION_DAYS = 15  # calendar days: Labour Dispute Mediation and Arbitration Law, art. 14


# The acceptance and misrouting windows of 12345 practice (settings.py, read when used so a
# test or an operator's change takes effect at once); handling limits are per type.
def accept_working_days() -> int:
    return settings.CASES_ACCEPT_WORKING_DAYS


def return_working_days() -> int:
    return settings.CASES_RETURN_WORKING_DAYS


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 on `day` in Asia/Shanghai, as an aware datetime (stored as UTC)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL)


def due_after(start: dt.datetime, working_days: int) -> dt.datetime:
    """The deadline of a limit of `working_days` whose clock starts at `start`."""
    return end_of_day(add_working_days(local_date(start), working_days))


def rests_on_guess(moment: dt.datetime | None) -> bool:
    """True when a deadline falls in a year whose holidays nobody has entered yet."""
    return moment is not None and not calendar_known(local_date(moment).year)
