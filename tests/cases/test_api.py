"""The JSON API: categories, filing with an idempotency key, reading, steps, errors."""

import json

import pytest

from tests.cases.conftest import WEBHOOK_KEY
from yizhan.accounts.services import api_token_issue
from yizhan.cases.models import Case


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user).token}"}


def post(client, url, user, body=None, **headers):
    return client.post(
        url, data=json.dumps(body or {}), content_type="application/json", **bearer(user), **headers
    )


def test_categories_are_public(cases, client):
    body = client.get("/api/v1/cases/categories").json()
    wages = next(c for c in body if c["code"] == "wage_arrears")
    assert wages["department"] == "hrss" and wages["working_days"] == 13


def test_worker_files_a_case_and_a_retry_returns_the_same_one(cases, client):
    alice = cases.city.alice
    payload = {"category": "wage_arrears", "description": "欠薪三个月", "idempotency_key": "abc"}
    first = post(client, "/api/v1/cases", alice, payload)
    again = post(client, "/api/v1/cases", alice, payload)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.count() == 1
    data = first.json()
    assert data["state"] == "submitted" and data["accept_due_at"] and data["due_at"] is None
    assert data["history"][0]["action"] == "submit"


def test_idempotency_key_also_works_as_a_header(cases, client):
    alice = cases.city.alice
    body = {"category": "access", "description": "小区不让进"}
    a = post(client, "/api/v1/cases", alice, body, HTTP_IDEMPOTENCY_KEY="h1")
    b = post(client, "/api/v1/cases", alice, body, HTTP_IDEMPOTENCY_KEY="h1")
    assert a.json()["id"] == b.json()["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"category": "nope", "description": "x"},
        {"category": "wage_arrears", "description": ""},
        {"category": "wage_arrears"},
        {"category": "wage_arrears", "description": "x", "platform": "nope"},
        {"category": 5, "description": ["x"]},
    ],
)
def test_bad_input_is_422_never_500(cases, client, body):
    response = post(client, "/api/v1/cases", cases.city.alice, body)
    assert response.status_code == 422
    assert response.json()["message"] and response.json()["code"] == "invalid"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "nope", "description": "x"}, "category"),
        ({"category": "wage_arrears", "description": "x", "platform": "nope"}, "platform"),
        ({"category": "wage_arrears", "description": "欠薪\x00"}, "description"),
        ({"category": "wage_arrears", "description": "欠" * 2001}, "description"),
        ({"category": "wage_arrears", "description": "x", "idempotency_key": "k" * 65}, None),
    ],
    ids=["category", "platform", "nul", "too-long", "key-too-long"],
)
def test_bad_fields_are_named_in_the_one_error_shape(cases, client, body, field):
    response = post(client, "/api/v1/cases", cases.city.alice, body)
    assert response.status_code == 422
    data = response.json()
    assert set(data) == {"message", "code", "detail"} and data["code"] == "invalid"
    assert (field or "idempotency_key") in [d["field"] for d in data["detail"]]
    assert Case.objects.count() == 0


def test_filing_answers_201_at_the_path_without_a_slash_and_never_redirects(cases, client):
    body = {"category": "access", "description": "小区不让进"}
    response = post(client, "/api/v1/cases", cases.city.alice, body)
    assert response.status_code == 201 and response.json()["state"] == "submitted"
    assert post(client, "/api/v1/cases/", cases.city.alice, body).status_code == 404
    assert Case.objects.count() == 1


@pytest.mark.parametrize("path", ["/api/v1/cases/99999999999999999999999", "/api/v1/cases/0"])
def test_ids_beyond_the_database_are_422(cases, client, path):
    response = client.get(path, **bearer(cases.city.dora))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "case_id"


def test_only_workers_file_cases_by_api(cases, client):
    response = post(
        client, "/api/v1/cases", cases.city.dan, {"category": "other", "description": "x"}
    )
    assert response.status_code == 403


