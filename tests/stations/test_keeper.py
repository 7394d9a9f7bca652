"""The keeper's console: a keeper edits only their own station; the city edits all."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.core.errors import NotAllowed
from yizhan.stations import selectors, services
from yizhan.stations.models import HoursException, Station

KEEPER_POSTS = [
    ("status/", {"status": "closed", "duration": "2h", "note": "停电"}),
    ("amenities/", {"a-shower": "broken"}),
    ("hours/", {"day0": "08:00-20:00"}),
    ("exceptions/", {"when": "holidays", "closed": "on"}),
    ("confirm/", {}),
]


@pytest.mark.parametrize("path, data", KEEPER_POSTS)
def test_keeper_cannot_edit_another_station(network, login, path, data):
    client = login(network.keeper2)  # keeps S2, not S1
    before = Station.objects.get(pk=network.station.pk).updated_at
    response = client.post(f"/staff/stations/S1/{path}", data)
    assert response.status_code == 403
    assert Station.objects.get(pk=network.station.pk).updated_at == before


@pytest.mark.parametrize("path", ["", "qr/", "stats/"])
def test_keeper_cannot_see_another_stations_console(network, login, path):
    assert login(network.keeper2).get(f"/staff/stations/S1/{path}").status_code == 403


@pytest.mark.parametrize("who", ["alice", "grace", "dora"])
def test_people_who_keep_no_station_are_refused(network, login, who):
    assert login(getattr(network, who)).get("/staff/stations/S1/").status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(network, client):
    assert client.get("/staff/stations/S1/")["Location"].startswith("/login/")


def test_service_refuses_the_wrong_keeper_too(network):
    with pytest.raises(NotAllowed):
        services.station_confirm(station=network.station, actor=network.keeper2)


def test_keeper_closes_the_station_and_the_finder_knows_at_once(network, login):
    client = login(network.kim)
    with_shower = {"lat": 36.0201, "lng": 103.8201, "amenity": "shower", "open_now": "true"}
    response = client.post(
        "/staff/stations/S1/status/", {"status": "closed", "duration": "2h", "note": "停水"}
    )
    assert response.status_code == 302
    station = Station.objects.get(pk=network.station.pk)
    assert station.temp_status == "closed"
    assert station.temp_status_until > timezone.now() + dt.timedelta(minutes=119)
    assert not station.open_now
    codes = [r["code"] for r in client.get("/api/v1/stations/nearest", with_shower).json()]
    assert "S1" not in codes


def test_keeper_marks_an_amenity_out_of_order(network, login):
    login(network.kim).post(
        "/staff/stations/S1/amenities/", {"a-shower": "broken", "a-drinking_water": "working"}
    )
    offers = {o.amenity.code: o.out_of_order for o in network.station.offers.all()}
    assert offers == {"shower": True, "drinking_water": False}
    hits = selectors.nearest_stations(lat=36.02, lng=103.82, amenities=["shower"], limit=1)
    assert hits[0].entry.code != "S1"


def test_keeper_sets_overnight_hours(network, login):
    client = login(network.kim)
    data = {f"day{d}": "20:00-06:00" for d in range(7)}
    client.post("/staff/stations/S1/hours/", data)
    station = Station.objects.get(pk=network.station.pk)
    assert not station.is_24h
    sh = dt.timezone(dt.timedelta(hours=8))
    assert station.is_open_at(dt.datetime(2026, 3, 2, 3, 0, tzinfo=sh))
    assert not station.is_open_at(dt.datetime(2026, 3, 2, 12, 0, tzinfo=sh))


def test_bad_hours_are_reported_not_saved(network, login):
    client = login(network.kim)
    response = client.post("/staff/stations/S1/hours/", {"day0": "早上"}, follow=True)
    assert "08:00-22:00" in response.content.decode()
    assert Station.objects.get(pk=network.station.pk).is_24h


def test_keeper_adds_and_removes_a_holiday_closure(network, login):
    client = login(network.kim)
    client.post("/staff/stations/S1/exceptions/", {"when": "holidays", "closed": "on"})
    exception = HoursException.objects.get(station=network.station)
    assert exception.on_holidays and exception.closed
    client.post(f"/staff/stations/S1/exceptions/{exception.pk}/delete/")
    assert not HoursException.objects.exists()


def test_confirming_clears_the_stale_flag(network, login):
    Station.objects.filter(pk=network.station.pk).update(
        confirmed_at=timezone.now() - dt.timedelta(days=40)
    )
    assert network.station in selectors.stale_stations()
    login(network.kim).post("/staff/stations/S1/confirm/")
    assert network.station not in selectors.stale_stations()


def test_city_admin_may_edit_any_station(network, login):
    response = login(network.adam).post("/staff/stations/S2/confirm/")
    assert response.status_code == 302


def test_console_shows_todays_visitors(network, login):
    services.visit_check_in(
        worker=network.alice,
        station=network.station,
        method="qr",
        token=services.check_in_token(network.station),
    )
    body = login(network.kim).get("/staff/stations/S1/").content.decode()
    assert "王**" in body  # masked name
    assert "扫码签到" in body


def test_qr_page_encodes_the_check_in_url_as_svg(network, login):
    body = login(network.kim).get("/staff/stations/S1/qr/").content.decode()
    assert "<svg" in body


def test_keeper_with_one_station_lands_on_its_console(network, login):
    response = login(network.kim).get("/staff/stations/")
    assert response["Location"] == "/staff/stations/S1/"
