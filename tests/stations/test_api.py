"""The stations API: nearest, list, detail, GeoJSON; 422 naming the field on bad input."""

import pytest

from yizhan.core.geo import haversine_m, wgs84_to_gcj02


def test_nearest_returns_the_documented_fields_in_distance_order(network, client):
    response = client.get("/api/v1/stations/nearest?lat=36.0201&lng=103.8201&limit=3")
    assert response.status_code == 200
    rows = response.json()
    assert [r["code"] for r in rows] == ["S1", "S2", "S3"]
    assert set(rows[0]) >= {
        "id",
        "name",
        "kind",
        "lat",
        "lng",
        "distance_m",
        "open_now",
        "amenities",
    }
    distances = [r["distance_m"] for r in rows]
    assert distances == sorted(distances)
    assert rows[0]["distance_m"] == pytest.approx(
        haversine_m(36.0201, 103.8201, 36.02, 103.82), abs=0.1
    )
    assert rows[0]["amenities"] == ["drinking_water", "shower"]


def test_nearest_with_amenity_kind_and_open_now(network, client):
    response = client.get(
        "/api/v1/stations/nearest",
        {"lat": 36.0201, "lng": 103.8201, "amenity": "shower", "kind": "union", "open_now": "true"},
    )
    assert [r["code"] for r in response.json()] == ["S1", "S4"]


def test_nearest_accepts_repeated_and_comma_separated_amenities(network, client):
    one = client.get(
        "/api/v1/stations/nearest?lat=36.07&lng=103.82&amenity=shower&amenity=microwave"
    )
    two = client.get("/api/v1/stations/nearest?lat=36.07&lng=103.82&amenity=shower,microwave")
    assert [r["code"] for r in one.json()] == [r["code"] for r in two.json()] == ["S4"]


def test_nearest_in_gcj02_takes_and_gives_gcj02(network, client):
    glng, glat = wgs84_to_gcj02(103.82, 36.02)
    rows = client.get(f"/api/v1/stations/nearest?lat={glat}&lng={glng}&crs=gcj02&limit=1").json()
    assert rows[0]["code"] == "S1"
    assert rows[0]["distance_m"] < 0.5
    assert rows[0]["lat"] == pytest.approx(glat, abs=1e-6)
    assert rows[0]["lng"] == pytest.approx(glng, abs=1e-6)


@pytest.mark.parametrize(
    "query, field",
    [
        ("lat=91&lng=103.8", "lat"),
        ("lat=36&lng=-181", "lng"),
        ("lat=abc&lng=103.8", "lat"),
        ("lng=103.8", "lat"),
        ("lat=nan&lng=103.8", "lat"),
        ("lat=36&lng=103.8&amenity=jacuzzi", "amenity"),
        ("lat=36&lng=103.8&kind=castle", "kind"),
        ("lat=36&lng=103.8&limit=0", "limit"),
        ("lat=36&lng=103.8&limit=1000", "limit"),
        ("lat=36&lng=103.8&crs=mars", "crs"),
    ],
)
def test_bad_input_is_422_naming_the_field(network, client, query, field):
    response = client.get(f"/api/v1/stations/nearest?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"][0]["field"] == field
    assert field in body["message"]


def test_list_filters_and_paginates(network, client):
    body = client.get("/api/v1/stations?amenity=shower&page_size=2").json()
    assert body["count"] == 3
    assert [s["code"] for s in body["items"]] == ["S1", "S3"]
    page2 = client.get("/api/v1/stations?amenity=shower&page_size=2&page=2").json()
    assert [s["code"] for s in page2["items"]] == ["S4"]
    assert client.get("/api/v1/stations?kind=bank").json()["count"] == 1
    assert client.get("/api/v1/stations?kind=nope").status_code == 422


def test_list_item_says_where_the_station_is(network, client):
    item = client.get("/api/v1/stations?q=甲工会").json()["items"][0]
    assert item["community"] == "甲社区"
    assert item["subdistrict"] == "西街道"
    assert item["district"] == "城关区"
    assert item["url"] == "/stations/S1/"


def test_detail_has_hours_amenities_and_directions(network, client):
    s3 = network.s3
    body = client.get(f"/api/v1/stations/{s3.pk}").json()
    assert body["hours"][0] == {"weekday": 0, "text": "09:00-17:00"}
    assert body["hours"][6]["text"] == ""
    assert body["offers"][0]["code"] == "shower"
    assert body["directions"]["amap_walk"].startswith("https://uri.amap.com/navigation?")
    assert client.get("/api/v1/stations/999999").status_code == 404


def test_geojson_is_a_feature_collection_in_wgs84(network, client):
    body = client.get("/api/v1/stations.geojson").json()
    assert body["type"] == "FeatureCollection"
    s1 = next(f for f in body["features"] if f["properties"]["code"] == "S1")
    assert s1["geometry"] == {"type": "Point", "coordinates": [103.82, 36.02]}
    shower = client.get("/api/v1/stations.geojson?amenity=shower").json()
    assert len(shower["features"]) == 3


def test_openapi_documents_the_station_endpoints(db, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/stations",
        "/api/v1/stations/{station_id}",
        "/api/v1/stations.geojson",
        "/api/v1/stations/nearest",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/stations/nearest"]["get"]["parameters"]}
    assert {"lat", "lng", "limit", "amenity", "kind", "open_now", "crs"} <= params


def test_ids_beyond_the_database_are_422_and_unknown_ones_404(network, client):
    assert client.get("/api/v1/stations/99999999999999999999").status_code == 422
    missing = client.get("/api/v1/stations/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert client.get("/api/v1/stations?community=99999999999999999999").status_code == 422
