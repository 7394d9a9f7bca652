"""Domain events between apps: an outbox in the database, delivered by the task worker.

An app announces a fact inside its own transaction (`publish("report.verified", report_id=1)`);
the row commits with the change or not at all. After commit the task worker hands the event
to every subscriber (registered in an AppConfig.ready with `subscribe`). Each delivery is
recorded once per (event, subscriber) in the same transaction as the subscriber's work, so
a subscriber acts at most once per event however often delivery is retried. A subscriber
added later (a new module) receives earlier events with `yizhan events-replay`.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("yizhan.events")
_subscribers: dict[str, list[str]] = {}


def subscribe(event_name: str, handler_path: str) -> None:
    """Register `handler_path` (dotted path to f(event) ) for `event_name`."""
    handlers = _subscribers.setdefault(event_name, [])
    if handler_path not in handlers:
        handlers.append(handler_path)


def subscribers(event_name: str) -> list[str]:
    return list(_subscribers.get(event_name, []))


def publish(event_name: str, **payload):
    """Record an event in the current transaction; deliver it after commit."""
    from yizhan.core.models import Event
    from yizhan.core.tasks import deliver_event

    event = Event.objects.create(name=event_name, payload=payload)
    transaction.on_commit(lambda: deliver_event.enqueue(event_id=event.pk))
    return event


def deliver(event) -> int:
    """Hand `event` to each subscriber that has not had it. Returns deliveries made."""
    from yizhan.core.models import EventDelivery

    made = 0
    for path in subscribers(event.name):
        if EventDelivery.objects.filter(event=event, subscriber=path).exists():
            continue
        try:
            with transaction.atomic():
                EventDelivery.objects.create(event=event, subscriber=path)
                import_string(path)(event)
        except IntegrityError:
            continue  # another worker delivered it first
        made += 1
    return made


def replay(event_name: str | None = None) -> int:
    """Deliver every recorded event to subscribers that missed it."""
    from yizhan.core.models import Event

    qs = Event.objects.order_by("id")
    if event_name:
        qs = qs.filter(name=event_name)
    return sum(deliver(event) for event in qs.iterator())
