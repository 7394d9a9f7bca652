"""The points API: a worker's balance, history, catalogue and idempotent redemptions;
the keeper's hand-over; the administrator's wishes and catalogue — role and scope on
every endpoint, and refusals as clear messages, never a 500."""

import json

import pytest

from tests.points.conftest import give
from yizhan.points.models import Redemption, Wish
from yizhan.stations.models import Station

API = "/api/v1/points"


def post(client, path, data, **headers):
    return client.post(f"{API}{path}", json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def worker(bank, login):
    return login(bank.alice)


def test_balance_entries_and_catalog(bank, helmet, worker):
    give(bank, 45)
    assert worker.get(f"{API}/balance").json() == {"balance": 45, "held": 0}
    entries = worker.get(f"{API}/entries").json()
    assert entries[0]["amount"] == 45 and entries[0]["kind"] == "grant"
    catalog = worker.get(f"{API}/catalog").json()
    assert catalog[0]["name"] == "头盔" and catalog[0]["stations"][0]["code"] == "S1"


def test_redeem_returns_201_with_code_and_a_retry_returns_the_same(bank, helmet, worker):
    give(bank, 100)
    body = {"item_id": helmet.pk, "station_id": bank.station.pk, "idempotency_key": "k-1"}
    first = post(worker, "/redemptions", body)
    assert first.status_code == 201, first.content
    again = post(worker, "/redemptions", body)
    assert again.status_code == 201 and again.json()["code"] == first.json()["code"]
    assert Redemption.objects.count() == 1
    assert first.json()["qr_url"].endswith(f"/points/r/{first.json()['code']}/qr.svg")
    other_key = post(worker, "/redemptions", {**body, "idempotency_key": "k-2"})
    assert other_key.status_code == 201 and other_key.json()["code"] != first.json()["code"]
    assert worker.get(f"{API}/balance").json() == {"balance": 40, "held": 60}


def test_redeem_refusals_are_409_or_422_with_a_message(bank, helmet, worker):
    give(bank, 10)
    body = {"item_id": helmet.pk, "station_id": bank.station.pk, "idempotency_key": "a"}
    poor = post(worker, "/redemptions", body)
    assert poor.status_code == 409 and "积分不足" in poor.json()["message"]
    other = Station.objects.create(code="S9", name="别处", kind="bank", lat=36.0, lng=103.8)
    give(bank, 100)
    wrong = post(worker, "/redemptions", {**body, "station_id": other.pk, "idempotency_key": "b"})
    assert wrong.status_code == 422 and wrong.json()["message"]
    no_key = post(worker, "/redemptions", {"item_id": helmet.pk, "station_id": bank.station.pk})
    assert no_key.status_code == 422 and no_key.json()["detail"][0]["field"] == "idempotency_key"
    garbage = post(worker, "/redemptions", {"item_id": "helmet", "station_id": None})
    assert garbage.status_code == 422
    huge = post(worker, "/redemptions", {**body, "item_id": 10**20, "idempotency_key": "h"})
    assert huge.status_code == 422
    assert worker.get(f"{API}/entries?limit=abc").status_code == 422
    reused = post(worker, "/redemptions", {**body, "idempotency_key": "c"})
    assert reused.status_code == 201
    different = post(
        worker, "/redemptions", {**body, "station_id": other.pk, "idempotency_key": "c"}
    )
    assert different.status_code == 409 and different.json()["code"] == "conflict"
    helmet.refresh_from_db()
    assert helmet.stock == 1


def test_out_of_stock_is_409(bank, helmet, worker):
    give(bank, 200)
    for key in "abc":
        response = post(
            worker,
            "/redemptions",
            {"item_id": helmet.pk, "station_id": bank.station.pk, "idempotency_key": key},
        )
    assert response.status_code == 409 and "库存" in response.json()["message"]


def test_keeper_fulfils_only_at_own_station(bank, helmet, login, client):
    give(bank, 100)
    code = post(
        login(bank.alice),
        "/redemptions",
        {"item_id": helmet.pk, "station_id": bank.station.pk, "idempotency_key": "x"},
    ).json()["code"]
    assert post(client, f"/redemptions/{code}/fulfil", {}).status_code == 403  # alice is no keeper
    keeper = login(bank.kim)
    assert keeper.get(f"{API}/balance").status_code == 403  # a keeper has no balance
    done = post(keeper, f"/redemptions/{code}/fulfil", {})
    assert done.status_code == 200 and done.json()["status"] == "fulfilled"
    twice = post(keeper, f"/redemptions/{code}/fulfil", {})
    assert twice.status_code == 409
    assert post(keeper, "/redemptions/NOPE-NOPE/fulfil", {}).status_code == 404


def test_worker_cancels_own_redemption(bank, helmet, worker):
    give(bank, 30)
    code = post(
        worker,
        "/redemptions",
        {"item_id": helmet.pk, "station_id": bank.station.pk, "idempotency_key": "x"},
    ).json()["code"]
    response = post(worker, f"/redemptions/{code}/cancel", {})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert worker.get(f"{API}/balance").json() == {"balance": 30, "held": 0}


def test_wish_flow_through_the_api(bank, login):
    alice = login(bank.alice)
    created = post(alice, "/wishes", {"title": "雨衣", "details": "XL"})
    assert created.status_code == 201
    wish_id = created.json()["id"]
    assert post(alice, f"/admin/wishes/{wish_id}/decline", {"text": "no"}).status_code == 403
    admin = login(bank.adam)
    assert admin.get(f"{API}/admin/wishes?status=submitted").json()[0]["id"] == wish_id
    cheap = post(
        admin,
        f"/admin/wishes/{wish_id}/approve",
        {"price": 1, "stock": 3, "station_ids": [bank.station.pk]},
    )
    assert cheap.status_code == 422
    assert (
        cheap.json()["detail"][0]["field"] == "price"
        and "2" in cheap.json()["detail"][0]["message"]
    )
    assert Wish.objects.get(pk=wish_id).status == "submitted"
    ok = post(
        admin,
        f"/admin/wishes/{wish_id}/approve",
        {"price": 12, "stock": 3, "station_ids": [bank.station.pk]},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "catalogued"
    mine = login(bank.alice).get(f"{API}/wishes").json()
    assert mine[0]["status"] == "catalogued" and mine[0]["item_id"]


def test_admin_catalogue_rules_grants_and_reversal(bank, login):
    admin = login(bank.adam)
    item = post(
        admin,
        "/admin/catalog",
        {"name": "饭票", "price": 5, "stock": 1, "station_ids": [bank.station.pk]},
    )
    assert item.status_code == 201
    item_id = item.json()["id"]
    assert post(admin, f"/admin/catalog/{item_id}/restock", {"add": 4}).json()["stock"] == 5
    assert post(admin, f"/admin/catalog/{item_id}/restock", {"add": -9}).status_code == 409
    patched = admin.patch(
        f"{API}/admin/catalog/{item_id}", json.dumps({"price": 1}), content_type="application/json"
    )
    assert patched.status_code == 422
    rule = post(
        admin,
        "/admin/rules",
        {"code": "training", "name": "培训", "source": "training", "points": 10},
    )
    assert rule.status_code == 201, rule.content
    honours = post(
        admin, "/admin/rules", {"code": "h", "name": "荣誉", "source": "honours", "points": 10}
    )
    assert honours.status_code == 422
    grant = post(admin, "/admin/grants", {"mobile": "13800000001", "points": 8, "reason": "送考"})
    assert grant.status_code == 201
    nobody = post(admin, "/admin/grants", {"mobile": "13811112222", "points": 8, "reason": "x"})
    assert nobody.status_code == 404
    reversed_ = post(admin, f"/admin/postings/{grant.json()['id']}/reverse", {"reason": "错发"})
    assert reversed_.status_code == 201
    assert (
        post(admin, f"/admin/postings/{grant.json()['id']}/reverse", {"reason": "x"}).status_code
        == 409
    )
    assert login(bank.alice).get(f"{API}/admin/rules").status_code == 403


def test_anonymous_gets_401_and_openapi_documents_the_endpoints(client, db):
    assert client.get(f"{API}/balance").status_code == 401
    schema = client.get("/api/v1/openapi.json").json()
    redeem = schema["paths"]["/api/v1/points/redemptions"]["post"]
    assert {"201", "409", "422"} <= set(redeem["responses"])
    assert "/api/v1/points/redemptions/{code}/fulfil" in schema["paths"]


def fields(response) -> list[str]:
    return [d["field"] for d in response.json()["detail"]]


def test_what_the_database_cannot_hold_is_a_422_naming_the_field(bank, login):
    admin = login(bank.adam)
    shelf = {"stock": 1, "station_ids": [bank.station.pk]}
    too_dear = post(admin, "/admin/catalog", {"name": "金条", "price": 2**31, **shelf})
    assert too_dear.status_code == 422 and fields(too_dear) == ["price"]
    full = post(admin, "/admin/catalog", {"name": "饭票", "price": 5, **shelf, "stock": 2**31 - 2})
    assert full.status_code == 201
    item = full.json()["id"]
    over = post(admin, f"/admin/catalog/{item}/restock", {"add": 5})
    assert over.status_code == 422 and fields(over) == ["add"]
    assert post(admin, f"/admin/catalog/{item}/restock", {"add": 2**31}).status_code == 422
    rule = {"code": "r", "name": "规则", "source": "training", "points": 2**31}
    assert fields(post(admin, "/admin/rules", rule)) == ["points"]
    grant = {"mobile": "13800000001", "points": 10**6, "reason": "x"}
    assert fields(post(admin, "/admin/grants", grant)) == ["points"]
    huge = post(admin, "/admin/wishes/99999999999999999999/decline", {"text": "no"})
    assert huge.status_code == 422
    assert admin.get(f"{API}/entries?offset={2**40}").status_code in (403, 422)
    worker = login(bank.alice)
    nul = post(worker, "/wishes", {"title": "雨\x00衣"})
    assert nul.status_code == 422 and fields(nul) == ["title"]
    assert worker.get(f"{API}/entries?offset={2**40}").status_code == 422


def test_openapi_lists_each_operations_error_answers(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    redeem = schema["paths"]["/api/v1/points/redemptions"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(redeem)
    assert redeem["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    ours = [p for path, p in schema["paths"].items() if path.startswith("/api/v1/points/")]
    assert "schemas/Message" not in str(ours)  # one error shape, no per-app schema
