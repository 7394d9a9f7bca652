"""Tasks whose worker died: a worker killed mid-run (kill -9, out of memory, a lost machine)
leaves its task RUNNING for good, since django-tasks-db has no heartbeat. A task RUNNING for
longer than YIZHAN_TASKS_STUCK_MINUTES is taken for lost: it is marked FAILED, with why, and
queued again with the same arguments. Every Yizhan task is written to be safe to run twice
(the erasure and the sweeps claim their rows; event delivery is unique per subscriber).

The periodic job `core.tasks_recover` does this every few minutes; `yizhan tasks-stuck
[--retry]` lets an operator look first.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("yizhan.tasks")
RUNNING, FAILED = "RUNNING", "FAILED"


def stuck(*, now=None, minutes: int | None = None):
    """Tasks RUNNING for longer than the limit, oldest first."""
    now = now or timezone.now()
    limit = dt.timedelta(minutes=minutes if minutes is not None else settings.TASKS_STUCK_MINUTES)
    return DBTaskResult.objects.filter(status=RUNNING, started_at__lt=now - limit).order_by(
        "started_at"
    )


@transaction.atomic
def retry(result: DBTaskResult, *, now=None) -> DBTaskResult | None:
    """Mark a lost run FAILED and queue the same task again; None if it finished meanwhile."""
    now = now or timezone.now()
    note = f"The worker running this task stopped (RUNNING since {result.started_at:%Y-%m-%d %H:%M:%S} UTC); queued again."
    if not DBTaskResult.objects.filter(pk=result.pk, status=RUNNING).update(
        status=FAILED,
        finished_at=now,
        exception_class_path="yizhan.core.taskwatch.WorkerLost",
        traceback=note,
    ):
        return None
    args = result.args_kwargs or {}
    fresh = result.task.enqueue(*args.get("args", []), **args.get("kwargs", {}))
    logger.warning(
        "task %s %s was lost by its worker; queued again as %s",
        result.task_path,
        result.pk,
        fresh.id,
    )
    return DBTaskResult.objects.filter(pk=fresh.id).first()


def recover(*, now=None) -> int:
    """Queue again every stuck task; returns how many."""
    return sum(1 for result in list(stuck(now=now)) if retry(result, now=now) is not None)
