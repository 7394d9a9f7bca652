"""Organisers create courses and events: who may, where, and the bad input the issue lists
(capacity zero or negative, end before start, …) refused with a clear message and nothing
created."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.core.errors import Invalid, NotAllowed
from yizhan.training import services
from yizhan.training.models import Activity, Session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_keeper_creates_a_course_at_their_station(training, city):
    course = training.course(repeat=3, every="weekly")
    assert course.kind == "course" and course.owner_station == city.station
    assert course.lat == city.station.lat
    sessions = list(course.sessions.all())
    assert [s.number for s in sessions] == [1, 2, 3]
    assert sessions[1].starts_at - sessions[0].starts_at == dt.timedelta(days=7)
    assert course.ends_at == sessions[-1].ends_at
    assert course.signup_deadline == course.starts_at


def test_a_recurring_event_is_one_activity_per_occurrence(training):
    first = training.event(repeat=3, every="weekly")
    series = list(Activity.objects.filter(series=first.series).order_by("starts_at"))
    assert len(series) == 3 and first.series is not None
    assert all(a.sessions.count() == 1 for a in series)
    assert series[2].starts_at - series[0].starts_at == dt.timedelta(days=14)


def test_a_monthly_event_keeps_its_day_or_the_last_of_a_short_month(training, clock):
    start = timezone.make_aware(dt.datetime(2027, 1, 31, 19, 0))
    clock.move_to(start - dt.timedelta(days=3))
    first = training.event(
        starts_at=start, ends_at=start + dt.timedelta(hours=2), repeat=3, every="monthly"
    )
    days = [
        timezone.localtime(a.starts_at).date()
        for a in Activity.objects.filter(series=first.series).order_by("starts_at")
    ]
    assert days == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"capacity": 0}, "capacity", "Places must be"),
        ({"capacity": -5}, "capacity", "Places must be"),
        ({"capacity": 10**20}, "capacity", "Places must be"),
        ({"ends_offset": -60}, "ends_at", "The end must be after the start."),
        ({"ends_offset": 0}, "ends_at", "The end must be after the start."),
        ({"starts_in": -1}, "starts_at", "The start must be in the future."),
        ({"deadline_after_start": True}, "signup_deadline", "must not be after the start"),
        ({"repeat": 0}, "repeat", "Repeat 1 to"),
        ({"title": " "}, "title", "Give a title"),
        ({"topic": ""}, "topic", "Choose what the course teaches."),
        ({"station_id": None}, "station_id", "Choose the station"),
        ({"min_attendance_percent": 101}, "min_attendance_percent", "0 to 100"),
        ({"online_url": "javascript:alert(1)", "online": True}, "online_url", "https://"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_created(
    training, settings, change, field, words
):
    settings.LANGUAGE_CODE = "en"
    start = timezone.now() + dt.timedelta(days=2)
    if "ends_offset" in change:
        change["ends_at"] = start + dt.timedelta(minutes=change.pop("ends_offset"))
    if "starts_in" in change:
        start = timezone.now() + dt.timedelta(hours=change.pop("starts_in"))
        change["ends_at"] = start + dt.timedelta(hours=2)
    if change.pop("deadline_after_start", False):
        change["signup_deadline"] = start + dt.timedelta(hours=1)
    with pytest.raises(Invalid) as refused:
        training.course(starts_at=start, **change)
    assert field in refused.value.fields
    assert words in str(refused.value.fields[field][0])
    assert Activity.objects.count() == 0 and Session.objects.count() == 0


def test_a_keeper_organises_only_at_their_own_station(training, city):
    with pytest.raises(Invalid) as refused:
        training.course(station_id=training.other_station.pk)
    assert "own station" in str(refused.value.fields["station_id"][0])
    assert not Activity.objects.exists()


def test_workers_and_grid_officers_do_not_organise(training, city):
    for person in (city.alice, city.grace):
        with pytest.raises(NotAllowed):
            training.course(by=person)
    assert not Activity.objects.exists()


def test_a_platform_rep_addresses_their_own_platform_only(training, city):
    with pytest.raises(Invalid) as refused:
        training.course(
            by=city.pat, audience="platform", audience_platform_id=city.other_platform.pk
        )
    assert "audience_platform_id" in refused.value.fields
    course = training.course(
        by=city.pat, audience="platform", audience_platform_id=city.platform.pk
    )
    assert course.owner_platform == city.platform


def test_a_symposium_is_held_at_a_centre_by_those_who_may_record_demands(training, city):
    with pytest.raises(NotAllowed):
        training.event(kind="symposium", title="座谈会", station_id=city.station.pk)
    with pytest.raises(Invalid) as refused:
        training.event(
            by=training.cora, kind="symposium", title="座谈会", station_id=city.station.pk
        )
    assert "centre" in str(refused.value.fields["station_id"][0])
    symposium = training.event(
        by=training.cora, kind="symposium", title="骑手座谈会", station_id=training.centre.pk
    )
    assert symposium.case_symposium_id is not None


def test_the_same_idempotency_key_creates_one_course(training, city):
    data = training.data()
    first = services.activity_create(organiser=city.kim, data=data, idempotency_key="k-1")
    again = services.activity_create(
        organiser=city.kim, data=training.data(), idempotency_key="k-1"
    )
    assert first.pk == again.pk and Activity.objects.count() == 1


def test_an_online_course_needs_no_station(training, city):
    course = training.course(
        by=city.dan, station_id=None, online=True, online_url="https://meeting.example.cn/123"
    )
    assert course.place_label and course.lat is None and course.owner_department == city.labour
