"""Fixed moments for tests: nothing in the suite reads the real date, weekday or hour.

Every test runs on a frozen, ticking clock (`tests/conftest.py`), by default at
`DEFAULT_MOMENT`. Date-sensitive suites take the `moment` fixture, which runs the test once
at each of `MOMENTS`: the weekday, the eve of a long weekend, a statutory holiday and the turn
of the year, in Asia/Shanghai where people live.
"""

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=0, mm=0, ss=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


MOMENTS = {
    "monday-morning": local(2026, 11, 30, 9, 0),
    "friday-1755": local(2026, 11, 27, 17, 55),
    "saturday": local(2026, 11, 28, 10, 30),
    "eve-of-national-day": local(2026, 9, 30, 16, 0),
    "inside-national-day": local(2026, 10, 3, 11, 0),
    "new-years-eve-235930": local(2026, 12, 31, 23, 59, 30),
}

# A plain Tuesday morning: no test depends on it being so, but every run is the same.
DEFAULT_MOMENT = local(2026, 11, 24, 10, 0)
