"""Joining: one-tap sign-up, the waiting list with its time-limited offers, cancelling,
audiences, reminders — and sign-up after the deadline or twice refused, nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone

from yizhan.core import sms
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import Notification
from yizhan.training import services
from yizhan.training.models import Activity, Enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def fresh(activity):
    return Activity.objects.get(pk=activity.pk)


def status(worker, activity):
    return Enrolment.objects.get(worker=worker, activity=activity).status


def test_a_worker_signs_up_in_one_tap(training, city):
    course = training.course()
    enrolment = services.signup(worker=city.alice, activity_id=course.pk)
    assert enrolment.status == "confirmed" and fresh(course).taken == 1


def test_signing_up_twice_is_refused_and_nothing_changes(training, city):
    course = training.course()
    services.signup(worker=city.alice, activity_id=course.pk)
    with pytest.raises(Conflict, match="already signed up"):
        services.signup(worker=city.alice, activity_id=course.pk)
    assert fresh(course).taken == 1 and Enrolment.objects.count() == 1


def test_sign_up_after_the_deadline_is_refused(training, city, clock):
    course = training.course(signup_deadline=timezone.now() + dt.timedelta(hours=1))
    clock.move_to(timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(Invalid, match="Sign-up closed at"):
        services.signup(worker=city.alice, activity_id=course.pk)
    assert fresh(course).taken == 0 and not Enrolment.objects.exists()


def test_a_full_course_puts_people_on_the_waiting_list_in_order(training, city):
    course = training.course(capacity=1)
    bob, cat = training.worker("李四"), training.worker("张三")
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup(worker=bob, activity_id=course.pk)
    services.signup(worker=cat, activity_id=course.pk)
    assert [status(w, course) for w in (city.alice, bob, cat)] == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    from yizhan.training import selectors

    assert selectors.waitlist_position(Enrolment.objects.get(worker=cat)) == 2
    assert fresh(course).taken == 1


def test_a_freed_place_is_offered_to_the_first_waiting_for_n_hours(training, city):
    course = training.course(capacity=1, offer_hours=6)
    bob = training.worker("李四")
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup(worker=bob, activity_id=course.pk)
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    offer = Enrolment.objects.get(worker=bob)
    assert offer.status == "offered"
    assert offer.offered_until == pytest.approx(
        timezone.now() + dt.timedelta(hours=6), abs=dt.timedelta(seconds=5)
    )
    assert fresh(course).taken == 1
    note = Notification.objects.get(recipient=bob)
    assert "A place is free for you" in note.render() or "名额" in note.render()
    services.offer_accept(worker=bob, activity_id=course.pk)
    assert status(bob, course) == "confirmed"


def test_an_offer_is_never_open_past_the_start(training, city):
    course = training.course(
        capacity=1, offer_hours=48, starts_at=timezone.now() + dt.timedelta(hours=5)
    )
    bob = training.worker()
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup(worker=bob, activity_id=course.pk)
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    assert Enrolment.objects.get(worker=bob).offered_until == course.starts_at


def test_a_lapsed_offer_passes_to_the_next_and_cannot_be_accepted(training, city, clock):
    course = training.course(capacity=1, offer_hours=2)
    bob, cat = training.worker(), training.worker()
    for w in (city.alice, bob, cat):
        services.signup(worker=w, activity_id=course.pk)
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    clock.move_to(timezone.now() + dt.timedelta(hours=3))
    with pytest.raises(Conflict, match="lapsed"):
        services.offer_accept(worker=bob, activity_id=course.pk)
    assert status(bob, course) == "offered"  # refused, nothing changed until the sweep
    assert services.offers_expire() == 1
    assert [status(w, course) for w in (bob, cat)] == ["expired", "offered"]
    assert fresh(course).taken == 1
    assert services.offers_expire() == 0


def test_declining_an_offer_passes_it_on(training, city):
    course = training.course(capacity=1)
    bob, cat = training.worker(), training.worker()
    for w in (city.alice, bob, cat):
        services.signup(worker=w, activity_id=course.pk)
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    services.offer_decline(worker=bob, activity_id=course.pk)
    assert [status(w, course) for w in (bob, cat)] == ["declined", "offered"]
    assert fresh(course).taken == 1


def test_cancelling_a_waiting_place_frees_nothing(training, city):
    course = training.course(capacity=1)
    bob = training.worker()
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup(worker=bob, activity_id=course.pk)
    services.signup_cancel(worker=bob, activity_id=course.pk)
    assert fresh(course).taken == 1 and status(city.alice, course) == "confirmed"


def test_signing_up_again_after_cancelling_revives_the_sign_up(training, city):
    course = training.course()
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    services.signup(worker=city.alice, activity_id=course.pk)
    assert Enrolment.objects.get().status == "confirmed" and fresh(course).taken == 1


def test_audiences_a_platform_a_district_or_the_invited(training, city):
    for_platform = training.course(
        by=city.pat, audience="platform", audience_platform_id=city.platform.pk
    )
    outsider = training.worker(platform=city.other_platform)
    services.signup(worker=city.alice, activity_id=for_platform.pk)
    with pytest.raises(NotAllowed):
        services.signup(worker=outsider, activity_id=for_platform.pk)
    invited_only = training.course(audience="invited", invite_worker_ids=[city.alice.pk])
    with pytest.raises(NotAllowed, match="invited"):
        services.signup(worker=outsider, activity_id=invited_only.pk)
    services.signup(worker=city.alice, activity_id=invited_only.pk)
    assert Enrolment.objects.filter(worker=outsider).count() == 0


def test_staff_do_not_sign_up(training, city):
    course = training.course()
    with pytest.raises(NotAllowed):
        services.signup(worker=city.kim, activity_id=course.pk)


def test_a_cancelled_event_takes_no_sign_ups_and_tells_those_signed_up(training, city):
    party = training.event()
    services.signup(worker=city.alice, activity_id=party.pk)
    services.activity_cancel(actor=city.kim, activity_id=party.pk, reason="暴雨预警")
    assert Notification.objects.filter(recipient=city.alice, params__reason="暴雨预警").exists()
    with pytest.raises(Conflict):
        services.signup(worker=training.worker(), activity_id=party.pk)


def test_reminders_go_the_day_before_once_with_an_sms(
    training, city, clock, django_capture_on_commit_callbacks
):
    course = training.course(starts_at=timezone.now() + dt.timedelta(days=3))
    services.signup(worker=city.alice, activity_id=course.pk)
    assert services.reminders_send() == 0  # three days ahead: not yet
    clock.move_to(course.starts_at - dt.timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
    assert services.reminders_send() == 0
    note = Notification.objects.filter(recipient=city.alice, verb="training").latest("id")
    assert note.params["title"] == "急救培训"
    assert any("急救培训" in m.text for m in sms.outbox(mobile=city.alice.mobile))


# --- several at once (signup_many: an organiser's group, the demo's audiences) ---------------


def test_signing_up_several_at_once_fills_the_places_then_the_waiting_list_in_order(training, city):
    course = training.course(capacity=2)
    bob, cat, dee = training.worker(), training.worker(), training.worker()
    made = services.signup_many(workers=[city.alice, bob, cat, dee], activity_id=course.pk)
    assert [e.status for e in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert fresh(course).taken == 2
    from yizhan.training import selectors

    positions = [selectors.waitlist_position(Enrolment.objects.get(worker=w)) for w in (cat, dee)]
    assert positions == [1, 2]


def test_signing_up_several_leaves_out_whom_signup_would_refuse(training, city):
    """Staff, workers outside the audience and those already signed up are left out; the
    rest are signed up as one at a time would have done."""
    course = training.course(
        by=city.pat, audience="platform", audience_platform_id=city.platform.pk
    )
    outsider = training.worker(platform=city.other_platform)
    insider = training.worker(platform=city.platform)
    services.signup(worker=city.alice, activity_id=course.pk)
    made = services.signup_many(
        workers=[city.alice, outsider, city.kim, insider, insider], activity_id=course.pk
    )
    assert [e.worker_id for e in made] == [insider.pk]
    assert fresh(course).taken == 2
    assert set(Enrolment.objects.values_list("worker_id", flat=True)) == {city.alice.pk, insider.pk}


def test_signing_up_several_revives_a_cancelled_sign_up(training, city):
    course = training.course()
    services.signup(worker=city.alice, activity_id=course.pk)
    services.signup_cancel(worker=city.alice, activity_id=course.pk)
    services.signup_many(workers=[city.alice], activity_id=course.pk)
    assert Enrolment.objects.get().status == "confirmed" and fresh(course).taken == 1


def test_signing_up_several_to_a_cancelled_event_or_after_the_deadline_is_refused(
    training, city, clock
):
    party = training.event()
    services.activity_cancel(actor=city.kim, activity_id=party.pk, reason="暴雨预警")
    with pytest.raises(Conflict):
        services.signup_many(workers=[city.alice], activity_id=party.pk)
    course = training.course(signup_deadline=timezone.now() + dt.timedelta(hours=1))
    clock.move_to(timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(Invalid, match="Sign-up closed at"):
        services.signup_many(workers=[city.alice], activity_id=course.pk)
    assert not Enrolment.objects.exists()
