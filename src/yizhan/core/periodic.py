"""Periodic jobs (sweeps) for the task worker: apps register a task and an interval in their
AppConfig.ready; `yizhan periodic` (started by `yizhan rundemo`, or as its own service) enqueues
each task when it is due. A job's next run time lives in the database and is claimed with a
conditional update, so any number of schedulers never enqueue a run twice.
"""

import datetime as dt
import logging

from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("yizhan.periodic")
_jobs: dict[str, tuple[str, int]] = {}


def register(name: str, task_path: str, *, every_seconds: int) -> None:
    _jobs[name] = (task_path, every_seconds)


def jobs() -> dict[str, tuple[str, int]]:
    return dict(_jobs)


def tick(*, now=None) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued."""
    from yizhan.core.models import PeriodicJob

    now = now or timezone.now()
    started = []
    for name, (task_path, every) in _jobs.items():
        job, _ = PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
        claimed = PeriodicJob.objects.filter(pk=job.pk, next_run_at__lte=now).update(
            next_run_at=now + dt.timedelta(seconds=every), last_run_at=now
        )
        if claimed:
            import_string(task_path).enqueue()
            started.append(name)
            logger.info("enqueued periodic job %s", name)
    return started
