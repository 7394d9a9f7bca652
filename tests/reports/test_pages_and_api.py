"""Pages and API: who may see and do what, and bad input answered with 4xx."""

import pytest

from tests.conftest import PASSWORD
from tests.reports.conftest import IN_A, IN_B, make_jpeg
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


def fields(response) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


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
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/?sent=1"
    page = client.get(response["Location"]).content.decode()
    assert "甲社区" in page and "电线裸露" in page


def test_page_keeps_what_was_typed_and_shows_errors_beside_their_field(city, login):
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
    assert 'id="id_photos-error">该类别需要拍照。' in body
    beside_the_map = body.split('id="location-text"')[1].split("</fieldset>")[0]
    assert "需要问题地点" in beside_the_map
    assert not Report.objects.exists()


def test_the_form_offers_the_points_the_rules_pay(city, login, wire_reward):
    body = login(city.alice).get("/reports/new/").content.decode()
    assert "电线裸露 · 12 积分" in body
    assert "大件垃圾 ·" not in body  # no rule pays it: no promise


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
    data["photos"] = make_jpeg()
    again = client.post("/api/v1/reports", data, **auth)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    data["photos"] = make_jpeg(seed=2)  # the same key for another report: refused, as redeeming
    reused = client.post("/api/v1/reports", data, **auth)
    assert reused.status_code == 409 and reused.json()["code"] == "conflict"
    data["photos"], data["description"] = make_jpeg(), "长" * 10_000
    too_long = client.post("/api/v1/reports", {**data, "idempotency_key": "app-9"}, **auth)
    assert too_long.status_code == 422 and fields(too_long) == {"description"}
    bad = client.post(
        "/api/v1/reports",
        {"category": "nope", "lat": IN_A[0], "lng": IN_A[1], "idempotency_key": "x"},
        **auth,
    )
    assert bad.status_code == 422 and fields(bad) == {"category"}
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
    assert not_image.status_code == 422 and fields(not_image) == {"photos"}
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": "nan"}, "location"),
        ({"lat": "1e999"}, "location"),
        ({"description": "x" * 501}, "description"),
        ({"description": "电线\x00"}, "description"),
        ({"idempotency_key": "k" * 65}, "idempotency_key"),
        ({"category": "exposed-wire\x00"}, "category"),
        ({"crs": "utm"}, "crs"),
    ],
)
def test_api_refuses_what_the_database_cannot_hold_with_a_field_message(
    city, client, change, field
):
    data = {
        "category": "exposed-wire",
        "lat": IN_A[0],
        "lng": IN_A[1],
        "idempotency_key": "app-3",
        "photos": make_jpeg(),
        **change,
    }
    response = client.post("/api/v1/reports", data, **token(client))
    assert response.status_code == 422 and field in fields(response)
    assert not Report.objects.exists()


