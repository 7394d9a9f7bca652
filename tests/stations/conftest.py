"""Station fixtures on top of the shared test city (kim keeps S1 in community A)."""

import datetime as dt
from importlib import import_module

import pytest

from tests.conftest import make_user
from yizhan.accounts.models import Role
from yizhan.stations import selectors
from yizhan.stations.models import Amenity, OpeningHours, Station, StationAmenity


def ensure_amenities():
    """The seeded amenity list (a transactional test's flush empties the table)."""
    from django.apps import apps

    seed = import_module("yizhan.stations.migrations.0003_seed_amenities").seed
    seed(apps, None)


@pytest.fixture(autouse=True)
def fresh_station_index():
    """Each test builds its own stations; never read another test's cached index."""
    selectors.invalidate_index()
    yield
    selectors.invalidate_index()


def add_station(code, *, lat, lng, kind="union", amenities=(), is_24h=True, weekly=None, **extra):
    station = Station.objects.create(
        code=code, name=f"{code}驿站", kind=kind, lat=lat, lng=lng, is_24h=is_24h, **extra
    )
    for amenity in amenities:
        StationAmenity.objects.create(station=station, amenity=Amenity.objects.get(code=amenity))
    for day, opens, closes in weekly or ():
        OpeningHours.objects.create(
            station=station,
            weekday=day,
            opens=dt.time(*map(int, opens.split(":"))),
            closes=dt.time(*map(int, closes.split(":"))),
        )
    selectors.invalidate_index()
    return station


@pytest.fixture
def network(city):
    """S1 (kim's, 24 h, shower) plus a few stations around it in community A and B."""
    ensure_amenities()
    s1 = city.station
    s1.is_24h = True
    s1.save()
    for code in ("shower", "drinking_water"):
        StationAmenity.objects.create(station=s1, amenity=Amenity.objects.get(code=code))
    city.s2 = add_station("S2", lat=36.021, lng=103.821, amenities=["drinking_water"])
    city.s3 = add_station(
        "S3",
        lat=36.03,
        lng=103.83,
        kind="bank",
        amenities=["shower"],
        is_24h=False,
        weekly=[(d, "09:00", "17:00") for d in range(5)],
    )
    city.s4 = add_station("S4", lat=36.07, lng=103.82, amenities=["shower", "microwave"])
    city.keeper2 = make_user(
        "13900000015", "站长乙", role=Role.STATION_KEEPER, scope_field="station", scope=city.s2
    )
    selectors.invalidate_index()
    return city
