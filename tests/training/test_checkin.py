"""At the door: the rotating code (a photo of it refused a minute later), the worker's
personal code scanned by the organiser, manual search by masked name, within 300 m, walk-ins,
repeated scans that change nothing, and check-out for courses with a minimum attendance."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.training import selectors, services, tokens
from yizhan.training.models import Attendance, Enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def course(training, city):
    course = training.now_course()
    services.signup(worker=city.alice, activity_id=course.pk)
    return course


def session_of(activity):
    return activity.sessions.get()


def test_the_door_code_checks_a_worker_in(course, city):
    token = tokens.door_token(session_of(course).pk)
    result = services.check_in_with_door_code(worker=city.alice, token=token)
    assert result.created and result.attendance.method == "door_qr"


def test_a_photographed_door_code_is_refused_a_minute_later(course, city, clock):
    token = tokens.door_token(session_of(course).pk)
    clock.move_to(timezone.now() + dt.timedelta(seconds=65))
    with pytest.raises(Invalid) as refused:
        services.check_in_with_door_code(worker=city.alice, token=token)
    assert refused.value.code == "expired"
    assert not Attendance.objects.exists()


def test_the_door_code_lives_30_to_60_seconds(course, city, clock):
    session = session_of(course)
    start = timezone.now()
    token = tokens.door_token(session.pk)
    left = tokens.seconds_left()
    clock.move_to(start + dt.timedelta(seconds=left + 29))  # still the step after its own
    assert tokens.read_door_token(token) == session.pk
    clock.move_to(start + dt.timedelta(seconds=left + 31))
    with pytest.raises(Invalid):
        tokens.read_door_token(token)


@pytest.mark.parametrize(
    "forged", ["", "D1.2.3", "garbage", "D1.99999999999.0123456789abcdef", "\x00"]
)
def test_a_forged_door_code_is_refused(course, city, forged):
    with pytest.raises(Invalid, match="not a check-in code"):
        services.check_in_with_door_code(worker=city.alice, token=forged)
    assert not Attendance.objects.exists()


def test_a_code_from_the_future_is_refused(course, city, clock):
    session = session_of(course)
    token = tokens.door_token(session.pk, now=timezone.now() + dt.timedelta(minutes=5))
    with pytest.raises(Invalid):
        services.check_in_with_door_code(worker=city.alice, token=token)


def test_repeated_scans_change_nothing(course, city):
    token = tokens.door_token(session_of(course).pk)
    first = services.check_in_with_door_code(worker=city.alice, token=token)
    again = services.check_in_with_door_code(worker=city.alice, token=token)
    code = tokens.personal_code(city.alice.pk)
    by_organiser = services.check_in_by_code(
        organiser=city.kim, session_id=session_of(course).pk, code=code
    )
    assert first.created and not again.created and not by_organiser.created
    assert again.attendance.pk == first.attendance.pk == by_organiser.attendance.pk
    assert Attendance.objects.count() == 1


def test_within_300_m_when_location_is_on(course, city):
    token = tokens.door_token(session_of(course).pk)
    far = (city.station.lat + 0.01, city.station.lng)  # about 1.1 km north
    with pytest.raises(Invalid) as refused:
        services.check_in_with_door_code(worker=city.alice, token=token, lat=far[0], lng=far[1])
    assert "location" in refused.value.fields and "300" in str(refused.value.fields["location"][0])
    assert not Attendance.objects.exists()
    near = services.check_in_with_door_code(
        worker=city.alice, token=token, lat=city.station.lat + 0.001, lng=city.station.lng
    )
    assert near.created


def test_the_organiser_scans_the_personal_code(course, city):
    code = tokens.personal_code(city.alice.pk)
    result = services.check_in_by_code(
        organiser=city.kim, session_id=session_of(course).pk, code=code
    )
    assert result.created and result.person == "王**"
    assert result.attendance.recorded_by == city.kim and result.attendance.method == "personal_qr"


def test_a_scanner_that_types_the_whole_address_works(course, city):
    code = "https://yizhan.example/training/pass/" + tokens.personal_code(city.alice.pk) + "/"
    assert services.check_in_by_code(
        organiser=city.kim, session_id=session_of(course).pk, code=code
    ).created


def test_someone_not_signed_up_is_refused_with_their_masked_name(training, course, city):
    stranger = training.worker("赵六")
    with pytest.raises(Invalid) as refused:
        services.check_in_by_code(
            organiser=city.kim,
            session_id=session_of(course).pk,
            code=tokens.personal_code(stranger.pk),
        )
    assert "赵*" in str(refused.value.fields["code"][0]) and "walk-ins" in str(
        refused.value.fields["code"][0]
    )
    assert not Enrolment.objects.filter(worker=stranger).exists()
    assert not Attendance.objects.exists()


def test_a_walk_in_is_signed_up_at_the_door_where_allowed(training, city):
    party = training.event(
        starts_at=timezone.now() + dt.timedelta(minutes=10), walk_ins=True, capacity=1
    )
    walker = training.worker("赵六")
    result = services.check_in_by_code(
        organiser=city.kim, session_id=party.sessions.get().pk, code=tokens.personal_code(walker.pk)
    )
    enrolment = Enrolment.objects.get(worker=walker)
    assert result.created and enrolment.walk_in and enrolment.status == "confirmed"
    with pytest.raises(Conflict, match="full"):
        services.check_in_by_code(
            organiser=city.kim,
            session_id=party.sessions.get().pk,
            code=tokens.personal_code(city.alice.pk),
        )


def test_a_forged_personal_code_is_refused(course, city):
    code = tokens.personal_code(city.alice.pk)[:-1] + "0"
    with pytest.raises(Invalid, match="not a worker's check-in code"):
        services.check_in_by_code(organiser=city.kim, session_id=session_of(course).pk, code=code)


def test_only_the_organisers_run_the_door(training, course, city):
    code = tokens.personal_code(city.alice.pk)
    for outsider in (city.grace, city.pat):
        with pytest.raises(NotAllowed):
            services.check_in_by_code(
                organiser=outsider, session_id=session_of(course).pk, code=code
            )
    assert not Attendance.objects.exists()


def test_manual_search_finds_by_name_or_last_digits_and_shows_masks(course, city):
    found = selectors.roster_search(activity=course, q="小川")
    assert [(r.name, r.mobile) for r in found] == [("王**", "138****0001")]
    assert selectors.roster_search(activity=course, q="0001")[0].name == "王**"
    assert selectors.roster_search(activity=course, q="01") == []  # too few digits
    result = services.check_in_manually(
        organiser=city.kim, session_id=session_of(course).pk, enrolment_id=found[0].enrolment_id
    )
    assert result.created and result.attendance.method == "manual"


def test_the_door_opens_an_hour_before_and_closes_at_the_end(training, city, clock):
    course = training.course(starts_at=timezone.now() + dt.timedelta(hours=3))
    services.signup(worker=city.alice, activity_id=course.pk)
    session = course.sessions.get()
    with pytest.raises(Invalid, match="Check-in opens at"):
        services.check_in_with_door_code(worker=city.alice, token=tokens.door_token(session.pk))
    clock.move_to(session.ends_at + dt.timedelta(minutes=1))
    with pytest.raises(Invalid, match="over"):
        services.check_in_with_door_code(worker=city.alice, token=tokens.door_token(session.pk))
    assert not Attendance.objects.exists()


def test_the_scan_page_keeps_a_fresh_scan_while_the_worker_logs_in(course, city, client, clock):
    token = tokens.door_token(session_of(course).pk)
    answer = client.get(f"/training/scan/?t={token}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    clock.move_to(timezone.now() + dt.timedelta(seconds=90))  # logging in took a while
    client.force_login(city.alice, backend="yizhan.accounts.backends.MobilePasswordBackend")
    page = client.get("/training/scan/confirm/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "急救培训" in page.content.decode()
    done = client.post(
        "/training/scan/confirm/",
        {"lat": "", "lng": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert Attendance.objects.filter(enrolment__worker=city.alice).count() == 1
    assert "签到" in done.content.decode()


def test_the_scan_page_refuses_an_old_photo(course, city, login, clock):
    client = login(city.alice)
    token = tokens.door_token(session_of(course).pk)
    clock.move_to(timezone.now() + dt.timedelta(minutes=2))
    answer = client.get(f"/training/scan/?t={token}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400 and "已过期" in answer.content.decode()
    assert not Attendance.objects.exists()


def test_check_out_measures_attendance_for_a_minimum(training, city, clock):
    course = training.now_course(min_attendance_percent=80)
    services.signup(worker=city.alice, activity_id=course.pk)
    session = course.sessions.get()
    clock.move_to(session.starts_at)
    services.check_in_by_code(
        organiser=city.kim, session_id=session.pk, code=tokens.personal_code(city.alice.pk)
    )
    enrolment = Enrolment.objects.get(worker=city.alice)
    assert enrolment.completed_at is None  # a check-in is not enough here
    clock.move_to(session.starts_at + dt.timedelta(minutes=60))  # half of two hours
    services.check_out(actor=city.alice, session_id=session.pk)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    assert services.check_out(actor=city.alice, session_id=session.pk) is False  # repeat: no change


def test_checking_everyone_out_at_the_end_completes_those_who_stayed(training, city, clock):
    course = training.now_course(min_attendance_percent=80)
    services.signup(worker=city.alice, activity_id=course.pk)
    session = course.sessions.get()
    clock.move_to(session.starts_at + dt.timedelta(minutes=5))
    services.check_in_by_code(
        organiser=city.kim, session_id=session.pk, code=tokens.personal_code(city.alice.pk)
    )
    clock.move_to(session.ends_at + dt.timedelta(minutes=1))
    assert services.check_out_everyone(organiser=city.kim, session_id=session.pk) == 1
    assert Enrolment.objects.get(worker=city.alice).completed_at is not None
