"""Background work of the cases app, run by the task worker."""

from django_tasks import task


@task()
def deadline_sweep() -> dict:
    from yizhan.cases.services import deadline_sweep as sweep

    result = sweep()
    return {
        "reminded": result.reminded,
        "overdue": result.overdue,
        "accept_overdue": result.accept_overdue,
    }
