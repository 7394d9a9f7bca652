"""Stations' visitors by weekday and hour (for picking an event's slot) and a worker's usual
stations (for their list), read through stations.selectors."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.clock import local
from yizhan.stations import selectors as stations
from yizhan.stations.models import StationVisit
from yizhan.training import selectors

pytestmark = pytest.mark.django_db


def visit(worker, station, at):
    StationVisit.objects.create(worker=worker, station=station, at=at, method="qr")


def test_visits_by_weekday_and_hour_in_local_time(training, city):
    # Saturday 21 November 2026, 12:xx in Lanzhou (04:xx UTC), three workers; one on Monday 8:xx.
    for i in range(3):
        visit(training.worker(), city.station, local(2026, 11, 21, 12, 10 + i))
    visit(city.alice, city.station, local(2026, 11, 23, 8, 5))
    visit(city.alice, city.station, timezone.now() - dt.timedelta(days=100))  # too old
    grid = stations.visits_by_weekday_hour(station_id=city.station.pk)
    assert grid[5][12] == 3 and grid[0][8] == 1 and sum(map(sum, grid)) == 4
    heat = selectors.station_heat(station_id=city.station.pk)
    assert [(b["weekday_index"], b["hour"], b["n"]) for b in heat["busiest"]] == [
        (5, 12, 3),
        (0, 8, 1),
    ]
    assert heat["rows"][5]["cells"][12] == (3, 5)


def test_the_console_suggests_the_busiest_slots(training, city, login):
    for i in range(2):
        visit(training.worker(), city.station, local(2026, 11, 21, 12, 10 + i))
    page = login(city.kim).get(f"/training/console/new/heat/?station={city.station.pk}")
    body = page.content.decode()
    assert "周六 12:00" in body and "2 人次" in body and 'data-heat="heat-data"' in body


def test_a_workers_usual_stations_come_first_in_their_list(training, city):
    for day in (20, 21, 22):
        visit(city.alice, training.other_station, local(2026, 11, day, 9))
    visit(city.alice, city.station, local(2026, 11, 22, 10))
    assert stations.usual_station_ids(worker_id=city.alice.pk) == [
        training.other_station.pk,
        city.station.pk,
    ]
    at_other = training.course(by=training.cora, station_id=training.other_station.pk, title="常去")
    training.course(by=training.cora, station_id=training.centre.pk, title="别处")
    found = selectors.upcoming_for_worker(worker=city.alice)
    assert [i.activity.title for i in found["usual"]] == ["常去"]
    assert at_other.pk not in [i.activity.pk for i in found["others"]]


def test_near_me_sorts_by_distance_and_leaves_out_the_far(training, city):
    from yizhan.stations.models import Station

    far = Station.objects.create(code="F1", name="远处驿站", kind="union", lat=36.5, lng=104.5)
    training.course(by=training.cora, station_id=training.other_station.pk, title="较远")
    training.course(by=training.cora, station_id=city.station.pk, title="最近")
    training.course(by=training.cora, station_id=far.pk, title="太远")
    found = selectors.upcoming_for_worker(worker=city.alice, lat=36.021, lng=103.82)
    assert [i.activity.title for i in found["others"]] == ["最近", "较远"]
