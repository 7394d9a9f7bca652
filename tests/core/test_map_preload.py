"""The map pages ask for their map data in <head> (issue 10, "Static files and speed on a weak
signal"): on slow 3G the finder's station layer and the basemap's first layers then download
beside leaflet.js, not one 300 ms round trip after it (docs/BENCHMARKS.md, "Worker pages on a weak signal")."""

import re

import pytest
from django.test import override_settings

from yizhan.core.maps import forget_data_layers

PRELOAD = re.compile(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">')


@pytest.fixture(autouse=True)
def fresh_layer_urls():
    """The layer URLs carry the data's version, cached per process: this test's city, not an
    earlier test's."""
    forget_data_layers()


def preloads(response) -> list[str]:
    assert response.status_code == 200
    return PRELOAD.findall(response.content.decode())


@pytest.mark.django_db
def test_the_finder_preloads_its_station_layer_and_the_first_basemap_layer(city, login):
    client = login(city.alice)
    urls = preloads(client.get("/stations/"))
    assert any(u.startswith("/stations/map/") for u in urls)
    assert any(u.endswith("/districts-lo.json") for u in urls)
    for url in urls:  # each one is what the script will fetch: a JSON answer, not a 404
        answer = client.get(url)
        assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_a_finder_around_a_point_preloads_only_the_station_layer(city, login):
    urls = preloads(login(city.alice).get("/stations/?lat=36.06&lng=103.83"))
    assert len(urls) == 1 and urls[0].startswith("/stations/map/")


@pytest.mark.django_db
def test_the_report_form_preloads_the_layers_of_its_first_view(city, login):
    urls = preloads(login(city.alice).get("/reports/new/"))
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == ["communities-lo.json", "districts-hi.json"]


@pytest.mark.django_db
def test_with_map_tiles_nothing_of_the_offline_basemap_is_preloaded(city, login):
    client = login(city.alice)
    with override_settings(MAP_PROVIDER="amap"):
        assert preloads(client.get("/reports/new/")) == []
        urls = preloads(client.get("/stations/"))
    assert len(urls) == 1 and urls[0].startswith("/stations/map/")
