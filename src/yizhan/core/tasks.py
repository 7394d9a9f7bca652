"""Background work of the core app."""

from django_tasks import task


@task()
def deliver_event(event_id: int) -> int:
    from yizhan.core import events
    from yizhan.core.models import Event

    return events.deliver(Event.objects.get(pk=event_id))


@task()
def recover_stuck_tasks() -> int:
    from yizhan.core import taskwatch

    return taskwatch.recover()
