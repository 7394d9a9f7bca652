"""The small functions this app added at the end of other apps' public surface
(stations.selectors, cases.selectors, cases.services), each proved on its own."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.clock import local
from yizhan.cases import selectors as case_selectors
from yizhan.cases import services as case_services
from yizhan.cases.demo import seed_reference_data
from yizhan.cases.models import Category
from yizhan.stations import selectors as station_selectors
from yizhan.stations.models import StationVisit

pytestmark = pytest.mark.django_db


def test_stations_visits_by_weekday_hour_is_zero_filled_and_local(city):
    StationVisit.objects.create(
        worker=city.alice, station=city.station, at=local(2026, 11, 22, 23, 30), method="qr"
    )
    grid = station_selectors.visits_by_weekday_hour(station_id=city.station.pk)
    assert len(grid) == 7 and all(len(r) == 24 for r in grid)
    assert grid[6][23] == 1  # Sunday 23:30 in Lanzhou is Sunday 15:30 UTC


def test_stations_usual_station_ids_counts_recent_visits(city, training):
    StationVisit.objects.create(
        worker=city.alice,
        station=city.station,
        at=timezone.now() - dt.timedelta(days=200),
        method="qr",
    )
    assert station_selectors.usual_station_ids(worker_id=city.alice.pk) == []


def test_cases_symposium_open_and_demands(city, training):
    seed_reference_data()
    with pytest.raises(PermissionDenied):
        case_services.symposium_create(staff=city.kim, held_on=dt.date(2026, 12, 1), place="x")
    record = case_services.symposium_create(
        staff=city.dora, held_on=dt.date(2026, 12, 1), place="中心"
    )
    assert case_selectors.symposium_get(symposium_id=record.pk) == record
    case = case_services.case_file_for(
        staff=city.dora,
        channel="symposium",
        symposium=record,
        category=Category.objects.get(code="other"),
        description="需要更多充电桩",
        caller_mobile=city.alice.mobile,
    )
    rows = case_selectors.symposium_demands(symposium_id=record.pk)
    assert rows == [
        {
            "id": case.pk,
            "category": "其他",
            "description": "需要更多充电桩",
            "state": "submitted",
            "state_label": rows[0]["state_label"],
            "replied_at": None,
            "reply": "",
            "worker_id": city.alice.pk,
        }
    ]


def test_cases_training_need_cases(city):
    seed_reference_data()
    need = Category.objects.get(code="training")
    case_services.case_submit(worker=city.alice, category=need, description="想学电工")
    case_services.case_submit(
        worker=city.alice, category=Category.objects.get(code="other"), description="别的"
    )
    rows = case_selectors.training_need_cases()
    assert [r["description"] for r in rows] == ["想学电工"] and rows[0][
        "district_id"
    ] == city.district.pk
