"""The points bank's clocks at each of the six fixed moments (tests/clock.py): a redemption
made at that moment expires after the configured pick-up time, exactly once, by the sweep
the task worker runs; and the daily periodic job posts the monthly awards for the month
before the moment — in Asia/Shanghai, where the city's months begin — once, however often
it runs. At 23:59:30 on 31 December the month before is November; thirty-one seconds later
it is December, and December's awards follow."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.clock import SHANGHAI
from tests.points.conftest import give
from yizhan.core import periodic
from yizhan.core.models import Notification
from yizhan.points import selectors, services, tasks
from yizhan.points.models import HardshipApproval, Posting, Redemption
from yizhan.points.verification import verify_ledger


def month_before(now: dt.datetime) -> tuple[int, int]:
    """(year, month) of the month before `now` in Shanghai, by plain calendar arithmetic."""
    local = now.astimezone(SHANGHAI)
    return (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)


def test_a_redemption_expires_after_the_configured_time_exactly_once(
    bank, helmet, moment, clock, settings, run_tasks, django_capture_on_commit_callbacks
):
    settings.POINTS_PICKUP_HOURS = 48
    give(bank, 100)
    with django_capture_on_commit_callbacks(execute=True):  # books the sweep for its expiry
        redemption = services.redemption_create(
            worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
        )
    assert redemption.created_at - moment < dt.timedelta(seconds=20)
    wait = redemption.expires_at - redemption.created_at
    assert dt.timedelta(hours=48) - dt.timedelta(seconds=1) < wait <= dt.timedelta(hours=48)

    clock.move_to(redemption.expires_at - dt.timedelta(minutes=1))
    run_tasks()  # nothing is due yet: the booked sweep waits for the expiry
    assert services.redemptions_expire_due() == 0
    assert Redemption.objects.get(pk=redemption.pk).status == "held"

    clock.move_to(redemption.expires_at + dt.timedelta(seconds=61))
    run_tasks()  # the booked sweep runs in the worker, within a minute of the expiry
    redemption.refresh_from_db()
    assert redemption.status == "expired"
    assert selectors.worker_balance(bank.alice) == {"balance": 100, "held": 0}
    helmet.refresh_from_db()
    assert helmet.stock == 2

    assert services.redemptions_expire_due() == 0  # the hourly safety net finds nothing
    tasks.sweep_expired_redemptions.enqueue()
    run_tasks()
    assert Posting.objects.filter(redemption=redemption, kind="refund").count() == 1
    notices = Notification.objects.filter(recipient=bank.alice, verb="points.expired")
    assert notices.count() == 1 and "30" in notices.get().render()
    assert verify_ledger().ok


@pytest.fixture
def last_months_deeds(bank, moment, clock):
    """Alice is approved for the hardship allowance and earned points in the month before
    the moment; then the clock goes back to the moment."""
    year, month = month_before(moment)
    clock.move_to(dt.datetime(year, month, 15, 12, tzinfo=SHANGHAI))
    HardshipApproval.objects.create(
        worker=bank.alice, first_month=dt.date(year, month, 1), reason="家庭困难"
    )
    give(bank, 10)
    clock.move_to(moment)
    return bank


def run_the_daily_job(run_tasks):
    """What `yizhan periodic` enqueues once a day, run by the real task worker."""
    assert periodic.jobs()["points.monthly_awards"][0] == (
        "yizhan.points.tasks.monthly_awards_last_month"
    )
    tasks.monthly_awards_last_month.enqueue()
    run_tasks()


def awards_for(year, month, source_type) -> int:
    return Posting.objects.filter(
        kind="award", source_type=source_type, source_id__startswith=f"{year}-{month:02d}:"
    ).count()


def test_the_month_before_gets_its_awards_once(last_months_deeds, moment, clock, run_tasks):
    city = last_months_deeds
    year, month = month_before(timezone.now())
    for _ in range(2):
        run_the_daily_job(run_tasks)
        assert awards_for(year, month, "hardship") == 1
        assert awards_for(year, month, "honours") == 1  # alice tops her district
    assert selectors.worker_balance(city.alice)["balance"] == 10 + 60 + 50

    clock.move_to(moment + dt.timedelta(seconds=31))  # at year-end: 00:00:01 on 1 January
    later = month_before(timezone.now())
    before = Posting.objects.count()
    for _ in range(2):
        run_the_daily_job(run_tasks)
    if later == (year, month):
        assert Posting.objects.count() == before  # the same month: nothing new
    else:
        assert later == (2026, 12)
        assert awards_for(2026, 12, "hardship") == 1  # December's allowance, once
        assert awards_for(2026, 12, "honours") <= 1
    assert verify_ledger().ok
