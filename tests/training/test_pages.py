"""The pages: workers on a phone, organisers in the console, and who may open which."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.training import services, tokens
from yizhan.training.models import Activity, Attendance, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(training, city):
    course = training.now_course(certificate=True, min_attendance_percent=50)
    services.signup(worker=city.alice, activity_id=course.pk)
    return course


def test_a_worker_finds_signs_up_and_cancels_on_the_pages(training, city, login):
    course = training.course(title="电动车安全骑行")
    client = login(city.alice)
    listing = client.get("/training/").content.decode()
    assert "电动车安全骑行" in listing
    assert client.get(f"/training/a/{course.pk}/").status_code == 200
    client.post(f"/training/a/{course.pk}/signup/")
    assert Enrolment.objects.get(worker=city.alice).status == "confirmed"
    mine = client.get("/training/mine/").content.decode()
    assert "电动车安全骑行" in mine and "/training/feed/" in mine
    client.post(f"/training/a/{course.pk}/cancel/")
    assert Enrolment.objects.get(worker=city.alice).status == "cancelled"


def test_signing_up_twice_on_the_page_shows_the_message(training, city, login):
    course = training.course()
    client = login(city.alice)
    client.post(f"/training/a/{course.pk}/signup/")
    again = client.post(
        f"/training/a/{course.pk}/signup/", HTTP_REFERER=f"/training/a/{course.pk}/", follow=True
    )
    assert "已报名" in again.content.decode()
    assert Enrolment.objects.count() == 1


def test_the_worker_pages_render(course, city, login):
    client = login(city.alice)
    for path in (
        "/training/",
        "/training/?kind=course",
        "/training/?lat=36.02&lng=103.82",
        "/training/mine/",
        "/training/pass/",
        "/training/wish/",
        "/training/verify/",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get("/training/pass/").content.decode()
    assert tokens.personal_code(city.alice.pk) in page and "<svg" in page


def test_a_worker_asks_for_a_course(city, login):
    client = login(city.alice)
    client.post("/training/wish/", {"topic": "electrician", "note": "想考电工证"})
    again = client.post("/training/wish/", {"topic": "electrician", "note": "again"})
    assert "30" in again.content.decode()
    from yizhan.training.models import CourseWish

    assert CourseWish.objects.get().district == city.district


def test_the_keeper_console_renders(course, city, login):
    client = login(city.kim)
    session = course.sessions.get()
    for path in (
        "/training/console/",
        "/training/console/new/",
        "/training/console/new/?kind=party",
        f"/training/console/new/heat/?station={city.station.pk}",
        "/training/console/demand/",
        f"/training/console/a/{course.pk}/",
        f"/training/console/s/{session.pk}/door/",
        f"/training/console/s/{session.pk}/door/?q=小川",
    ):
        assert client.get(path).status_code == 200, path
    svg = client.get(f"/training/console/s/{session.pk}/door.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg["Cache-Control"].startswith("max-age=0")
    assert tokens.read_door_token(svg["X-Door-Token"]) == session.pk


def test_the_keeper_creates_a_course_with_the_form(training, city, login):
    client = login(city.kim)
    start = timezone.localtime() + dt.timedelta(days=3)
    form = {
        "kind": "course",
        "topic": "first_aid",
        "title": "急救培训",
        "station": city.station.pk,
        "starts_at": start.strftime("%Y-%m-%dT14:00"),
        "ends_at": start.strftime("%Y-%m-%dT16:00"),
        "repeat": 2,
        "every": "weekly",
        "capacity": 20,
        "offer_hours": 12,
        "audience": "all",
        "min_attendance_percent": 0,
        "certificate": "on",
        "quiz": "急救电话是？| *120 | 114",
        "quiz_pass_percent": 100,
        "idempotency_key": "form-key-1",
    }
    answer = client.post("/training/console/new/", form)
    course = Activity.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/training/console/a/{course.pk}/"
    assert course.sessions.count() == 2 and course.questions.get().answer == 0
    client.post("/training/console/new/", form)  # a double submit
    assert Activity.objects.count() == 1


def test_the_form_shows_end_before_start_beside_the_field(training, city, login):
    client = login(city.kim)
    start = timezone.localtime() + dt.timedelta(days=3)
    answer = client.post(
        "/training/console/new/",
        {
            "kind": "course",
            "topic": "first_aid",
            "title": "急救",
            "station": city.station.pk,
            "starts_at": start.strftime("%Y-%m-%dT16:00"),
            "ends_at": start.strftime("%Y-%m-%dT14:00"),
            "repeat": 1,
            "every": "weekly",
            "capacity": 0,
            "offer_hours": 12,
            "audience": "all",
            "min_attendance_percent": 0,
        },
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and not Activity.objects.exists()
    assert "结束时间必须晚于开始时间" in body and "名额" in body


def test_the_door_scans_and_searches(course, city, login):
    client = login(city.kim)
    session = course.sessions.get()
    client.post(
        f"/training/console/s/{session.pk}/scan/", {"code": tokens.personal_code(city.alice.pk)}
    )
    assert Attendance.objects.filter(session=session).count() == 1
    page = client.get(f"/training/console/s/{session.pk}/door/").content.decode()
    assert "王**" in page and "王小川" not in page
    client.post(f"/training/console/s/{session.pk}/checkout/", {"enrolment": "all"})
    assert Attendance.objects.get().checked_out_at is not None


def test_workers_and_other_keepers_cannot_open_the_door(course, city, login, training):
    session = course.sessions.get()
    assert login(city.alice).get(f"/training/console/s/{session.pk}/door/").status_code == 403
    other = training.worker()
    assert login(other).get("/training/console/").status_code == 403
    assert login(city.grace).get(f"/training/console/a/{course.pk}/").status_code == 403
    assert login(city.pat).get(f"/training/console/s/{session.pk}/door.svg").status_code == 403


def test_invited_only_activities_are_hidden_from_others(training, city, login):
    hidden = training.course(audience="invited", title="邀请制课程")
    outsider = login(training.worker())
    assert "邀请制课程" not in outsider.get("/training/").content.decode()
    assert outsider.get(f"/training/a/{hidden.pk}/").status_code == 404


def test_an_organiser_opening_a_personal_code_checks_the_worker_in(course, city, login):
    client = login(city.kim)
    code = tokens.personal_code(city.alice.pk)
    page = client.get(f"/training/pass/{code}/")
    assert "王**" in page.content.decode()
    client.post(f"/training/pass/{code}/", {"session": course.sessions.get().pk})
    assert Attendance.objects.count() == 1
