"""Open now, at each of the six fixed moments (tests/clock.py): a station with weekday
office hours, a 24-hour one, and a 24-hour one that closes on statutory holidays each say
whether they are open, and the expected answer is worked out here from the clock and the
published 2026 holiday dates — not from the code under test."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.clock import SHANGHAI
from tests.stations.conftest import add_station
from yizhan.stations.models import HoursException

API = "/api/v1/stations"

# Statutory holidays (法定节假日) near the fixed moments, from the State Council's notice on
# the 2026 holidays: Mid-Autumn 25-27 September, National Day 1-7 October.
HOLIDAYS_2026 = {dt.date(2026, 9, d) for d in (25, 26, 27)} | {
    dt.date(2026, 10, d) for d in range(1, 8)
}


def expected(now: dt.datetime) -> dict[str, bool]:
    local = now.astimezone(SHANGHAI)
    office = local.weekday() < 5 and dt.time(9) <= local.time() < dt.time(18)
    return {"OFFICE": office, "ALLDAY": True, "NOHOLIDAY": local.date() not in HOLIDAYS_2026}


@pytest.fixture
def three_stations(city):
    office = add_station(
        "OFFICE",
        lat=36.02,
        lng=103.82,
        is_24h=False,
        weekly=[(day, "09:00", "18:00") for day in range(5)],
    )
    allday = add_station("ALLDAY", lat=36.021, lng=103.821, is_24h=True)
    noholiday = add_station("NOHOLIDAY", lat=36.022, lng=103.822, is_24h=True)
    HoursException.objects.create(station=noholiday, on_holidays=True, closed=True)
    return {"OFFICE": office, "ALLDAY": allday, "NOHOLIDAY": noholiday}


def test_open_now_is_right_at_every_moment(three_stations, client, moment):
    now = timezone.now()
    want = expected(now)
    assert now - moment < dt.timedelta(seconds=20)  # still the moment (23:59:30 stays in 2026)

    for code, station in three_stations.items():
        assert station.is_open_at(now) is want[code], code
        detail = client.get(f"{API}/{station.pk}").json()
        assert detail["open_now"] is want[code], code

    listed = client.get(f"{API}?open_now=true&page_size=100").json()["items"]
    assert {s["code"] for s in listed} & set(want) == {c for c, is_open in want.items() if is_open}

    nearest = client.get(f"{API}/nearest?lat=36.02&lng=103.82&limit=10").json()
    assert {s["code"]: s["open_now"] for s in nearest if s["code"] in want} == want


def test_the_moments_cover_both_answers(three_stations):
    """The six moments are worth running: each station is seen closed at one at least, and
    the holiday rule is what closes the third one inside National Day."""
    from tests.clock import MOMENTS

    answers = [expected(m) for m in MOMENTS.values()]
    assert {a["OFFICE"] for a in answers} == {True, False}
    assert {a["NOHOLIDAY"] for a in answers} == {True, False}
    inside = expected(MOMENTS["inside-national-day"])
    assert inside == {"OFFICE": False, "ALLDAY": True, "NOHOLIDAY": False}