def test_full_flow_by_api_with_deadlines_and_history(cases, client):
    city = cases.city
    case_id = post(
        client, "/api/v1/cases", city.alice, {"category": "wage_arrears", "description": "欠薪"}
    ).json()["id"]
    base = f"/api/v1/cases/{case_id}"
    assert post(client, f"{base}/accept", city.dora).status_code == 200
    r = post(client, f"{base}/dispatch", city.dora, {"department": "hrss"})
    assert r.status_code == 200 and r.json()["department"] == "hrss" and r.json()["due_at"]
    assert post(client, f"{base}/sign-for", city.dan).json()["state"] == "signed"
    assert (
        post(client, f"{base}/handle", city.dan, {"note": "约谈站点"}).json()["state"] == "handling"
    )
    assert post(client, f"{base}/reply", city.dan, {"text": "已结清"}).json()["state"] == "replied"
    r = post(client, f"{base}/follow-up", city.alice, {"rating": "satisfied"})
    assert r.json()["state"] == "closed"
    # The worker reads the steps addressed to them; the dispatcher every step.
    actions = [h["action"] for h in r.json()["history"]]
    assert actions == ["submit", "accept", "sign_for", "reply", "follow_up", "close"]
    staff_view = client.get(base, **bearer(city.dora)).json()["history"]
    assert [h["action"] for h in staff_view] == [
        "submit",
        "accept",
        "dispatch",
        "sign_for",
        "handle",
        "reply",
        "follow_up",
        "close",
    ]


def test_illegal_step_is_409_and_wrong_role_403(cases, client):
    case = cases.filed()
    base = f"/api/v1/cases/{case.pk}"
    r = post(client, f"{base}/dispatch", cases.city.dora, {"department": "hrss"})
    assert r.status_code == 409 and "待受理" in r.json()["message"]
    assert r.json()["code"] == "conflict"
    r = post(client, f"{base}/accept", cases.city.alice)
    assert r.status_code == 403 and r.json()["code"] == "not_allowed"
    assert post(client, f"{base}/follow-up", cases.city.alice, {"rating": "meh"}).status_code == 409
    r = client.get("/api/v1/cases/999999", **bearer(cases.city.dora))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = post(client, f"{base}/accept", cases.city.dora, {"note": "x" * 2001})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "note"
    r = post(client, f"{base}/accept", cases.city.dora, {"category": "nope"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "category"


def test_unauthenticated_is_401(cases, client):
    response = client.get("/api/v1/cases/1")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_webhook_creates_once_and_rejects_wrong_keys(cases, client):
    order = {
        "order_no": "GS12345-20261012-0001",
        "called_at": "2026-10-12 09:15:00",
        "caller_name": "李师傅",
        "caller_mobile": "13912345678",
        "kind": "投诉",
        "category": "欠薪",
        "content": "快递站点拖欠工资",
        "urgency": "一般",
    }
    url = "/api/v1/cases/hotline/12345"
    send = lambda key, body=order: client.post(  # noqa: E731
        url, data=json.dumps(body), content_type="application/json", HTTP_X_SOURCE_KEY=key
    )
    assert send("wrong").status_code == 401
    assert send("").status_code == 401 and send("").json()["code"] == "unauthenticated"
    first = send(WEBHOOK_KEY)
    assert first.status_code == 201 and first.json()["created"]
    again = send(WEBHOOK_KEY)
    assert again.status_code == 200 and again.json() == {"id": first.json()["id"], "created": False}
    case = Case.objects.get()
    assert case.channel == "12345" and case.source_order_no == order["order_no"]
    assert case.category == cases.wages and case.caller_name == "李师傅"
    bad = send(WEBHOOK_KEY, {**order, "order_no": "X2", "called_at": "yesterday"})
    assert bad.status_code == 422 and "来电时间" in bad.json()["message"]
    assert bad.json()["detail"][0]["field"] == "called_at"
    nul = send(WEBHOOK_KEY, {**order, "order_no": "X3", "content": "拖欠\x00工资"})
    assert nul.status_code == 422 and nul.json()["detail"][0]["field"] == "content"
    assert client.post(
        "/api/v1/cases/hotline/nope", data="{}", content_type="application/json"
    ).status_code in (401, 422)


def test_openapi_documents_the_steps(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for step in ("accept", "dispatch", "sign-for", "return", "reply", "follow-up", "close"):
        assert f"/api/v1/cases/{{case_id}}/{step}" in paths
    assert "/api/v1/cases/hotline/{source}" in paths


def test_openapi_has_no_trailing_slashes_and_every_operation_declares_its_4xx(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    ours = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/cases")}
    assert "/api/v1/cases" in ours and "post" in ours["/api/v1/cases"]
    assert "201" in ours["/api/v1/cases"]["post"]["responses"]
    for path, operations in ours.items():
        assert not path.endswith("/"), path
        for method, operation in operations.items():
            if path == "/api/v1/cases/categories":
                continue  # public, takes no input
            codes = set(operation["responses"])
            assert {"401", "422"} <= codes, (method, path, codes)
            if method == "post" and "hotline" not in path:
                assert {"403", "404", "409"} <= codes or path == "/api/v1/cases", (path, codes)
            schema = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert schema["$ref"].endswith("/ErrorOut"), (path, schema)
