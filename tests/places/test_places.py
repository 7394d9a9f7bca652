import pytest
from shapely.geometry import box

from yizhan.core.geo import wgs84_to_gcj02
from yizhan.places import selectors, services
from yizhan.places.geometry import GeometryError, to_geojson


def test_point_is_routed_to_the_community_that_contains_it(city):
    assert selectors.community_at(lat=36.02, lng=103.82) == city.community_a
    assert selectors.community_at(lat=36.07, lng=103.82) == city.community_b
    assert selectors.community_at(lat=36.05, lng=103.88) == city.community_c


def test_point_on_a_shared_border_belongs_to_exactly_one_community(city):
    assert selectors.community_id_at(lat=36.05, lng=103.82) == city.community_a.id


def test_point_outside_every_community_has_none(city):
    assert selectors.community_at(lat=36.50, lng=103.82) is None


def test_new_community_is_found_after_it_is_created(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.community_create(
            subdistrict=city.sub_east,
            code="620102002009",
            name="新社区",
            boundary=to_geojson(box(103.90, 36.00, 103.95, 36.05)),
        )
    assert selectors.community_at(lat=36.02, lng=103.92).name == "新社区"


def test_boundary_must_be_a_valid_polygon(city):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(GeometryError, match="self-intersecting"):
        services.community_create(subdistrict=city.sub_east, code="x", name="x", boundary=bowtie)
    with pytest.raises(GeometryError, match="Polygon"):
        services.community_create(
            subdistrict=city.sub_east,
            code="y",
            name="y",
            boundary={"type": "Point", "coordinates": [1, 2]},
        )


def test_geojson_import_is_all_or_nothing(city):
    before = city.community_a.boundary
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "620102001001"},
                "geometry": to_geojson(box(103.80, 36.00, 103.84, 36.05)),
            },
            {
                "type": "Feature",
                "properties": {"code": "nope"},
                "geometry": to_geojson(box(0, 0, 1, 1)),
            },
        ],
    }
    with pytest.raises(GeometryError, match="feature 2: unknown community code 'nope'"):
        services.communities_import_geojson(collection=collection)
    city.community_a.refresh_from_db()
    assert city.community_a.boundary == before


def test_locate_api_accepts_gcj02_and_converts(city, client):
    lng, lat = wgs84_to_gcj02(103.82, 36.02)
    response = client.get(
        "/api/v1/places/communities/locate", {"lat": lat, "lng": lng, "crs": "gcj02"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "甲社区"
    assert response.json()["district"] == "城关区"


def test_locate_api_out_of_range_is_422_naming_the_field(city, client):
    response = client.get("/api/v1/places/communities/locate", {"lat": 95, "lng": 103.8})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "lat"


def test_locate_api_refuses_a_point_outside_the_city_with_422(city, client):
    response = client.get("/api/v1/places/communities/locate", {"lat": 30, "lng": 103.8})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] in ("lat", "lng")
    assert "不在本市" in response.json()["detail"][0]["message"]


def test_locate_api_at_the_city_edge_but_in_no_community_is_404(city, client):
    # 550 m north of the district: inside the city's margin for GPS drift, in no community.
    response = client.get("/api/v1/places/communities/locate", {"lat": 36.105, "lng": 103.82})
    assert response.status_code == 404


def test_communities_geojson_round_trips(city, client):
    data = client.get("/api/v1/places/communities.geojson", {"district": city.district.id}).json()
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in data["features"]} == {
        "620102001001",
        "620102001002",
        "620102002001",
    }


def test_an_index_primed_from_communities_in_hand_answers_as_one_read_back(city):
    """prime_index (the demo generator's, right after its bulk insert) is kept as the index
    and routes every point as the index built from the database does."""
    from yizhan.places import lookup
    from yizhan.places.models import Community

    points = [(36.02, 103.82), (36.05, 103.82), (36.07, 103.82), (36.05, 103.88), (36.5, 103.8)]
    in_hand = list(Community.objects.select_related("subdistrict__district"))
    selectors.prime_index(in_hand)
    primed = lookup.areas()
    answers = [(primed.community_at(lat, lng), primed.in_city(lat, lng)) for lat, lng in points]
    selectors.invalidate_index()
    read_back = lookup.areas()
    assert read_back is not primed
    assert answers == [(read_back.community_at(a, b), read_back.in_city(a, b)) for a, b in points]
    assert [a[0].community_id if a[0] else None for a in answers] == [
        city.community_a.id,
        city.community_a.id,
        city.community_b.id,
        city.community_c.id,
        None,
    ]
