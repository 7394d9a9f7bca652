"""The JSON API: public reads without a login; workers' orders, statements, weeks and the
one-tap case; the platform's filing, confirmation, answers and statements; the city's
review. Money in integer fen, rates in basis points; bad input a 422 with a field, never a 500."""

import datetime as dt
import json

import pytest

from tests.transparency.conftest import at, csv_bytes, ride_rows
from yizhan.accounts.services import api_token_issue
from yizhan.transparency.models import Disclosure, Order


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user).token}"}


def post(client, url, user, body=None, **headers):
    return client.post(
        f"/api/v1/transparency{url}",
        data=json.dumps(body or {}),
        content_type="application/json",
        **bearer(user),
        **headers,
    )


ORDER = {
    "platform": "huanghe",
    "service_type": "ride_express",
    "completed_on": "2026-11-20",
    "fare_fen": 5000,
    "payout_fen": 3400,
    "order_no": "HH1",
}


def test_platforms_are_public(world, client):
    world.ride_caps(effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    listing = client.get("/api/v1/transparency/platforms").json()
    ride = next(p for p in listing if p["code"] == "huanghe")
    assert ride["current"]["version"] == 1 and ride["stale"]  # published in May, never confirmed
    assert {c["service_type"]: c["cap_bp"] for c in ride["current"]["caps"]} == {
        "ride_express": 2500,
        "ride_premium": 2000,
    }
    detail = client.get("/api/v1/transparency/platforms/huanghe").json()
    assert detail["scorecard"]["out_of"] == 10 and len(detail["history"]) == 1
    assert client.get("/api/v1/transparency/platforms/nope").status_code == 404
    assert client.get("/api/v1/transparency/platforms/" + "x" * 40).status_code == 404


def test_a_worker_checks_an_order_and_a_retry_with_the_key_returns_it(world, client):
    world.ride_caps(effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    first = post(client, "/orders", world.driver, ORDER, HTTP_IDEMPOTENCY_KEY="k1")
    again = post(client, "/orders", world.driver, ORDER, HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    assert (body["rate_bp"], body["cap_bp"], body["above_cap"], body["commission_fen"]) == (
        3200,
        2500,
        True,
        1600,
    )
    assert again.json() == body and Order.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fare_fen": -1}, "fare"),
        ({"payout_fen": 6000}, "payout"),
        ({"completed_on": "2027-01-01"}, "completed_on"),
        ({"service_type": "food_delivery"}, "service_type"),
        ({"service_type": "teleport"}, "service_type"),
        ({"fare_fen": 2**70}, "fare_fen"),
        ({"fare_fen": "NaN"}, "fare_fen"),
        ({"order_no": "a\x00b"}, "order_no"),
        ({"order_no": "x" * 65}, "order_no"),
    ],
)
def test_bad_orders_are_422_with_the_field_and_nothing_stored(world, client, change, field):
    response = post(client, "/orders", world.driver, {**ORDER, **change})
    assert response.status_code == 422, response.content
    assert field in {d["field"] for d in response.json()["detail"]}
    assert not Order.objects.exists()


def test_staff_cannot_check_orders(world, client):
    assert post(client, "/orders", world.rita, ORDER).status_code == 403
    assert client.get("/api/v1/transparency/weeks", **bearer(world.rita)).status_code == 403


def test_a_statement_is_uploaded_and_the_week_disputed(world, client):
    world.ride_caps(effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/transparency/statements",
        {"platform": "huanghe", "file": SimpleUploadedFile("s.csv", csv_bytes(ride_rows(12)))},
        **bearer(world.driver),
    )
    assert response.status_code == 201 and response.json()["imported"] == 12
    weeks = client.get("/api/v1/transparency/weeks", **bearer(world.driver)).json()
    assert weeks[0]["rate_bp"] == 3200 and weeks[0]["above_cap"]
    body = {"platform": "huanghe", "service_type": "ride_express", "week_start": "2026-11-16"}
    filed = post(client, "/disputes", world.driver, body)
    again = post(client, "/disputes", world.driver, body)
    assert (filed.status_code, again.status_code) == (201, 200)
    assert filed.json()["department"] == "交通运输局"
    route = post(client, f"/disputes/{filed.json()['id']}/route", world.city.dora)
    assert route.status_code == 200 and route.json()["state"] == "dispatched"
    case_id = filed.json()["case_id"]
    statement = post(client, f"/cases/{case_id}/statement", world.rita, {"text": "已复核"})
    assert statement.status_code == 201 and statement.json()["text"] == "黄河出行: 已复核"
    assert (
        post(client, f"/cases/{case_id}/statement", world.city.pat, {"text": "x"}).status_code
        == 403
    )


def test_a_bad_statement_names_its_rows(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = ride_rows(3)
    rows[0][4] = "99"
    response = client.post(
        "/api/v1/transparency/statements",
        {"platform": "huanghe", "file": SimpleUploadedFile("s.csv", csv_bytes(rows))},
        **bearer(world.driver),
    )
    assert response.status_code == 422
    assert [d["message"] for d in response.json()["detail"]] == ["第 2 行：收入高于订单金额。"]


def test_the_platform_files_and_the_city_publishes(world, client):
    body = {
        "platform": "huanghe",
        "effective_from": "2026-12-01",
        "caps": [{"service_type": "ride_express", "cap_bp": 2400}],
        "max_continuous_minutes": 240,
        "forced_rest_minutes": 20,
    }
    filed = post(client, "/disclosures", world.rita, body, HTTP_IDEMPOTENCY_KEY="d1")
    again = post(client, "/disclosures", world.rita, body, HTTP_IDEMPOTENCY_KEY="d1")
    assert (filed.status_code, again.status_code) == (201, 200)
    assert filed.json()["id"] == again.json()["id"] and filed.json()["state"] == "submitted"
    assert post(client, f"/disclosures/{filed.json()['id']}/publish", world.rita).status_code == 403
    published = post(client, f"/disclosures/{filed.json()['id']}/publish", world.city.adam)
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert (
        post(client, f"/disclosures/{filed.json()['id']}/publish", world.city.adam).status_code
        == 409
    )
    confirm = post(client, "/platforms/huanghe/confirm", world.rita)
    assert confirm.status_code == 409  # in force only from 1 December
    answer = post(
        client, "/platforms/huanghe/answers", world.rita, {"principle": "pay", "text": "说明"}
    )
    assert answer.status_code == 201 and answer.json()["answer"] == "说明"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"caps": [{"service_type": "ride_express", "cap_bp": 10_001}]}, 422),
        ({"caps": [{"service_type": "ride_express", "cap_bp": -5}]}, 422),
        ({"caps": [{"service_type": "nope", "cap_bp": 2000}]}, 422),
        ({"caps": []}, 422),
        ({"effective_from": "2020-01-01"}, 422),
        ({"pricing_rules": "x\x00"}, 422),
        ({"max_weekly_minutes": 99_999}, 422),
        ({"platform": "jincheng"}, 404),
    ],
)
def test_bad_disclosures_are_refused_and_nothing_stored(world, client, change, status):
    body = {
        "platform": "huanghe",
        "effective_from": "2026-12-01",
        "caps": [{"service_type": "ride_express", "cap_bp": 2400}],
        **change,
    }
    assert post(client, "/disclosures", world.rita, body).status_code == status
    assert not Disclosure.objects.exists()


def test_the_index_is_computed_by_the_city_only(world, client):
    assert post(client, "/index", world.city.dora, {"month": "2026-10"}).status_code == 403
    assert post(client, "/index", world.city.adam, {"month": "2026-13"}).status_code == 422
    assert post(client, "/index", world.city.adam, {"month": "2026-10"}).json() == []
