"""Usage by day and hour (Shanghai time), the busiest stations, and stale data."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.conftest import make_user
from yizhan.stations import selectors
from yizhan.stations.models import Station, StationVisit

SH = ZoneInfo("Asia/Shanghai")


def test_visits_are_counted_per_local_day_and_hour(network):
    today = timezone.localdate()
    late = dt.datetime.combine(today, dt.time(0, 30), tzinfo=SH)  # 16:30 UTC the day before
    StationVisit.objects.create(station=network.station, worker=network.alice, at=late, method="qr")
    StationVisit.objects.create(
        station=network.station,
        worker=network.grace,
        at=late + dt.timedelta(minutes=5),
        method="qr",
    )
    StationVisit.objects.create(
        station=network.s2, worker=network.alice, at=late - dt.timedelta(days=2), method="nearby"
    )
    by_day = selectors.visits_by_day(station=network.station, days=7)
    assert len(by_day) == 7 and by_day[-1] == {"day": today, "n": 2}
    assert sum(r["n"] for r in by_day) == 2
    by_hour = selectors.visits_by_hour(station=network.station)
    assert by_hour[0] == {"hour": 0, "n": 2}
    city = selectors.visits_by_day(days=7)
    assert sum(r["n"] for r in city) == 3
    busiest = list(selectors.busiest_stations())
    assert [s.code for s in busiest] == ["S1", "S2"]


def test_stale_stations_are_those_unconfirmed_for_30_days(network):
    now = timezone.now()
    Station.objects.filter(code="S1").update(confirmed_at=now - dt.timedelta(days=31))
    Station.objects.filter(code="S2").update(confirmed_at=now - dt.timedelta(days=29))
    Station.objects.filter(code="S3").update(confirmed_at=None)
    Station.objects.filter(code="S4").update(confirmed_at=now)
    assert [s.code for s in selectors.stale_stations()] == ["S3", "S1"]


def test_city_page_lists_stale_stations_and_usage(network, login):
    Station.objects.filter(code="S3").update(confirmed_at=None)
    worker = make_user("13700000009", "骑手乙")
    StationVisit.objects.create(station=network.s3, worker=worker, method="qr")
    client = login(network.adam)
    body = client.get("/staff/stations/city/").content.decode()
    assert "S3驿站" in body and "30 天未确认" in body and "可能已过时" in body
    stale = client.get("/staff/stations/city/?stale=1&sort=-confirmed").content.decode()
    assert "S3驿站" in stale and 'aria-sort="descending"' in stale
    found = client.get("/staff/stations/city/?q=S3").content.decode()
    assert "S3驿站" in found and "共 1 条结果" in found


def test_keeper_sees_their_station_usage(network, login):
    StationVisit.objects.create(station=network.station, worker=network.alice, method="qr")
    body = login(network.kim).get("/staff/stations/S1/stats/").content.decode()
    assert "每日到站人次" in body
