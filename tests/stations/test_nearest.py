"""Nearest stations: true distance order, filters, and the in-process index's freshness."""

import datetime as dt
import math
import random

import pytest
from django.utils import timezone

from tests.stations.conftest import add_station
from yizhan.stations import hours, selectors
from yizhan.stations.index import Entry, StationIndex
from yizhan.stations.models import Station

pytestmark = pytest.mark.django_db  # open-now flags read the calendar overrides


def reference_haversine_m(lat1, lng1, lat2, lng2):
    """Written here independently of yizhan.core.geo (spherical law, R = 6371.0088 km)."""
    r = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * r * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def random_index(n, seed=1):
    rng = random.Random(seed)
    kinds = [k for k, _ in Station.Kind.choices]
    codes = ["shower", "microwave", "wifi"]
    entries = [
        Entry(
            i,
            f"X{i:06d}",
            f"s{i}",
            rng.choice(kinds),
            rng.uniform(32.0, 42.0),
            rng.uniform(93.0, 108.0),
            tuple(c for c in codes if rng.random() < 0.4),
            hours.Schedule(is_24h=rng.random() < 0.5, weekly=(((480, 1320),),) * 7),
        )
        for i in range(n)
    ]
    return StationIndex(entries, codes, kinds), entries, rng


@pytest.mark.parametrize("seed", range(5))
def test_order_and_distances_match_an_independent_haversine(seed):
    index, entries, rng = random_index(3000, seed)
    moment = timezone.now()
    for _ in range(40):
        lat, lng = rng.uniform(32, 42), rng.uniform(93, 108)
        hits = index.nearest(lat, lng, limit=10, moment=moment)
        expected = sorted(entries, key=lambda e: reference_haversine_m(lat, lng, e.lat, e.lng))
        assert [h.entry.id for h in hits] == [e.id for e in expected[:10]]
        for hit in hits:
            ref = reference_haversine_m(lat, lng, hit.entry.lat, hit.entry.lng)
            assert hit.distance_m == pytest.approx(ref, rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("n", [6000, 20000])
def test_large_networks_search_a_widening_band_and_stay_exact(n):
    index, entries, rng = random_index(n, n)
    assert len(index) > 4000  # the band search, not the whole-network pass
    moment = timezone.now()
    points = [(rng.uniform(32, 42), rng.uniform(93, 108)) for _ in range(15)]
    points += [(50.0, 100.0), (20.0, 80.0), (36.0, 103.8)]  # far outside, and inside
    for lat, lng in points:
        for filters in ({}, {"amenities": ["shower", "wifi"], "kinds": ["bank"]}):
            hits = index.nearest(lat, lng, limit=7, moment=moment, **filters)
            pool = [
                e
                for e in entries
                if not filters or (e.kind == "bank" and {"shower", "wifi"} <= set(e.amenities))
            ]
            pool.sort(key=lambda e: reference_haversine_m(lat, lng, e.lat, e.lng))
            assert [h.entry.id for h in hits] == [e.id for e in pool[:7]]


def test_filters_keep_true_distance_order():
    index, entries, rng = random_index(2000, 7)
    moment = dt.datetime(2026, 3, 4, 23, 0, tzinfo=dt.UTC)  # 07:00 in Shanghai: only 24 h open
    lat, lng = 36.06, 103.83
    hits = index.nearest(
        lat,
        lng,
        limit=15,
        kinds=["union", "bank"],
        amenities=["shower", "wifi"],
        open_now=True,
        moment=moment,
    )
    expected = [
        e
        for e in sorted(entries, key=lambda e: reference_haversine_m(lat, lng, e.lat, e.lng))
        if e.kind in ("union", "bank")
        and {"shower", "wifi"} <= set(e.amenities)
        and e.schedule.is_24h
    ]
    assert [h.entry.id for h in hits] == [e.id for e in expected[:15]]
    assert all(h.open_now for h in hits)


def test_open_now_reaches_past_many_closed_stations():
    index, entries, _ = random_index(500, 3)
    closed = hours.Schedule()  # no hours at all: never open
    rebuilt = StationIndex(
        [
            Entry(e.id, e.code, e.name, e.kind, e.lat, e.lng, e.amenities, closed) if i < 499 else e
            for i, e in enumerate(entries)
        ],
        index.amenity_codes,
        index.kinds,
    )
    only_open = entries[499]
    moment = dt.datetime(2026, 3, 4, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
    hits = rebuilt.nearest(0.0, 0.0, limit=3, open_now=True, moment=moment)
    assert [h.entry.id for h in hits] == [only_open.id]


def test_nearest_open_station_with_a_shower(network):
    hits = selectors.nearest_stations(
        lat=36.0201, lng=103.8201, amenities=["shower"], open_now=True, limit=3
    )
    codes = [h.entry.code for h in hits]
    assert codes[0] == "S1"
    assert "S2" not in codes  # no shower


def test_out_of_order_amenity_does_not_count(network):
    network.station.offers.filter(amenity__code="shower").update(out_of_order=True)
    Station.objects.filter(pk=network.station.pk).update(updated_at=timezone.now())
    selectors.invalidate_index()
    hits = selectors.nearest_stations(lat=36.0201, lng=103.8201, amenities=["shower"], limit=3)
    assert "S1" not in [h.entry.code for h in hits]


def test_index_sees_a_changed_station_after_its_fingerprint_moves(network, monkeypatch):
    selectors.station_index()
    monkeypatch.setattr(selectors, "_CHECK_EVERY_SECONDS", 0.0)
    Station.objects.filter(pk=network.s4.pk).update(
        lat=36.0202, lng=103.8202, updated_at=timezone.now() + dt.timedelta(seconds=1)
    )
    hits = selectors.nearest_stations(lat=36.0202, lng=103.8202, limit=1)
    assert hits[0].entry.code == "S4"


def test_index_sees_a_new_station(network, monkeypatch):
    selectors.station_index()
    monkeypatch.setattr(selectors, "_CHECK_EVERY_SECONDS", 0.0)
    Station.objects.create(
        code="S9", name="新驿站", kind="union", lat=36.05, lng=103.85, is_24h=True
    )
    hits = selectors.nearest_stations(lat=36.05, lng=103.85, limit=1)
    assert hits[0].entry.code == "S9"


def test_empty_network_returns_nothing(db):
    assert selectors.nearest_stations(lat=36.0, lng=103.8) == []
    add_station("Z1", lat=36.0, lng=103.8)
    assert selectors.nearest_stations(lat=36.0, lng=103.8, amenities=["shower"]) == []
