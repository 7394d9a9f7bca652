"""The JSON API at /api/v1/training/: the worker's path, the organiser's door device, and
bad input answered with 4xx and a field message (never a 500)."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.accounts.services import api_token_issue
from yizhan.training import services, tokens
from yizhan.training.models import Activity, Attendance, Enrolment

pytestmark = pytest.mark.django_db
API = "/api/v1/training"


@pytest.fixture
def bearer(client):
    def make(user):
        token = api_token_issue(user=user).token
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make


def post(client, path, body, auth):
    return client.post(f"{API}{path}", body, content_type="application/json", **auth)


def test_a_worker_lists_signs_up_and_checks_in(training, city, client, bearer):
    course = training.now_course()
    alice = bearer(city.alice)
    listed = client.get(f"{API}/activities?lat=36.02&lng=103.82", **alice).json()
    assert listed[0]["id"] == course.pk and listed[0]["places_left"] == 10
    assert listed[0]["distance_m"] == 0
    answer = post(client, f"/activities/{course.pk}/signup", {}, alice)
    assert answer.status_code == 201 and answer.json()["status"] == "confirmed"
    twice = post(client, f"/activities/{course.pk}/signup", {}, alice)
    assert twice.status_code == 409 and twice.json()["code"] == "conflict"
    token = tokens.door_token(course.sessions.get().pk)
    first = post(client, "/check-in", {"token": token}, alice)
    again = post(client, "/check-in", {"token": token}, alice)
    assert first.status_code == 200 and first.json()["created"] and first.json()["completed"]
    assert again.json()["created"] is False
    detail = client.get(f"{API}/activities/{course.pk}", **alice).json()
    assert detail["my_status"] == "confirmed" and detail["completed_at"]
    assert client.get(detail["calendar_url"], **alice)["Content-Type"].startswith("text/calendar")


def test_an_expired_door_code_is_a_422_with_the_field(training, city, client, bearer, clock):
    course = training.now_course()
    services.signup(worker=city.alice, activity_id=course.pk)
    token = tokens.door_token(course.sessions.get().pk)
    clock.move_to(timezone.now() + dt.timedelta(minutes=2))
    answer = post(client, "/check-in", {"token": token}, bearer(city.alice))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "token"
    assert not Attendance.objects.exists()


def test_a_door_device_scans_personal_codes_idempotently(training, city, client, bearer):
    course = training.now_course()
    services.signup(worker=city.alice, activity_id=course.pk)
    session = course.sessions.get()
    kim = bearer(city.kim)
    door = client.get(f"{API}/sessions/{session.pk}/door-code", **kim).json()
    assert tokens.read_door_token(door["token"]) == session.pk and 0 < door["seconds_left"] <= 30
    code = client.get(f"{API}/me/pass", **bearer(city.alice)).json()["code"]
    results = [
        post(client, f"/sessions/{session.pk}/scan", {"code": code}, kim).json() for _ in range(3)
    ]
    assert [r["created"] for r in results] == [True, False, False]
    assert results[0]["person"] == "王**"
    assert Attendance.objects.count() == 1
    outsider = post(client, f"/sessions/{session.pk}/scan", {"code": code}, bearer(city.grace))
    assert outsider.status_code == 403


def test_an_organiser_creates_with_an_idempotency_key(training, city, client, bearer):
    start = timezone.localtime() + dt.timedelta(days=5)
    body = {
        "kind": "course",
        "topic": "ebike_safety",
        "title": "电动车安全",
        "station_id": city.station.pk,
        "starts_at": start.replace(hour=14, minute=0).isoformat(),
        "ends_at": start.replace(hour=16, minute=0).isoformat(),
        "capacity": 40,
        "certificate": True,
    }
    kim = bearer(city.kim)
    first = client.post(
        f"{API}/activities",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="abc-1",
        **kim,
    )
    again = client.post(
        f"{API}/activities",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="abc-1",
        **kim,
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": 2**40}, "capacity"),
        ({"title": "急救\x00"}, "title"),
        ({"title": "长" * 300}, "title"),
        ({"station_id": 2**70}, "station_id"),
        ({"ends_at": "2026-11-20T10:00:00+08:00"}, "ends_at"),
        ({"starts_at": "not a time"}, "starts_at"),
        ({"kind": "rave"}, "kind"),
    ],
)
def test_bad_input_is_a_422_with_a_field_message(training, city, client, bearer, change, field):
    start = timezone.localtime() + dt.timedelta(days=5)
    body = {
        "kind": "course",
        "topic": "first_aid",
        "title": "急救",
        "station_id": city.station.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 10,
        **change,
    }
    answer = post(client, "/activities", body, bearer(city.kim))
    assert answer.status_code == 422, answer.content
    assert field in [d["field"] for d in answer.json()["detail"]]
    assert not Activity.objects.exists()


def test_a_naive_time_is_read_as_lanzhou_time(training, city, client, bearer):
    start = (timezone.localtime() + dt.timedelta(days=5)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    body = {
        "kind": "party",
        "title": "生日会",
        "station_id": city.station.pk,
        "starts_at": start.replace(tzinfo=None).isoformat(),
        "ends_at": (start + dt.timedelta(hours=1)).replace(tzinfo=None).isoformat(),
        "capacity": 10,
    }
    assert post(client, "/activities", body, bearer(city.kim)).status_code == 201
    assert Activity.objects.get().starts_at == start


def test_offers_cancel_quiz_wishes_and_the_public_check(training, city, client, bearer):
    course = training.now_course(capacity=1, certificate=True)
    bob = training.worker()
    alice, bobs = bearer(city.alice), bearer(bob)
    post(client, f"/activities/{course.pk}/signup", {}, alice)
    waiting = post(client, f"/activities/{course.pk}/signup", {}, bobs).json()
    assert waiting["status"] == "waitlisted" and waiting["position"] == 1
    post(client, f"/activities/{course.pk}/cancel", {}, alice)
    assert client.get(f"{API}/me/enrolments", **bobs).json()[0]["status"] == "offered"
    assert (
        post(client, f"/activities/{course.pk}/offer/accept", {}, bobs).json()["status"]
        == "confirmed"
    )
    services.check_in_by_code(
        organiser=city.kim, session_id=course.sessions.get().pk, code=tokens.personal_code(bob.pk)
    )
    code = Enrolment.objects.get(worker=bob).display_certificate_code
    public = client.get(f"{API}/certificates/{code}")
    assert public.status_code == 200 and public.json()["holder"].endswith("*")
    assert client.get(f"{API}/certificates/NOPE").status_code == 404
    wish = post(client, "/wishes", {"topic": "digital", "note": "学做短视频"}, alice)
    assert wish.status_code == 201 and wish.json()["district_id"] == city.district.pk
    assert post(client, "/wishes", {"topic": "nonsense"}, alice).status_code == 422


def test_organiser_reads_demand_and_station_visits(training, city, client, bearer):
    kim = bearer(city.kim)
    assert client.get(f"{API}/demand", **kim).status_code == 200
    heat = client.get(f"{API}/stations/{city.station.pk}/visits", **kim).json()
    assert len(heat["grid"]) == 7 and len(heat["grid"][0]) == 24
    assert client.get(f"{API}/demand", **bearer(city.alice)).status_code == 403
