import datetime as dt

import pytest
from django.utils import timezone, translation

from tests.reports.conftest import IN_A, IN_B, OUTSIDE, make_jpeg
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
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


def inbox(user, language="zh-hans") -> list[str]:
    with translation.override(language):
        return [n.render() for n in Notification.objects.filter(recipient=user).order_by("id")]


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
    assert inbox(city.alice) == [
        f"随手拍 #{report.pk}（电线裸露）：已受理",
        f"随手拍 #{report.pk}（电线裸露）：处理中",
        f"随手拍 #{report.pk}（电线裸露）：已整改",
    ]
    assert inbox(city.alice, "en")[-1] == f"Report #{report.pk} (电线裸露): Resolved"
    event = Event.objects.get(name="report.verified")
    # What happened, not what it is worth: the reward is the points rules' business.
    assert event.payload == {
        "report_id": report.pk,
        "reporter_id": city.alice.pk,
        "category": "exposed-wire",
    }


def test_new_report_is_announced_to_the_grid_officers_of_its_community(city, report):
    assert inbox(city.grace) == [f"社区网格有新的随手拍 #{report.pk}（电线裸露），请处理。"]
    assert inbox(city.gary) == [] and inbox(city.dora) == []


def test_department_routed_report_is_announced_to_that_departments_officers(city, street_light):
    street_light.department = city.labour
    street_light.save()
    report = services.report_submit(
        reporter=city.alice, category=street_light, lat=IN_A[0], lng=IN_A[1]
    ).report
    assert len(inbox(city.dan)) == 1 and f"#{report.pk}" in inbox(city.dan)[0]
    assert inbox(city.grace) == []


def test_report_outside_every_community_is_announced_to_the_dispatchers(city, wire):
    report = services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=OUTSIDE[0],
        lng=OUTSIDE[1],
        photos=[make_jpeg(seed=5)],
    ).report
    assert report.routed_to_city and len(inbox(city.dora)) == 1


def test_verified_is_announced_once_even_after_reopen_and_close_again(city, report):
    resolve(city, report)
    services.report_confirm(user=city.alice, report_id=report.pk)
    services.report_reopen(user=city.alice, report_id=report.pk, note="又掉下来了")
    assert any("被上报人重新打开" in text for text in inbox(city.grace))
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
def test_a_step_the_state_does_not_allow_is_a_conflict_with_a_message(city, report, step):
    with pytest.raises(Conflict) as exc:
        step(city, report)
    assert str(exc.value.message)
    assert Report.objects.get(pk=report.pk).state == "submitted"


def test_resolving_needs_a_photo_and_a_note(city, report):
    services.report_accept(user=city.grace, report_id=report.pk)
    with pytest.raises(Invalid) as exc:
        services.report_resolve(user=city.grace, report_id=report.pk, note="", after_photo=None)
    assert set(exc.value.fields) == {"note", "after_photo"}


def test_officer_of_another_community_cannot_act(city, report):
    with pytest.raises(NotAllowed):
        services.report_accept(user=city.gary, report_id=report.pk)


def test_a_missing_report_is_not_found(city):
    with pytest.raises(NotFound):
        services.report_accept(user=city.grace, report_id=999_999)


def test_only_the_reporter_confirms(city, report):
    resolve(city, report)
    with pytest.raises(NotAllowed):
        services.report_confirm(user=city.grace, report_id=report.pk)


def test_duplicate_is_linked_and_its_reporter_follows_the_original(city, report, wire):
    other = services.report_submit(
        reporter=city.dora, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg(seed=21)]
    ).report
    outcome = services.reports_merge(
        user=city.grace, original_id=report.pk, duplicate_ids=[other.pk]
    )
    assert outcome.done == [other.pk] and outcome.refused == {}
    other.refresh_from_db()
    assert other.state == "rejected" and other.duplicate_of == report
    assert Follower.objects.filter(report=report, user=city.dora).exists()
    assert inbox(city.dora)[-1] == (
        f"随手拍 #{other.pk} 已合并到 #{report.pk}，您现在关注的是那一条。"
    )
    resolve(city, report)
    assert inbox(city.dora)[-1] == f"随手拍 #{report.pk}（电线裸露）：已整改"


