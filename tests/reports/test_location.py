"""Where a report is: a point in any datum, a community from the list, a place's name, the
photo's GPS; the address in words; refused outside the city (nothing stored); and shown in
words, on a map and with the way there on every page that names a report."""

import pytest

from tests.conftest import PASSWORD
from tests.reports.conftest import FAR_AWAY, IN_A, make_jpeg
from yizhan.core.errors import Invalid
from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from yizhan.places import services as places
from yizhan.reports import services
from yizhan.reports.models import LocationSource, Report


def submit(city, category, **where):
    return services.report_submit(
        reporter=city.alice, category=category, photos=[make_jpeg(seed=71)], **where
    )


@pytest.fixture
def bridge(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        places.landmarks_import_csv(
            text="code,name,lat,lng\nL1,中山桥,36.0300,103.8300\nL2,中山路口,36.0800,103.8700\n"
        )


def test_a_point_in_gcj02_or_bd09_is_stored_in_wgs84(city, wire):
    glng, glat = wgs84_to_gcj02(IN_A[1], IN_A[0])
    blng, blat = wgs84_to_bd09(IN_A[1], IN_A[0])
    for lat, lng, crs in ((glat, glng, "gcj02"), (blat, blng, "bd09")):
        report = submit(city, wire, lat=lat, lng=lng, crs=crs).report
        assert report.lat == pytest.approx(IN_A[0], abs=1e-6)
        assert report.lng == pytest.approx(IN_A[1], abs=1e-6)
        assert report.location_source == LocationSource.POINT
        Report.objects.all().delete()


@pytest.mark.parametrize(
    ("lat", "lng", "crs"),
    [
        (FAR_AWAY[0], FAR_AWAY[1], "wgs84"),
        (0.0, 0.0, "wgs84"),
        (float("nan"), 103.82, "wgs84"),
        (36.02, float("inf"), "wgs84"),
        (91.0, 103.82, "wgs84"),
        (36.02, 103.82, "utm"),
    ],
)
def test_a_point_that_is_not_in_the_city_is_refused_and_nothing_stored(city, wire, lat, lng, crs):
    with pytest.raises(Invalid) as exc:
        submit(city, wire, lat=lat, lng=lng, crs=crs)
    assert set(exc.value.fields) & {"location", "crs"}
    assert not Report.objects.exists()


def test_a_community_from_the_list_places_the_report_at_its_centre(city, wire):
    report = submit(
        city, wire, lat=None, lng=None, community_code="620102001002", address="3号楼"
    ).report
    assert report.community == city.community_b
    assert report.location_source == LocationSource.COMMUNITY and report.location_is_approximate
    assert report.address == "3号楼"
    assert (report.lat, report.lng) == (
        pytest.approx(city.community_b.centroid_lat),
        pytest.approx(city.community_b.centroid_lng),
    )


def test_a_places_name_places_the_report_there(city, wire, bridge):
    report = submit(city, wire, lat=None, lng=None, place="中山桥").report
    assert (round(report.lat, 4), round(report.lng, 4)) == (36.03, 103.83)
    assert report.location_source == LocationSource.PLACE and report.community == city.community_a


def test_an_unknown_or_ambiguous_place_says_so_beside_its_field(city, wire, bridge):
    with pytest.raises(Invalid) as exc:
        submit(city, wire, lat=None, lng=None, place="中山")
    assert "中山桥" in exc.value.fields["place"][0] and "中山路口" in exc.value.fields["place"][0]
    with pytest.raises(Invalid) as exc:
        submit(city, wire, lat=None, lng=None, place="火星")
    assert "火星" in exc.value.fields["place"][0]
    with pytest.raises(Invalid) as exc:
        submit(city, wire, lat=None, lng=None, community_code="nope")
    assert "community" in exc.value.fields
    assert not Report.objects.exists()


def test_the_photos_gps_wins_over_the_list_when_the_reporter_agrees(city, wire):
    report = services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=None,
        lng=None,
        photos=[make_jpeg(seed=72, gps=IN_A)],
        use_photo_location=True,
        community_code="620102001002",
    ).report
    assert report.community == city.community_a
    assert report.location_source == LocationSource.PHOTO


