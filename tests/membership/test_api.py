"""The membership API: retry-safe applying and check-in, officers' decisions, the registry;
bad input is a 422 with a field message, never a 500."""

from yizhan.membership.models import Membership, Transfer

API = "/api/v1/membership"


def post(client, path, body, **headers):
    return client.post(f"{API}{path}", body, content_type="application/json", **headers)


def test_applying_twice_with_one_idempotency_key_makes_one_application(world, login):
    client = login(world.bob)
    body = {"organisation_id": world.qlh_union.pk, "consent": True}
    first = post(client, "/applications", body, HTTP_IDEMPOTENCY_KEY="tap-1")
    again = post(client, "/applications", body, HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Membership.objects.filter(organisation=world.qlh_union).count() == 1


def test_check_in_answers_201_then_200_with_the_same_check_in(world, city, login):
    client = login(city.alice)
    body = {"organisation_id": world.qlh_union.pk, "station_code": "S7"}
    first = post(client, "/check-ins", body, HTTP_IDEMPOTENCY_KEY="ci-1")
    again = post(client, "/check-ins", body, HTTP_IDEMPOTENCY_KEY="ci-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Transfer.objects.count() == 1
    assert first.json()["due_at"].startswith("2026-11-27T23:59:59")
    mine = client.get(f"{API}/mine").json()
    assert mine[0]["waiting_check_in"] == first.json()["id"]


def test_the_receiving_officer_acknowledges_over_the_api(world, city, login):
    transfer = post(login(city.alice), "/check-ins", {"organisation_id": world.qlh_union.pk}).json()
    done = post(login(world.quinn), f"/transfers/{transfer['id']}/acknowledge", {})
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    again = post(login(world.quinn), f"/transfers/{transfer['id']}/acknowledge", {})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_wrong_kind_is_a_422_with_the_field(world, city, login):
    response = post(login(city.alice), "/check-ins", {"organisation_id": world.cg_party.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "organisation"


def test_bad_input_is_refused_at_the_edge(world, city, login):
    client = login(world.quinn)
    transfer = post(login(city.alice), "/check-ins", {"organisation_id": world.qlh_union.pk}).json()
    nul = post(client, f"/transfers/{transfer['id']}/decline", {"reason": "a\x00b"})
    assert nul.status_code == 422
    long = post(client, f"/transfers/{transfer['id']}/decline", {"reason": "长" * 301})
    assert long.status_code == 422
    huge = post(client, f"/transfers/{2**70}/acknowledge", {})
    assert huge.status_code in (404, 422)
    nan = post(login(city.alice), "/check-ins", {"organisation_id": "NaN"})
    assert nan.status_code == 422
    assert Transfer.objects.get().state == "pending"


def test_the_registry_api_refuses_more_than_50000_rows(world, city, login):
    ids = ["620102199605041230"] * 50_001
    response = post(
        login(city.dan),
        "/registry/checks",
        {"question": "registered_worker", "id_numbers": ids, "purpose": "p", "legal_basis": "b"},
    )
    assert response.status_code == 422


def test_workers_cannot_ask_the_registry(world, city, login):
    response = post(
        login(city.alice),
        "/registry/checks",
        {"question": "registered_worker", "id_numbers": ["x"], "purpose": "p", "legal_basis": "b"},
    )
    assert response.status_code == 403


def test_organisations_at_a_station_nearest_scope_first(world, city, login):
    rows = login(city.alice).get(f"{API}/stations/S1/organisations").json()
    assert rows[0]["code"] == "bees-1"  # tied to the station itself
    assert {r["code"] for r in rows} >= {"cg-union", "cg-party"}
    assert login(city.alice).get(f"{API}/stations/NOPE/organisations").status_code == 404
