"""Check-in: by QR code or within 300 m; one visit per worker, station and hour."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from yizhan.core.errors import Invalid, NotAllowed
from yizhan.stations import services
from yizhan.stations.models import StationVisit


def test_qr_check_in_records_one_visit_per_hour(network):
    token = services.check_in_token(network.station)
    first, created = services.visit_check_in(
        worker=network.alice, station=network.station, method="qr", token=token
    )
    again, created_again = services.visit_check_in(
        worker=network.alice, station=network.station, method="qr", token=token
    )
    assert created and not created_again
    assert first.pk == again.pk
    assert StationVisit.objects.count() == 1


def test_a_new_hour_is_a_new_visit(network):
    token = services.check_in_token(network.station)
    base = timezone.now().replace(minute=10)
    for at in (base, base + dt.timedelta(hours=1)):
        services.visit_check_in(
            worker=network.alice, station=network.station, method="qr", token=token, at=at
        )
    assert StationVisit.objects.count() == 2


def test_the_database_refuses_a_second_visit_in_the_same_hour(network):
    at = timezone.now().replace(minute=5)
    StationVisit.objects.create(station=network.station, worker=network.alice, at=at, method="qr")
    with pytest.raises(IntegrityError), transaction.atomic():
        StationVisit.objects.create(
            station=network.station, worker=network.alice, at=at.replace(minute=50), method="qr"
        )


def test_wrong_qr_token_is_refused(network):
    with pytest.raises(Invalid):
        services.visit_check_in(
            worker=network.alice, station=network.station, method="qr", token="guess"
        )


def test_check_in_nearby_within_300_m(network):
    visit, created = services.visit_check_in(
        worker=network.alice, station=network.station, method="nearby", lat=36.0215, lng=103.82
    )
    assert created and visit.method == "nearby"


def test_check_in_from_too_far_says_how_far(network):
    with pytest.raises(Invalid) as exc:
        services.visit_check_in(
            worker=network.alice, station=network.station, method="nearby", lat=36.03, lng=103.82
        )
    assert "1112" in exc.value.fields["location"][0]


def test_the_check_in_radius_is_a_setting(network, settings):
    settings.STATIONS_CHECK_IN_RADIUS_M = 1200
    visit, created = services.visit_check_in(
        worker=network.alice, station=network.station, method="nearby", lat=36.03, lng=103.82
    )
    assert created


def test_only_workers_check_in(network):
    with pytest.raises(NotAllowed):
        services.visit_check_in(
            worker=network.kim,
            station=network.station,
            method="qr",
            token=services.check_in_token(network.station),
        )


def test_qr_page_asks_to_log_in_then_checks_in(network, client, login):
    url = f"/stations/S1/check-in/?t={services.check_in_token(network.station)}"
    assert client.get(url)["Location"].startswith("/login/")
    client = login(network.alice)
    page = client.get(url).content.decode()
    assert 'name="token"' in page
    response = client.post(
        "/stations/S1/check-in/",
        {"method": "qr", "token": services.check_in_token(network.station)},
        follow=True,
    )
    assert "已于" in response.content.decode()
    assert StationVisit.objects.filter(worker=network.alice).count() == 1


def test_check_in_form_without_location_explains_itself(network, login):
    client = login(network.alice)
    response = client.post("/stations/S1/check-in/", {"method": "nearby"}, follow=True)
    assert "请允许获取位置后再签到" in response.content.decode()
    response = client.post(
        "/stations/S1/check-in/", {"method": "nearby", "lat": "x", "lng": "y"}, follow=True
    )
    assert response.status_code == 200
