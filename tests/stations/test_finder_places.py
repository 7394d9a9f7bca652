"""The finder without JavaScript: a district, a community or a place's name instead of the
phone's position; and its map's data, cached a year and compressed."""

import json

import brotli
import pytest

from yizhan.core import cached
from yizhan.places import services as places
from yizhan.stations.models import Station


@pytest.fixture
def landmarks(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        places.landmarks_import_csv(
            text="code,name,lat,lng\nL1,中山桥,36.0702,103.8202\nL2,中山路口,36.0210,103.8210\n"
        )
    return network


def names_in_order(body: str, *names):
    return sorted(names, key=body.index)


def test_the_finder_offers_districts_and_communities_without_a_map(network, client):
    body = client.get("/stations/").content.decode()
    assert '<optgroup label="城关区">' in body
    assert 'value="d620102"' in body and 'value="c620102001002">西街道 · 乙社区' in body
    assert 'id="locate-me" hidden' in body  # shown by the script only, never a dead button


def test_a_community_from_the_list_lists_the_stations_nearest_to_it(network, client):
    body = client.get("/stations/", {"area": "c620102001002"}).content.decode()
    assert "离乙社区最近的" in body
    assert names_in_order(body, "S4驿站", "甲工会驿站") == ["S4驿站", "甲工会驿站"]


def test_a_district_lists_its_stations(network, client):
    Station.objects.filter(code="S4").update(community=network.community_b)
    body = client.get("/stations/", {"area": "d620102"}).content.decode()
    assert "城关区 共" in body and "甲工会驿站" in body and "S4驿站" in body
    assert "S2驿站" not in body  # in no community: not known to be in the district


def test_a_places_name_is_the_point_to_measure_from(landmarks, client):
    body = client.get("/stations/", {"place": "中山桥"}).content.decode()
    assert "离中山桥最近的" in body
    assert body.index("S4驿站") < body.index("甲工会驿站")


def test_an_ambiguous_name_offers_the_places_it_may_mean(landmarks, client):
    body = client.get("/stations/", {"place": "中山", "open_now": "on"}).content.decode()
    assert "您指的是哪个地点" in body
    assert "lat=36.070200" in body and "near=%E4%B8%AD%E5%B1%B1%E6%A1%A5" in body
    assert "open_now=on" in body  # the filters are kept


def test_an_unknown_name_says_so(network, client):
    body = client.get("/stations/", {"place": "火星基地"}).content.decode()
    assert "没有叫“火星基地”的地点" in body


@pytest.mark.parametrize(
    "query",
    [
        {"area": "c999"},
        {"area": "zzz"},
        {"area": "d"},
        {"place": "x" * 300},
        {"lat": "nan", "lng": "1"},
    ],
)
def test_junk_in_the_finder_is_answered_not_a_server_error(network, client, query):
    assert client.get("/stations/", query).status_code == 200


def test_the_map_layer_is_every_station_cached_a_year(network, client):
    cached.forget()
    page = client.get("/stations/").content.decode()
    data = json.loads(
        page.split('id="finder-data" type="application/json">')[1].split("</script>")[0]
    )
    url = data["stations_url"]
    response = client.get(url, HTTP_ACCEPT_ENCODING="br")
    assert response["Content-Encoding"] == "br" and "immutable" in response["Cache-Control"]
    layer = json.loads(brotli.decompress(response.content))
    assert {s[1] for s in layer["stations"]} == {"S1", "S2", "S3", "S4"}
    assert data["closed"] == [network.s3.id] or network.s3.id not in data["closed"]
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    stale = client.get("/stations/map/000000000000.json")
    assert stale.status_code == 302 and stale["Location"] == url
