"""Event-driven awards are staged and posted in batches, keeping every rule of a single
award: at most once per source and rule, the caps, the pool never below zero, every
posting balanced — and the pool is debited once per batch, not once per award."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import make_worker
from yizhan.core import events
from yizhan.points import ledger, selectors, services
from yizhan.points.models import Account, AwardRequest, EarningRule, Posting, Sponsor
from yizhan.points.verification import verify_ledger


def balance(user):
    return selectors.worker_balance(user)["balance"]


def riders(city, n):
    people = []
    for i in range(n):
        user = make_worker(f"1350000{i:04d}", f"骑手{i}", district=city.district)
        people.append(user)
    return people


def stage(user, report_id, category="exposed_wire"):
    services.award_request(
        deed=EarningRule.Source.REPORT_VERIFIED,
        worker_id=user.pk,
        source_id=report_id,
        category=category,
    )


def test_a_batch_posts_each_award_once_within_the_caps_and_debits_the_pool_once(bank):
    people = riders(bank, 30)
    for n, user in enumerate(people):
        stage(user, 1000 + n)
    for report_id in range(1, 6):  # alice: five wires, 20 each, 60 a day
        stage(bank.alice, report_id)
    stage(bank.alice, 1)  # the same source again: still one request
    stage(bank.kim, 77)  # a keeper is not a worker: nothing
    assert AwardRequest.objects.count() == 30 + 5 + 1

    with CaptureQueriesContext(connection) as queries:
        applied = services.awards_apply(limit=200)
    assert (applied.claimed, applied.posted, applied.waiting) == (36, 33, 0)
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    debits = [sql for sql in statements if sql.startswith("UPDATE") and "CASE" not in sql]
    assert len(debits) == 1  # one debit of the city's pool for the whole batch
    # claim, rules, workers, accounts and the pool's id (+ open 30 new accounts), lock,
    # earlier awards, caps, postings, entries, balances, pool, delete: as many for 36 as 500
    assert len(statements) == 13, statements

    assert all(balance(u) == 20 for u in people)
    assert balance(bank.alice) == 60  # capped: the fourth and fifth post nothing
    assert not Account.objects.filter(owner=bank.kim).exists()
    assert Posting.objects.filter(kind="award").count() == 33
    pool = ledger.system_account(Account.Kind.POOL)
    assert pool.balance == 100_000 - 30 * 20 - 60
    assert not AwardRequest.objects.exists()
    report = verify_ledger()
    assert report.ok, report.violations

    stage(bank.alice, 1)  # delivered again later: staged, but the ledger already has it
    assert services.awards_apply().posted == 0
    assert balance(bank.alice) == 60


def test_a_rule_funded_by_a_sponsor_and_good_deeds_with_quantities(bank):
    sponsor = Sponsor.objects.create(name="兰州银行")
    fund = ledger.sponsor_account(sponsor)
    services.pool_issue(points=500, reason="sponsor budget", account=fund)
    EarningRule.objects.create(
        code="volunteer", name="志愿服务", source="volunteer_hour", points=10, funded_by=fund
    )
    events.deliver(
        events.publish("volunteer.hours_logged", record_id=5, worker_id=bank.alice.pk, hours=3)
    )
    events.deliver(events.publish("welfare.attended", participation_id=9, worker_id=bank.alice.pk))
    services.awards_apply()
    assert balance(bank.alice) == 30 + 50
    fund.refresh_from_db()
    assert fund.balance == 470
    assert verify_ledger().ok


def test_a_short_pool_pays_what_it_can_and_the_rest_waits(bank, clock):
    pool = ledger.system_account(Account.Kind.POOL)
    with transaction.atomic():  # leave 50 points in the pool
        ledger.post(
            kind="issuance",
            lines=[(pool, -99_950), (ledger.system_account("issuance"), 99_950)],
            reason="drain",
        )
    people = riders(bank, 4)
    for n, user in enumerate(people):
        stage(user, n + 1)  # 20 each: the pool pays two
    applied = services.awards_apply()
    assert (applied.posted, applied.waiting) == (2, 2)
    assert [balance(u) for u in people] == [20, 20, 0, 0]
    assert ledger.system_account(Account.Kind.POOL).balance == 10
    assert verify_ledger().ok
    services.pool_issue(points=100, reason="top up")
    clock.move_to(timezone.now() + dt.timedelta(seconds=61))
    assert services.awards_apply_all() == 2
    assert [balance(u) for u in people] == [20, 20, 20, 20]
    assert verify_ledger().ok


def test_erasure_drops_what_waits_and_an_erased_worker_earns_nothing(bank):
    stage(bank.alice, 1)
    assert services.personal_data_erase(user=bank.alice) >= 1
    assert not AwardRequest.objects.exists()
    stage(bank.alice, 2)
    bank.alice.is_active = False
    bank.alice.save(update_fields=["is_active"])
    assert services.awards_apply().posted == 0
    assert balance(bank.alice) == 0


def test_each_request_books_a_run_or_one_per_delay(
    bank, settings, django_capture_on_commit_callbacks
):
    path = "yizhan.points.tasks.apply_awards"
    stage(bank.alice, 1)
    assert DBTaskResult.objects.filter(task_path=path).count() == 1  # no delay: its own run
    settings.POINTS_AWARD_DELAY_MS = 60_000
    services._booked_until[0] = None
    with django_capture_on_commit_callbacks(execute=True):
        for report_id in range(2, 7):
            with transaction.atomic():
                stage(bank.alice, report_id)
    booked = DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at")
    assert booked.count() == 2  # one more run, after the delay, for the five
    assert booked.last().run_after > timezone.now() + dt.timedelta(seconds=50)
    services._booked_until[0] = None


def test_the_batch_applier_runs_in_the_task_worker(
    bank, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            "report.verified", report_id=3, reporter_id=bank.alice.pk, category="exposed_wire"
        )
    run_tasks()  # delivers the event, which books the applier, which posts the award
    assert balance(bank.alice) == 20
    assert not AwardRequest.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3])
def test_no_hours_no_points(bank, quantity):
    EarningRule.objects.create(code="v", name="志愿", source="volunteer_hour", points=10)
    events.deliver(
        events.publish(
            "volunteer.hours_logged", record_id=1, worker_id=bank.alice.pk, hours=quantity
        )
    )
    assert not AwardRequest.objects.exists()
