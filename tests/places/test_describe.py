"""A point in words (district › subdistrict › community, near a station or landmark), whether
it is in the city at all, the place search by name and pinyin initials, and the landmark list."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.core.errors import Invalid
from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from yizhan.places import selectors, services
from yizhan.places.models import Landmark
from yizhan.stations import selectors as station_selectors

LANDMARKS = """code,name,kind,lat,lng,address
L1,中山桥,桥梁,36.0300,103.8300,滨河路
L2,兰州西站,火车站,36.0800,103.8700,西津西路
L3,兰州大学,大学,36.0850,103.8750,天水南路
"""


@pytest.fixture
def landmarks(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.landmarks_import_csv(text=LANDMARKS)
    station_selectors.invalidate_index()
    return Landmark.objects.all()


def test_a_point_is_described_by_its_areas_and_the_nearest_station(city, landmarks):
    place = selectors.describe_point(lat=36.0210, lng=103.8210)
    assert place.path == "城关区 › 西街道 › 甲社区"
    assert place.near.kind == "station" and place.near.name == "甲工会驿站"
    assert 100 < place.near.distance_m < 200
    assert str(place) == "城关区 › 西街道 › 甲社区 · 甲工会驿站附近（140 米）"


def test_the_nearest_named_place_may_be_a_landmark(city, landmarks):
    place = selectors.describe_point(lat=36.0801, lng=103.8701, address="北门")
    assert place.community == "丙社区"
    assert place.near.name == "兰州西站" and place.near.distance_m < 20
    assert place.address == "北门" and str(place).endswith("北门")


def test_nothing_named_within_two_kilometres_is_not_called_near(city):
    place = selectors.describe_point(lat=36.099, lng=103.899)
    assert place.near is None and place.path == "城关区 › 东街道 › 丙社区"


def test_the_city_is_its_districts_with_a_margin_for_gps_drift(city):
    assert selectors.in_city(lat=36.05, lng=103.85)
    assert selectors.in_city(lat=36.105, lng=103.85)  # 550 m outside the district
    assert not selectors.in_city(lat=36.2, lng=103.85)  # 11 km outside
    assert "不在本市" in selectors.check_point(lat=36.5, lng=103.82)
    assert selectors.check_point(lat=float("nan"), lng=103.8) is not None
    assert selectors.check_point(lat=36.05, lng=103.85) is None


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("lz", "兰州西站"),
        ("zsq", "中山桥"),
        ("中山", "中山桥"),
        ("jia", "甲社区"),
        ("甲", "甲社区"),
    ],
)
def test_places_are_found_by_name_or_pinyin(city, landmarks, query, first):
    hits = selectors.search_places(q=query)
    assert hits and hits[0].name == first


def test_search_finds_stations_and_says_what_each_hit_is(city, landmarks):
    kinds = {h.kind for h in selectors.search_places(q="j")}
    assert {"community", "station"} <= kinds
    assert selectors.search_places(q="") == []
    assert selectors.search_places(q="没有这个地方") == []


def test_landmarks_from_amap_are_converted_to_wgs84(city):
    glng, glat = wgs84_to_gcj02(103.83, 36.03)
    blng, blat = wgs84_to_bd09(103.84, 36.04)
    text = f"code,name,lat,lng,crs\nA,高德点,{glat},{glng},gcj02\nB,百度点,{blat},{blng},bd09\n"
    done = services.landmarks_import_csv(text=text)
    assert done.created == 2
    a, b = Landmark.objects.get(code="A"), Landmark.objects.get(code="B")
    assert (round(a.lat, 6), round(a.lng, 6)) == (36.03, 103.83)
    assert (round(b.lat, 6), round(b.lng, 6)) == (36.04, 103.84)
    assert a.initials == "gdd"


def test_a_landmark_import_is_all_or_nothing_and_names_each_bad_line(city):
    text = "code,name,lat,lng\nA,好的,36.03,103.83\nA,重复,36.03,103.83\nC,远处,30,100\nD,,36,103\nE,坏的,nan,103\n"
    with pytest.raises(Invalid) as exc:
        services.landmarks_import_csv(text=text)
    lines = exc.value.fields["file"]
    assert [m.split(":")[0].split("：")[0] for m in lines] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
    ]
    assert not Landmark.objects.exists()
    with pytest.raises(Invalid):
        services.landmarks_import_csv(text="name,lat\nx,1\n")


def test_an_import_updates_by_code_and_may_retire_the_rest(city, landmarks):
    done = services.landmarks_import_csv(
        text="code,name,lat,lng\nL1,中山桥,36.0301,103.8301\n", replace=True
    )
    assert (done.created, done.updated, done.deactivated) == (0, 1, 2)
    assert list(Landmark.objects.filter(active=True).values_list("code", flat=True)) == ["L1"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lat=st.floats(allow_nan=True, allow_infinity=True),
    lng=st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_number_is_either_a_place_of_the_city_or_a_sentence_why_not(city, lat, lng):
    problem = selectors.check_point(lat=lat, lng=lng)
    inside = -90 <= lat <= 90 and -180 <= lng <= 180 and selectors.in_city(lat=lat, lng=lng)
    assert (problem is None) == inside


def test_describe_api_takes_the_datum_and_answers_in_words(city, landmarks, client):
    glng, glat = wgs84_to_gcj02(103.8210, 36.0210)
    as_gcj = client.get(
        "/api/v1/places/describe", {"lat": glat, "lng": glng, "coord_type": "gcj02"}
    ).json()
    as_wgs = client.get("/api/v1/places/describe", {"lat": 36.0210, "lng": 103.8210}).json()
    assert as_gcj == as_wgs
    assert as_wgs["community"] == "甲社区" and as_wgs["near"]["name"] == "甲工会驿站"
    # The same numbers sent as WGS-84 land about 220 m away: a different spot.
    shifted = client.get("/api/v1/places/describe", {"lat": glat, "lng": glng}).json()
    assert shifted["near"]["distance_m"] != as_wgs["near"]["distance_m"]


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "nan", "lng": 103.8},
        {"lat": 36.0, "lng": "inf"},
        {"lat": 91, "lng": 103.8},
        {"lat": 36.05, "lng": 103.85, "coord_type": "utm"},
        {"lat": 0, "lng": 0},
    ],
)
def test_describe_api_refuses_bad_points_with_a_field_message(city, client, query):
    response = client.get("/api/v1/places/describe", query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] in ("lat", "lng", "coord_type")


def test_search_api_and_page(city, landmarks, client):
    hits = client.get("/api/v1/places/search", {"q": "lz"}).json()
    assert hits[0]["name"] == "兰州西站" and hits[0]["kind"] == "landmark"
    assert client.get("/api/v1/places/search", {"q": ""}).status_code == 422
    page = client.get("/places/search/", {"q": "zsq"}).content.decode()
    assert "中山桥" in page and "/stations/?lat=36.030000" in page