def test_an_over_long_address_is_refused_beside_its_field(city, wire):
    with pytest.raises(Invalid) as exc:
        submit(city, wire, lat=IN_A[0], lng=IN_A[1], address="门" * 201)
    assert "address" in exc.value.fields


def test_a_rider_without_javascript_reports_with_a_community_from_the_list(city, wire, login):
    client = login(city.alice)
    form = client.get("/reports/new/").content.decode()
    assert 'optgroup label="城关区"' in form and "西街道 · 乙社区" in form
    response = client.post(
        "/reports/new/",
        {
            "category": "exposed-wire",
            "community": "620102001002",
            "address": "乙社区北门",
            "idempotency_key": "nojs-1",
            "photos": make_jpeg(seed=73),
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and report.community == city.community_b
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "城关区 › 西街道 › 乙社区" in page and "乙社区北门" in page
    assert "只知道大致范围" in page


def test_the_api_takes_coord_type_and_refuses_a_point_outside_the_city(city, client):
    auth = {
        "HTTP_AUTHORIZATION": "Bearer "
        + client.post(
            "/api/v1/auth/token",
            {"mobile": "13800000001", "password": PASSWORD},
            content_type="application/json",
        ).json()["token"]
    }
    glng, glat = wgs84_to_gcj02(IN_A[1], IN_A[0])
    sent = {"category": "exposed-wire", "lat": glat, "lng": glng, "coord_type": "gcj02"}
    ok = client.post(
        "/api/v1/reports", {**sent, "idempotency_key": "ct-1", "photos": make_jpeg(seed=74)}, **auth
    )
    assert ok.status_code == 201
    body = ok.json()
    assert body["lat"] == pytest.approx(IN_A[0], abs=1e-6) and body["community"] == "甲社区"
    assert body["place"].startswith("城关区 › 西街道 › 甲社区")
    for bad in (
        {"lat": FAR_AWAY[0], "lng": FAR_AWAY[1]},
        {"lat": "nan", "lng": 103.82},
        {"coord_type": "wgs99"},
    ):
        response = client.post(
            "/api/v1/reports",
            {**sent, **bad, "idempotency_key": f"bad-{len(bad)}-{bad.get('lat')}"},
            **auth,
        )
        assert response.status_code == 422
        assert {d["field"] for d in response.json()["detail"]} & {"location", "coord_type"}
    assert Report.objects.count() == 1


@pytest.fixture
def report(city, wire):
    return services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=36.0210,
        lng=103.8210,
        photos=[make_jpeg(seed=75)],
        address="甲路 12 号",
    ).report


def test_the_officer_sees_where_and_the_way_there(city, report, login):
    page = login(city.grace).get(f"/reports/{report.pk}/").content.decode()
    assert "城关区 › 西街道 › 甲社区" in page and "甲工会驿站附近（140 米）" in page
    assert "甲路 12 号" in page
    assert 'data-pin="report-pin"' in page and 'id="report-pin-data"' in page
    assert "https://uri.amap.com/navigation?" in page and "api.map.baidu.com" in page
    assert "apis.map.qq.com" in page


def test_the_reporter_and_the_public_see_where_but_get_no_navigation_buttons(
    city, report, login, client
):
    for viewer in (login(city.alice), client):
        page = viewer.get(f"/reports/{report.pk}/").content.decode()
        assert "城关区 › 西街道 › 甲社区" in page and 'data-pin="report-pin"' in page
        assert "uri.amap.com" not in page


def test_the_queue_and_the_public_map_say_where_in_words(city, report, login, client):
    queue = login(city.grace).get("/staff/reports/").content.decode()
    assert "城关区 › 西街道 › 甲社区 · 甲工会驿站附近" in queue
    assert 'id="queue-markers-data"' in queue and f'"/reports/{report.pk}/"' in queue
    public = client.get("/reports/public/").content.decode()
    assert "城关区 › 西街道 › 甲社区" in public
