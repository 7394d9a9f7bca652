"""The API: volunteers step their trips, coordinators book (retry-safe) and plan, the SMS
gateway confirms with the beneficiary's reply; refusals are 4xx with a field message."""

import json

from django.utils import timezone

from tests.volunteering.conftest import HOSPITAL, tomorrow_at
from yizhan.volunteering.models import Request


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def ride_body(grandma, **extra):
    return {
        "beneficiary_id": grandma.pk,
        "dropoff_label": "医院",
        "dropoff_lat": HOSPITAL[1],
        "dropoff_lng": HOSPITAL[2],
        "earliest": tomorrow_at(8).isoformat(),
        "latest": tomorrow_at(9).isoformat(),
        **extra,
    }


def test_booking_is_retry_safe_and_refuses_bad_windows(login, vera, grandma):
    client = login(vera)
    first = post(
        client, "/api/v1/volunteering/requests", ride_body(grandma), HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = post(
        client, "/api/v1/volunteering/requests", ride_body(grandma), HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Request.objects.count() == 1
    bad = post(
        client,
        "/api/v1/volunteering/requests",
        ride_body(grandma, latest=tomorrow_at(7).isoformat()),
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "latest"
    nan = client.post(
        "/api/v1/volunteering/requests",
        json.dumps(ride_body(grandma))[:-1] + ', "dropoff_lat": NaN}',
        content_type="application/json",
    )
    assert nan.status_code == 422
    assert Request.objects.count() == 1


def test_plan_publish_and_the_volunteer_steps_through_the_api(
    login, vera, driver, ride, client, settings
):
    coordinator = login(vera)
    plan = post(
        coordinator,
        "/api/v1/volunteering/plans",
        {"day": timezone.localdate(ride.earliest).isoformat(), "time_limit_s": 1},
    )
    assert plan.status_code == 201 and plan.json()["figures"]["served"] == 1
    assert "empty_km" in plan.json()["baseline"]
    post(coordinator, f"/api/v1/volunteering/plans/{plan.json()['id']}/publish")
    volunteer = login(driver.user)
    trips = volunteer.get("/api/v1/volunteering/trips").json()
    assert trips[0]["status"] == "offered" and trips[0]["passenger"] == "张**"
    tid = trips[0]["id"]
    assert (
        post(volunteer, f"/api/v1/volunteering/trips/{tid}/accept").json()["status"] == "accepted"
    )
    assert post(volunteer, f"/api/v1/volunteering/trips/{tid}/dropoff").status_code == 409
    assert post(volunteer, f"/api/v1/volunteering/trips/{tid}/fly").status_code == 404


def test_the_sms_gateway_needs_its_key(db, client, settings):
    settings.SMS_INBOUND_KEY = "s3cret"
    body = {"mobile": "13700000001", "text": "123456"}
    assert post(client, "/api/v1/volunteering/sms-reply", body).status_code == 403
    wrong = post(client, "/api/v1/volunteering/sms-reply", body, HTTP_X_SOURCE_KEY="s3cret")
    assert wrong.status_code == 422  # no trip waits for that code


def test_availability_overlap_is_a_422_with_the_field(login, driver):
    client = login(driver.user)
    r = post(
        client,
        "/api/v1/volunteering/availability",
        {"kind": "weekly", "weekday": 1, "starts": "07:00", "ends": "08:00"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "ends"
    ok = post(
        client,
        "/api/v1/volunteering/availability",
        {
            "kind": "once",
            "starts_at": tomorrow_at(21).isoformat(),
            "ends_at": tomorrow_at(22).isoformat(),
        },
    )
    assert ok.status_code == 201


def test_non_volunteers_and_strangers_are_refused(login, city, vera):
    assert login(city.grace).get("/api/v1/volunteering/trips").status_code == 403
    assert login(city.grace).get("/api/v1/volunteering/requests?day=2026-11-25").status_code == 403
    far = login(vera).get("/api/v1/volunteering/requests?day=9999-01-01")
    assert far.status_code == 422
