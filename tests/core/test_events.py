"""Domain events are delivered after commit, at most once per subscriber, and replayable."""

import pytest
from django.core.management import call_command
from django.db import transaction

from yizhan.core import events
from yizhan.core.models import AuditLog, Event, EventDelivery

CALLS = []


def record_call(event):
    CALLS.append(event.payload["n"])
    AuditLog.objects.create(action="role_change", subject_type="test", subject_id=str(event.pk))


def failing(event):
    raise RuntimeError("boom")


def test_event_is_delivered_once_by_the_worker(db, run_tasks, django_capture_on_commit_callbacks):
    CALLS.clear()
    events.subscribe("test.happened", "tests.core.test_events.record_call")
    with django_capture_on_commit_callbacks(execute=True):
        event = events.publish("test.happened", n=7)
    run_tasks()
    assert CALLS == [7]
    assert events.deliver(event) == 0  # a retry delivers nothing again
    assert CALLS == [7]
    assert EventDelivery.objects.filter(event=event).count() == 1


def test_event_of_a_rolled_back_transaction_is_never_seen(db):
    try:
        with transaction.atomic():
            events.publish("test.happened", n=1)
            raise ValueError
    except ValueError:
        pass
    assert not Event.objects.exists()


def test_failed_subscriber_leaves_no_delivery_and_can_retry(db):
    events.subscribe("test.fails", "tests.core.test_events.failing")
    event = events.publish("test.fails", n=1)
    with pytest.raises(RuntimeError):
        events.deliver(event)
    assert not EventDelivery.objects.exists()


def test_late_subscriber_gets_earlier_events_by_replay(db, capsys):
    CALLS.clear()
    events.publish("test.late", n=1)
    events.publish("test.late", n=2)
    events.subscribe("test.late", "tests.core.test_events.record_call")
    call_command("events_replay", "--name", "test.late")
    assert CALLS == [1, 2]
    assert "2 deliveries made" in capsys.readouterr().out
