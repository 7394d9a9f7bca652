"""Pages and API: who may see and do what, and bad input answered with 4xx."""

import pytest

from tests.conftest import PASSWORD
from tests.reports.conftest import IN_A, make_jpeg
from yizhan.reports import services
from yizhan.reports.models import Report


@pytest.fixture
def report(city, wire):
    return services.report_submit(
        reporter=city.alice, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg(seed=31)]
    ).report


def token(client, mobile="13800000001"):
    response = client.post(
        "/api/v1/auth/token",
        {"mobile": mobile, "password": PASSWORD},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def test_worker_submits_through_the_page(city, wire, login):
    client = login(city.alice)
    assert client.get("/reports/new/").status_code == 200
    response = client.post(
        "/reports/new/",
        {
            "category": "exposed-wire",
            "lat": IN_A[0],
            "lng": IN_A[1],
            "crs": "wgs84",
            "description": "电线",
            "idempotency_key": "page-1",
            "photos": make_jpeg(),
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "甲社区" in page and "电线裸露" in page


def test_page_keeps_what_was_typed_on_error(city, login):
    response = login(city.alice).post(
        "/reports/new/",
        {
            "category": "exposed-wire",
            "description": "楼下电线",
            "idempotency_key": "page-2",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "楼下电线" in body
    assert "需要照片" in body or "photo" in body.lower()
    assert not Report.objects.exists()


def test_api_submit_is_idempotent_and_validates(city, client):
    auth = token(client)
    data = {
        "category": "exposed-wire",
        "lat": IN_A[0],
        "lng": IN_A[1],
        "idempotency_key": "app-1",
        "photos": make_jpeg(),
    }
    first = client.post("/api/v1/reports", data, **auth)
    assert first.status_code == 201
    assert first.json()["community"] == "甲社区"
    assert first.json()["history"][0]["action"] == "submitted"
    data["photos"] = make_jpeg(seed=2)
    again = client.post("/api/v1/reports", data, **auth)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = client.post(
        "/api/v1/reports", {"category": "nope", "lat": 1, "lng": 1, "idempotency_key": "x"}, **auth
    )
    assert bad.status_code == 422 and "category" in bad.json()["message"]
    not_image = client.post(
        "/api/v1/reports",
        {
            "category": "exposed-wire",
            "lat": IN_A[0],
            "lng": IN_A[1],
            "idempotency_key": "app-2",
            "photos": make_jpeg(fmt="PNG", name="x.png").__class__("x.jpg", b"GIF89a not really"),
        },
        **auth,
    )
    assert not_image.status_code == 422 and "photos" in not_image.json()["message"]
    assert Report.objects.count() == 1


def test_api_nearby_names_bad_fields(client, db):
    response = client.get(
        "/api/v1/reports/nearby", {"category": "exposed-wire", "lat": 99, "lng": 103}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "lat"
    unknown = client.get("/api/v1/reports/nearby", {"category": "nope", "lat": 36, "lng": 103})
    assert unknown.status_code == 422 and "category" in unknown.json()["message"]


def test_api_detail_is_private_to_reporter_and_officers(city, client, report):
    assert client.get(f"/api/v1/reports/{report.pk}", **token(client)).status_code == 200
    assert (
        client.get(f"/api/v1/reports/{report.pk}", **token(client, "13900000003")).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/reports/{report.pk}", **token(client, "13900000013")).status_code
        == 403
    )
    assert client.get("/api/v1/reports/999999", **token(client)).status_code == 404


def test_grid_officer_queue_shows_only_their_community(city, login, report, wire):
    other = services.report_submit(
        reporter=city.alice, category=wire, lat=36.07, lng=103.82, photos=[make_jpeg(seed=32)]
    ).report
    body = login(city.grace).get("/staff/reports/").content.decode()
    assert f"#{report.pk} " in body and f"#{other.pk} " not in body
    assert login(city.gary).get(f"/reports/{report.pk}/").status_code == 403


def test_officer_bulk_accepts_from_the_console(city, login, report):
    client = login(city.grace)
    client.post("/staff/reports/", {"action": "accept", "ids": [report.pk]})
    assert Report.objects.get(pk=report.pk).state == "accepted"


def test_worker_cannot_open_the_console_or_act(city, login, report):
    client = login(city.alice)
    assert client.get("/staff/reports/").status_code == 403
    assert client.post(f"/reports/{report.pk}/accept/").status_code == 403


def test_public_list_has_no_personal_data(city, client, report):
    body = client.get("/reports/public/").content.decode()
    assert "电线裸露" in body
    assert "王小川" not in body and "13800000001" not in body and "138****0001" not in body


def test_overdue_flag_in_the_console(city, login, report):
    from datetime import timedelta

    from django.utils import timezone

    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(hours=1))
    body = login(city.grace).get("/staff/reports/?overdue=1").content.decode()
    assert f"#{report.pk} " in body and "超期" in body