def test_merge_into_a_report_of_another_community_is_refused(city, report, wire):
    theirs = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_B[0], lng=IN_B[1], photos=[make_jpeg(seed=22)]
    ).report
    # Grace may not merge her report into Gary's…
    with pytest.raises(NotAllowed):
        services.reports_merge(user=city.grace, original_id=theirs.pk, duplicate_ids=[report.pk])
    # …and even the dispatcher, who handles both, merges only within one community.
    outcome = services.reports_merge(
        user=city.dora, original_id=theirs.pk, duplicate_ids=[report.pk]
    )
    assert outcome.done == [] and isinstance(outcome.refused[report.pk], NotAllowed)
    assert Report.objects.get(pk=report.pk).state == "submitted"


def test_bulk_accept_says_what_happened_to_each_report(city, report, wire):
    accepted = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg(seed=23)]
    ).report
    services.report_accept(user=city.grace, report_id=accepted.pk)
    theirs = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_B[0], lng=IN_B[1], photos=[make_jpeg(seed=24)]
    ).report
    outcome = services.reports_bulk_accept(
        user=city.grace, report_ids=[theirs.pk, 999_999, accepted.pk, report.pk]
    )
    assert outcome.done == [report.pk]
    assert isinstance(outcome.refused[accepted.pk], Conflict)
    assert isinstance(outcome.refused[theirs.pk], NotAllowed)
    assert isinstance(outcome.refused[999_999], NotFound)
    assert Report.objects.get(pk=theirs.pk).state == "submitted"


def test_invalid_rejection_needs_a_reason(city, report):
    with pytest.raises(Invalid) as exc:
        services.report_reject(user=city.grace, report_id=report.pk, reason="invalid", note="")
    assert "note" in exc.value.fields
    rejected = services.report_reject(
        user=city.grace, report_id=report.pk, reason="invalid", note="照片与描述不符"
    )
    assert rejected.state == "rejected"


def test_transfer_to_another_community_moves_the_queue_and_tells_its_officers(city, report):
    moved = services.report_transfer(
        user=city.grace,
        report_id=report.pk,
        note="在乙社区",
        community_code=city.community_b.code,
    )
    assert moved.community == city.community_b
    assert inbox(city.gary) == [f"社区网格有新的随手拍 #{report.pk}（电线裸露），请处理。"]
    services.report_accept(user=city.gary, report_id=report.pk)  # now Gary's
    with pytest.raises(NotAllowed):
        services.report_accept(user=city.grace, report_id=report.pk)


def test_transfer_to_an_unknown_community_names_the_field(city, report):
    with pytest.raises(Invalid) as exc:
        services.report_transfer(
            user=city.grace, report_id=report.pk, note="x", community_code="nope"
        )
    assert "community_code" in exc.value.fields


def test_reopen_only_within_seven_days(city, report):
    resolve(city, report)
    services.report_confirm(user=city.alice, report_id=report.pk)
    later = timezone.now() + dt.timedelta(days=8)
    with pytest.raises(Conflict, match="7"):
        services.report_reopen(user=city.alice, report_id=report.pk, note="x", now=later)


def test_autoclose_after_seven_days_and_announces_once(city, report):
    resolve(city, report)
    assert services.reports_autoclose() == 0
    later = timezone.now() + dt.timedelta(days=7, minutes=1)
    assert services.reports_autoclose(now=later) == 1
    assert services.reports_autoclose(now=later) == 0
    assert Report.objects.get(pk=report.pk).state == "closed"
    assert Event.objects.filter(name="report.verified").count() == 1


def test_a_worker_follows_a_public_report_but_not_a_rejected_one(city, report, bob):
    assert services.report_follow(user=bob, report_id=report.pk) is True
    assert services.report_follow(user=bob, report_id=report.pk) is False
    with pytest.raises(NotAllowed):
        services.report_follow(user=city.gary, report_id=report.pk)  # not a worker
    services.report_reject(user=city.grace, report_id=report.pk, reason="invalid", note="不符")
    other = services.report_submit(
        reporter=city.alice,
        category=report.category,
        lat=IN_A[0],
        lng=IN_A[1],
        photos=[make_jpeg(seed=41)],
    ).report
    services.report_reject(user=city.grace, report_id=other.pk, reason="invalid", note="不符")
    with pytest.raises(NotFound):
        services.report_follow(user=bob, report_id=other.pk)
    # Bob followed the first one before it was rejected: only Alice hears of the rejection.
    assert not Notification.objects.filter(recipient=bob).exists()
    assert inbox(city.alice)[-1] == f"随手拍 #{other.pk}（电线裸露）：已驳回"
