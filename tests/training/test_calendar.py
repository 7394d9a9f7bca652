"""Calendars: an .ics file per course or event and a personal feed, both parsed back with
the `icalendar` package the way a phone's calendar would read them."""

import datetime as dt

import pytest
from icalendar import Calendar

from yizhan.training import services, tokens

pytestmark = pytest.mark.django_db


def events_in(body: bytes):
    return [c for c in Calendar.from_ical(body).walk() if c.name == "VEVENT"]


def test_a_course_file_holds_each_session(training, city, login):
    course = training.course(repeat=3, every="weekly", title="交通法规课")
    answer = login(city.alice).get(f"/training/a/{course.pk}/calendar.ics")
    assert answer["Content-Type"].startswith("text/calendar")
    found = events_in(answer.content)
    sessions = list(course.sessions.order_by("number"))
    assert [str(e["summary"]) for e in found] == [f"交通法规课 ({n}/3)" for n in (1, 2, 3)]
    assert [e.decoded("dtstart") for e in found] == [s.starts_at for s in sessions]
    assert [e.decoded("dtend") for e in found] == [s.ends_at for s in sessions]
    assert str(found[0]["uid"]) == f"training-session-{sessions[0].pk}@yizhan"
    assert "甲工会驿站" in str(found[0]["location"])
    assert str(found[0]["status"]) == "CONFIRMED"


def test_the_personal_feed_follows_sign_ups_and_cancellations(training, city, client):
    course = training.course(title="急救培训")
    party = training.event(title="暖心生日会", starts_at=course.starts_at + dt.timedelta(days=1))
    training.course(title="没报名的课")
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup(worker=city.alice, activity_id=party.pk)
    url = f"/training/feed/{tokens.feed_token(city.alice.pk)}.ics"
    found = events_in(client.get(url).content)  # no login: the secret address is the key
    assert sorted(str(e["summary"]) for e in found) == ["急救培训", "暖心生日会"]
    services.activity_cancel(actor=city.kim, activity_id=party.pk, reason="暴雨")
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    found = events_in(client.get(url).content)
    assert [(str(e["summary"]), str(e["status"])) for e in found] == [("暖心生日会", "CANCELLED")]


def test_a_wrong_feed_address_is_not_found(city, client):
    token = tokens.feed_token(city.alice.pk)
    assert client.get(f"/training/feed/{token[:-1]}0.ics").status_code == 404
    assert client.get("/training/feed/1-abc.ics").status_code == 404


def test_an_activity_file_is_for_those_who_may_see_it(training, city, login):
    hidden = training.course(audience="invited")
    assert login(training.worker()).get(f"/training/a/{hidden.pk}/calendar.ics").status_code == 404