def test_api_nearby_names_bad_fields(client, db):
    response = client.get(
        "/api/v1/reports/nearby", {"category": "exposed-wire", "lat": 99, "lng": 103}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "lat"
    unknown = client.get("/api/v1/reports/nearby", {"category": "nope", "lat": 36, "lng": 103})
    assert unknown.status_code == 422 and fields(unknown) == {"category"}


def test_api_categories_show_the_points_rules_reward(city, client, wire_reward):
    from yizhan.points import services as points

    points.rule_create(by=city.adam, code="any", name="随手拍", source="report_verified", points=4)
    rewards = {c["code"]: c["points"] for c in client.get("/api/v1/reports/categories").json()}
    assert rewards["exposed-wire"] == 12 and rewards["bulky-rubbish"] == 4


def test_api_detail_full_for_reporter_and_officer_public_form_for_others(city, client, report):
    services.report_transfer(
        user=city.grace, report_id=report.pk, note="内部：请乙社区看看", community_code=""
    )
    mine = client.get(f"/api/v1/reports/{report.pk}", **token(client)).json()
    assert mine["token"] == str(report.token)
    assert "内部：请乙社区看看" in mine["history"][-1]["note"]
    officer = client.get(f"/api/v1/reports/{report.pk}", **token(client, "13900000002"))
    assert officer.status_code == 200 and officer.json()["token"] == str(report.token)
    other = client.get(f"/api/v1/reports/{report.pk}", **token(client, "13900000013"))
    assert other.status_code == 200
    assert other.json()["token"] is None
    assert all(step["note"] == "" for step in other.json()["history"])
    assert client.get("/api/v1/reports/999999", **token(client)).status_code == 404
    assert client.get("/api/v1/reports/99999999999999999999", **token(client)).status_code == 422


def test_following_a_report_grants_nothing_once_it_is_rejected(city, client, report, bob, login):
    login(bob).post(f"/reports/{report.pk}/follow/")
    client.logout()
    bob_auth = token(client, "13800000002")
    assert [r["id"] for r in client.get("/api/v1/reports/mine", **bob_auth).json()] == [report.pk]
    services.report_reject(
        user=city.grace, report_id=report.pk, reason="invalid", note="照片与描述不符"
    )
    assert client.get(f"/api/v1/reports/{report.pk}", **bob_auth).status_code == 404
    assert client.get("/api/v1/reports/mine", **bob_auth).json() == []
    own = client.get(f"/api/v1/reports/{report.pk}", **token(client))
    assert own.status_code == 200 and own.json()["history"][-1]["note"] == "照片与描述不符"


def test_openapi_lists_each_operations_errors_and_distinct_schema_names(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    submit = spec["paths"]["/api/v1/reports"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422", "429"} <= set(submit)
    detail = spec["paths"]["/api/v1/reports/{report_id}"]["get"]["responses"]
    assert {"200", "401", "404", "422"} <= set(detail)
    schemas = spec["components"]["schemas"]
    assert "ReportCategoryOut" in schemas and "ReportHistoryOut" in schemas
    assert "Message" not in schemas or "reports" not in str(schemas["Message"])


def test_grid_officer_queue_shows_only_their_community(city, login, report, wire):
    other = services.report_submit(
        reporter=city.alice, category=wire, lat=36.07, lng=103.82, photos=[make_jpeg(seed=32)]
    ).report
    body = login(city.grace).get("/staff/reports/").content.decode()
    assert f"#{report.pk} " in body and f"#{other.pk} " not in body
    # Gary reads the public form of Grace's report, without its buttons.
    page = login(city.gary).get(f"/reports/{report.pk}/").content.decode()
    assert "电线裸露" in page and f"/reports/{report.pk}/accept/" not in page


def test_officer_bulk_accepts_from_the_console_and_hears_what_was_left(city, login, report, wire):
    theirs = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_B[0], lng=IN_B[1], photos=[make_jpeg(seed=33)]
    ).report
    client = login(city.grace)
    response = client.post(
        "/staff/reports/", {"action": "accept", "ids": [report.pk, theirs.pk]}, follow=True
    )
    body = response.content.decode()
    assert Report.objects.get(pk=report.pk).state == "accepted"
    assert Report.objects.get(pk=theirs.pk).state == "submitted"
    assert f"已受理：#{report.pk}。" in body
    assert f"#{theirs.pk} 未作改动：这条报告不在您的工单队列中。" in body


def test_console_merge_into_another_communitys_report_is_refused(city, login, report, wire):
    theirs = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_B[0], lng=IN_B[1], photos=[make_jpeg(seed=34)]
    ).report
    response = login(city.grace).post(
        "/staff/reports/",
        {"action": "merge", "ids": [report.pk], "original": str(theirs.pk)},
        follow=True,
    )
    assert "未作任何改动" in response.content.decode()
    assert Report.objects.get(pk=report.pk).state == "submitted"


def test_a_refused_step_on_the_report_page_shows_beside_its_field(city, login, report):
    client = login(city.grace)
    response = client.post(
        f"/reports/{report.pk}/reject/", {"reason": "duplicate", "duplicate_of": 999999}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="reject_duplicate_of-error">没有编号为 #999999 的报告。' in body
    assert 'value="999999"' in body  # what was typed is kept
    response = client.post(f"/reports/{report.pk}/start/", follow=True)
    assert "报告当前为“已提交”，不能进行此操作。" in response.content.decode()


def test_worker_cannot_open_the_console_or_act(city, login, report):
    client = login(city.alice)
    assert client.get("/staff/reports/").status_code == 403
    assert client.post(f"/reports/{report.pk}/accept/").status_code == 403


def test_public_list_and_page_have_no_personal_data_and_no_rejected_reports(city, client, report):
    body = client.get("/reports/public/").content.decode()
    assert "电线裸露" in body
    assert "王小川" not in body and "13800000001" not in body and "138****0001" not in body
    assert client.get(f"/reports/{report.pk}/").status_code == 200
    services.report_reject(user=city.grace, report_id=report.pk, reason="invalid", note="不符")
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert 'class="public-report"' not in client.get("/reports/public/").content.decode()


def test_overdue_flag_in_the_console(city, login, report):
    from datetime import timedelta

    from django.utils import timezone

    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(hours=1))
    body = login(city.grace).get("/staff/reports/?overdue=1").content.decode()
    assert f"#{report.pk} " in body and "超期" in body


def test_filters_with_junk_are_ignored_not_a_server_error(city, login, client, report):
    # A NUL is refused at the edge (400, in the site's layout); other junk is ignored.
    assert login(city.grace).get("/staff/reports/?state=\x00&category=\x00").status_code == 400
    assert client.get("/reports/public/?category=%00").status_code == 400
    assert client.get("/reports/public/?category=nosuch&page=abc").status_code == 200
    assert client.get("/reports/nearby/?category=x&lat=nan&lng=1").status_code == 200
