import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.reports.conftest import IN_A, IN_B, make_jpeg
from yizhan.core.models import Event, Notification
from yizhan.reports import services
from yizhan.reports.models import Follower, Report


@pytest.fixture
def report(city, wire):
    return services.report_submit(
        reporter=city.alice, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg(seed=11)]
    ).report


def resolve(city, report):
    services.report_accept(user=city.grace, report_id=report.pk)
    services.report_start(user=city.grace, report_id=report.pk)
    return services.report_resolve(
        user=city.grace, report_id=report.pk, note="已包扎", after_photo=make_jpeg(seed=12)
    )


def test_whole_life_writes_history_and_tells_the_reporter(
    city, report, django_capture_on_commit_callbacks
):
    resolve(city, report)
    with django_capture_on_commit_callbacks(execute=False):
        closed = services.report_confirm(user=city.alice, report_id=report.pk)
    assert closed.state == "closed"
    assert [e.action for e in closed.history.all()] == [
        "submitted",
        "accepted",
        "started",
        "resolved",
        "closed",
    ]
    assert closed.history.get(action="resolved").actor == city.grace
    assert closed.photos.filter(kind="after").count() == 1
    assert (
        Notification.objects.filter(recipient=city.alice).count() == 3
    )  # accepted, started, resolved
    event = Event.objects.get(name="report.verified")
    assert event.payload == {
        "report_id": report.pk,
        "reporter_id": city.alice.pk,
        "category": "exposed-wire",
        "points": 10,
    }


def test_verified_is_announced_once_even_after_reopen_and_close_again(city, report):
    resolve(city, report)
    services.report_confirm(user=city.alice, report_id=report.pk)
    services.report_reopen(user=city.alice, report_id=report.pk, note="又掉下来了")
    services.report_start(user=city.grace, report_id=report.pk)
    services.report_resolve(
        user=city.grace, report_id=report.pk, note="重新固定", after_photo=make_jpeg(seed=13)
    )
    services.report_confirm(user=city.alice, report_id=report.pk)
    assert Event.objects.filter(name="report.verified").count() == 1


def test_reused_photo_earns_nothing(city, report, wire):
    copy = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_B[0], lng=IN_B[1], photos=[make_jpeg(seed=11)]
    ).report
    assert copy.photo_reused
    services.report_accept(user=city.gary, report_id=copy.pk)
    services.report_resolve(
        user=city.gary, report_id=copy.pk, note="ok", after_photo=make_jpeg(seed=14)
    )
    services.report_confirm(user=city.alice, report_id=copy.pk)
    assert not Event.objects.filter(name="report.verified").exists()


@pytest.mark.parametrize(
    "step",
    [
        lambda c, r: services.report_start(user=c.grace, report_id=r.pk),
        lambda c, r: services.report_resolve(
            user=c.grace, report_id=r.pk, note="x", after_photo=make_jpeg()
        ),
        lambda c, r: services.report_confirm(user=c.alice, report_id=r.pk),
        lambda c, r: services.report_reopen(user=c.alice, report_id=r.pk, note="x"),
    ],
)
def test_illegal_steps_are_refused_with_a_message(city, report, step):
    with pytest.raises(ValidationError) as exc:
        step(city, report)
    assert exc.value.messages
    assert Report.objects.get(pk=report.pk).state == "submitted"


def test_resolving_needs_a_photo_and_a_note(city, report):
    services.report_accept(user=city.grace, report_id=report.pk)
    with pytest.raises(ValidationError) as exc:
        services.report_resolve(user=city.grace, report_id=report.pk, note="", after_photo=None)
    assert set(exc.value.message_dict) == {"note", "after_photo"}


def test_officer_of_another_community_cannot_act(city, report):
    with pytest.raises(PermissionDenied):
        services.report_accept(user=city.gary, report_id=report.pk)


def test_only_the_reporter_confirms(city, report):
    resolve(city, report)
    with pytest.raises(PermissionDenied):
        services.report_confirm(user=city.grace, report_id=report.pk)


def test_duplicate_is_linked_and_its_reporter_follows_the_original(city, report, wire):
    other = services.report_submit(
        reporter=city.dora, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg(seed=21)]
    ).report
    services.reports_merge(user=city.grace, original_id=report.pk, duplicate_ids=[other.pk])
    other.refresh_from_db()
    assert other.state == "rejected" and other.duplicate_of == report
    assert Follower.objects.filter(report=report, user=city.dora).exists()
    resolve(city, report)
    assert Notification.objects.filter(recipient=city.dora, text__contains=f"#{report.pk}").exists()


def test_invalid_rejection_needs_a_reason(city, report):
    with pytest.raises(ValidationError):
        services.report_reject(user=city.grace, report_id=report.pk, reason="invalid", note="")
    rejected = services.report_reject(
        user=city.grace, report_id=report.pk, reason="invalid", note="照片与描述不符"
    )
    assert rejected.state == "rejected"


def test_transfer_to_another_community_moves_the_queue(city, report):
    moved = services.report_transfer(
        user=city.grace, report_id=report.pk, note="在乙社区", community=city.community_b
    )
    assert moved.community == city.community_b
    services.report_accept(user=city.gary, report_id=report.pk)  # now Gary's
    with pytest.raises(PermissionDenied):
        services.report_accept(user=city.grace, report_id=report.pk)


def test_reopen_only_within_seven_days(city, report):
    resolve(city, report)
    services.report_confirm(user=city.alice, report_id=report.pk)
    later = timezone.now() + dt.timedelta(days=8)
    with pytest.raises(ValidationError, match="7"):
        services.report_reopen(user=city.alice, report_id=report.pk, note="x", now=later)


def test_autoclose_after_seven_days_and_announces_once(city, report):
    resolve(city, report)
    assert services.reports_autoclose() == 0
    later = timezone.now() + dt.timedelta(days=7, minutes=1)
    assert services.reports_autoclose(now=later) == 1
    assert services.reports_autoclose(now=later) == 0
    assert Report.objects.get(pk=report.pk).state == "closed"
    assert Event.objects.filter(name="report.verified").count() == 1
