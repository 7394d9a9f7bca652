"""Background work of the membership app, run by the task worker."""

from django_tasks import task


@task()
def transfer_sweep() -> dict:
    from yizhan.membership.services import transfer_sweep as sweep

    result = sweep()
    return {"reminded": result.reminded, "escalated": result.escalated}
