"""Every station page renders for the people who may see it (and no one else)."""

import pytest


def test_finder_is_public_and_lists_stations(network, client):
    body = client.get("/stations/").content.decode()
    assert "甲工会驿站" in body and "S4驿站" in body


def test_finder_near_a_point_orders_by_distance(network, client):
    body = client.get("/stations/?lat=36.0201&lng=103.8201").content.decode()
    assert body.index("甲工会驿站") < body.index("S2驿站") < body.index("S4驿站")


def test_finder_with_bad_input_does_not_fail(network, client):
    response = client.get("/stations/?lat=999&lng=abc&amenity=nope&kind=zzz")
    assert response.status_code == 200


def test_station_page_is_public(network, client):
    body = client.get("/stations/S1/").content.decode()
    assert "甲工会驿站" in body and "uri.amap.com" in body and "api.map.baidu.com" in body


def test_unknown_station_is_404(network, client):
    assert client.get("/stations/NOPE/").status_code == 404


@pytest.mark.parametrize("path", ["", "status/", "stats/", "qr/"])
def test_keeper_pages_render(network, login, path):
    client = login(network.kim)
    response = client.get(f"/staff/stations/S1/{path}")
    assert response.status_code in (200, 405)


def test_city_pages_render(network, login):
    client = login(network.adam)
    assert client.get("/staff/stations/city/").status_code == 200
    assert client.get("/staff/stations/import/").status_code == 200
    assert client.get("/staff/stations/export.csv").status_code == 200
    assert client.get("/staff/stations/export.xlsx").status_code == 200
