"""Background work of the points bank: the expiry sweep and the monthly awards."""

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def sweep_expired_redemptions() -> int:
    """Refund and restock every redemption not picked up in time."""
    from yizhan.points import services

    return services.redemptions_expire_due()


_booked_sweeps: set[dt.datetime] = set()


def schedule_expiry_sweep(when: dt.datetime) -> None:
    """Each redemption books a sweep for just after it would expire (called after commit):
    the sweep runs in the background worker when there may be something to expire, and
    sweeps everything due, so a missed run is caught by the next one (or `yizhan points
    sweep`, or the hourly safety net). The redemptions of one minute share a run (booked
    once per process, for the start of the next minute): a burst of redemptions books a
    handful of runs, not one each."""
    minute = when.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    if minute in _booked_sweeps:
        return
    sweep_expired_redemptions.using(run_after=minute + dt.timedelta(seconds=1)).enqueue()
    _booked_sweeps.add(minute)
    if len(_booked_sweeps) > 4096:  # a long-lived process forgets the minutes long past
        for old in sorted(_booked_sweeps)[:2048]:
            _booked_sweeps.discard(old)


@task()
def apply_awards() -> int:
    """The batch applier: post the staged awards (docs/POINTS.md, "Awards in batches")."""
    from yizhan.points import services

    return services.awards_apply_all()


@task()
def monthly_awards(month: str) -> dict:
    """Hardship allowances and district honours for a month ("2026-11"), at most once each."""
    from yizhan.points import services

    first = dt.date.fromisoformat(f"{month}-01")
    return {
        "hardship": services.monthly_hardship_award(month=first),
        "honours": services.monthly_honours_award(month=first),
    }


def last_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before `today` (default: today in Asia/Shanghai, where the
    city's months begin — not the server's date, which is UTC eight hours late)."""
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@task()
def monthly_awards_last_month() -> dict:
    """Run daily by `yizhan periodic` and the task worker: last month's awards, a no-op once
    they are posted (every award is at most once per source and rule), so a day the worker
    was down is caught up."""
    return monthly_awards.call(f"{last_month():%Y-%m}")
