"""Background work of the points bank: the expiry sweep and the monthly awards."""

import datetime as dt

from django.utils import timezone
from django_tasks import task


@task()
def sweep_expired_redemptions() -> int:
    """Refund and restock every redemption not picked up in time."""
    from yizhan.points import services

    return services.redemptions_expire_due()


def schedule_expiry_sweep(when: dt.datetime) -> None:
    """Each redemption books a sweep for the moment it would expire: the sweep runs in the
    background worker exactly when there may be something to expire, and sweeps
    everything due, so a missed run is caught by the next one (or `yizhan points sweep`)."""
    sweep_expired_redemptions.using(run_after=when + dt.timedelta(seconds=5)).enqueue()


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
