"""Background work of training and events: lapsed waiting-list offers and reminders."""

from django_tasks import task


@task()
def sweep_offers() -> int:
    """Lapsed offers free their place for the next on the waiting list."""
    from yizhan.training import services

    return services.offers_expire()


@task()
def send_reminders() -> int:
    """The day-before notice and SMS to everyone with a place."""
    from yizhan.training import services

    return services.reminders_send()
