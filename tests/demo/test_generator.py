import io
import json

import pytest
import shapely
from django.core.management import call_command
from django.db import transaction
from shapely.geometry import shape

from yizhan.demo.generator import CityGenerator
from yizhan.places.models import Community, District, Subdistrict
from yizhan.places.selectors import community_id_at
from yizhan.reports.models import Report
from yizhan.stations.models import Station


@pytest.fixture
def small_city(db):
    return CityGenerator(scale="small").build()


def test_demo_city_has_lanzhou_districts_and_station_mix(small_city):
    names = set(District.objects.values_list("name", flat=True))
    assert {"城关区", "七里河区", "西固区", "安宁区", "红古区"} <= names
    assert Station.objects.count() == 1133
    assert Station.objects.filter(kind="little_bee").count() == 790
    assert Community.objects.count() >= 600


def test_communities_tile_their_district_without_gaps_or_overlaps(small_city):
    for district in District.objects.all():
        district_shape = shape(district.boundary)
        cells = [
            shape(c.boundary) for c in Community.objects.filter(subdistrict__district=district)
        ]
        union = shapely.union_all(cells)
        assert abs(sum(c.area for c in cells) - district_shape.area) < 1e-12  # no overlaps
        assert union.symmetric_difference(district_shape).area < 1e-12  # no gaps


def test_subdistricts_tile_their_district(small_city):
    for district in District.objects.all():
        cells = [shape(s.boundary) for s in Subdistrict.objects.filter(district=district)]
        assert abs(sum(c.area for c in cells) - shape(district.boundary).area) < 1e-9


def test_every_station_lies_in_its_community(small_city):
    for station in Station.objects.all()[:200]:
        assert community_id_at(lat=station.lat, lng=station.lng) == station.community_id


def test_generator_is_deterministic(db):
    def build_and_capture():
        with transaction.atomic():
            CityGenerator(scale="small").build()
            snapshot = (
                list(
                    Community.objects.order_by("code").values_list("code", "name", "min_lat")[:50]
                ),
                list(Station.objects.order_by("code").values_list("name", "lat")[:50]),
                list(
                    Report.objects.order_by("client_key").values_list(
                        "client_key", "description", "state"
                    )
                ),
            )
            transaction.set_rollback(True)
        return snapshot

    assert build_and_capture() == build_and_capture()


def test_one_login_per_role_as_json_lines(small_city):
    out = io.StringIO()
    call_command("demo_logins", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["role"] for r in rows} == {
        "worker",
        "station_keeper",
        "grid_officer",
        "department_officer",
        "dispatcher",
        "platform_rep",
        "volunteer_coordinator",
        "district_officer",
        "city_admin",
        "organisation_officer",
    }
    assert all(set(r) == {"role", "scope", "mobile", "password"} for r in rows)
    grid = next(r for r in rows if r["role"] == "grid_officer")
    assert grid["scope"].startswith("城关区")


def test_demo_logins_work(small_city, client):
    for mobile in ("13800000001", "13900000003"):
        response = client.post("/login/", {"mobile": mobile, "password": "Demo@2026"})
        assert response.status_code == 302, mobile
        client.post("/logout/")


def test_demo_load_refuses_to_load_twice(small_city):
    out = io.StringIO()
    call_command("demo_load", "--if-empty", stdout=out)
    assert "already loaded" in out.getvalue()
