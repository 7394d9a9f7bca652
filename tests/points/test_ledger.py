"""The ledger: balanced, append-only, at most one award per source and rule, never below
zero, corrections by reversal, and `yizhan points verify` catches any tampering."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from yizhan.core import events
from yizhan.core.errors import Conflict, Invalid
from yizhan.core.models import EventDelivery
from yizhan.points import ledger, selectors, services
from yizhan.points.models import Account, AwardRequest, Posting
from yizhan.points.verification import verify_ledger


def balance(user):
    return selectors.worker_balance(user)["balance"]


def test_issuance_funds_the_pool_and_everything_sums_to_zero(bank):
    report = verify_ledger()
    assert report.ok, report.violations
    assert report.totals["balance:pool"] == 100_000
    assert report.totals["balance:issuance"] == -100_000


def test_award_is_posted_once_per_source_and_rule(bank):
    rule = bank.rules["wire"]
    first = services.award(rule=rule, worker=bank.alice, source_type="report", source_id=123)
    again = services.award(rule=rule, worker=bank.alice, source_type="report", source_id="123")
    assert first == again
    assert balance(bank.alice) == 20
    assert Posting.objects.filter(kind="award").count() == 1


def test_report_verified_event_awards_once_however_often_delivered(
    bank, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = events.publish(
            "report.verified", report_id=123, reporter_id=bank.alice.pk, category="exposed_wire"
        )
    run_tasks()
    assert balance(bank.alice) == 20
    EventDelivery.objects.all().delete()  # as if the outbox lost track: the ledger still holds
    events.deliver(event)
    assert balance(bank.alice) == 20
    posting = Posting.objects.get(kind="award")
    assert (posting.source_type, posting.source_id, posting.rule.code) == (
        "report",
        "123",
        "exposed-wire",
    )
    assert selectors.describe(posting) == "裸露电线 · 举报 123 已核实"


def test_unknown_category_earns_the_catch_all_rule_and_staff_earn_nothing(bank):
    events.deliver(
        events.publish("report.verified", report_id=7, reporter_id=bank.alice.pk, category="x")
    )
    events.deliver(
        events.publish("report.verified", report_id=8, reporter_id=bank.kim.pk, category="x")
    )
    assert balance(bank.alice) == 0  # staged: the batch applier posts it
    assert services.awards_apply().posted == 1
    assert balance(bank.alice) == 5
    assert not Account.objects.filter(owner=bank.kim).exists()
    assert not AwardRequest.objects.exists()


def test_daily_cap_cuts_the_award(bank):
    rule = bank.rules["wire"]  # 20 a report, 60 a day
    for report_id in range(1, 5):
        services.award(rule=rule, worker=bank.alice, source_type="report", source_id=report_id)
    assert balance(bank.alice) == 60


def test_empty_pool_keeps_the_award_waiting_until_it_is_topped_up(bank, clock):
    pool = ledger.system_account(Account.Kind.POOL)
    with transaction.atomic():
        ledger.post(
            kind="issuance",
            lines=[(pool, -100_000), (ledger.system_account("issuance"), 100_000)],
            reason="drain",
        )
    events.deliver(events.publish("report.verified", report_id=1, reporter_id=bank.alice.pk))
    applied = services.awards_apply()
    assert (applied.posted, applied.waiting) == (0, 1)
    assert balance(bank.alice) == 0 and AwardRequest.objects.count() == 1
    with pytest.raises(Conflict) as empty:  # an award made now is refused at once
        services.award(
            rule=bank.rules["report"], worker=bank.alice, source_type="report", source_id=2
        )
    assert empty.value.code == "insufficient_points"
    services.pool_issue(points=1000, reason="top up")
    assert services.awards_apply().claimed == 0  # it waits a minute before the next try
    clock.move_to(timezone.now() + dt.timedelta(seconds=61))
    assert services.awards_apply().posted == 1
    assert balance(bank.alice) == 5
    assert verify_ledger().ok


def test_unbalanced_or_one_sided_postings_are_refused_loudly_as_bugs(bank, caplog):
    """A posting that does not balance is our bug, not the user's: an AssertionError (a
    server error, logged), never a core refusal a page would show as a message."""
    pool = ledger.system_account(Account.Kind.POOL)
    account = ledger.worker_account(bank.alice)
    with transaction.atomic():
        with pytest.raises(AssertionError, match="unbalanced"):
            ledger.post(kind="grant", lines=[(pool, -5), (account, 6)])
        with pytest.raises(AssertionError, match="two accounts"):
            ledger.post(kind="grant", lines=[(pool, -5), (pool, 5)])
        with pytest.raises(AssertionError, match="whole numbers"):
            ledger.post(kind="grant", lines=[(pool, -0.5), (account, 0.5)])
    assert not isinstance(AssertionError(), Invalid | Conflict)
    assert "ledger refused a posting" in caplog.text
    assert not Posting.objects.filter(kind="grant").exists()
    assert verify_ledger().ok


def test_posting_outside_a_transaction_is_refused(bank, monkeypatch):
    monkeypatch.setattr(ledger, "connection", SimpleNamespace(in_atomic_block=False))
    with pytest.raises(AssertionError, match="transaction"):
        ledger.require_transaction()


def test_grant_needs_a_reason_and_positive_points(bank):
    with pytest.raises(Invalid) as no_reason:
        services.grant(worker=bank.alice, points=10, reason=" ", by=bank.adam)
    assert "reason" in no_reason.value.fields
    with pytest.raises(Invalid) as no_points:
        services.grant(worker=bank.alice, points=0, reason="why", by=bank.adam)
    assert "points" in no_points.value.fields
    posting = services.grant(worker=bank.alice, points=10, reason="flood relief", by=bank.adam)
    assert posting.created_by == bank.adam and posting.reason == "flood relief"


def test_reversal_mirrors_the_award_once_and_not_below_zero(bank):
    posting = services.grant(worker=bank.alice, points=40, reason="typo: 4", by=bank.adam)
    reversal = services.posting_reverse(posting=posting, reason="meant 4", by=bank.adam)
    assert reversal.reverses == posting
    assert balance(bank.alice) == 0
    with pytest.raises(Conflict):
        services.posting_reverse(posting=posting, reason="again", by=bank.adam)
    spent = services.grant(worker=bank.alice, points=40, reason="ok", by=bank.adam)
    item = services.catalog_item_create(
        by=bank.adam, name="雨衣", price=30, stock=1, stations=[bank.station]
    )
    services.redemption_create(worker=bank.alice, item_id=item.pk, station_id=bank.station.pk)
    with pytest.raises(Conflict) as refused:
        services.posting_reverse(posting=spent, reason="oops", by=bank.adam)
    assert refused.value.status == 409 and "40" in str(refused.value)
    assert balance(bank.alice) == 10
    assert verify_ledger().ok


def test_verify_command_prints_totals_and_fails_on_tampering(bank, capsys):
    services.grant(worker=bank.alice, points=10, reason="x", by=bank.adam)
    call_command("points", "verify")
    out = capsys.readouterr().out
    assert "ledger OK" in out and "balance:pool" in out
    Account.objects.filter(owner=bank.alice).update(balance=11)  # a hand edit of the database
    with pytest.raises(CommandError):
        call_command("points", "verify")
    assert "cached balances that differ" in capsys.readouterr().err


def test_grant_command_makes_an_audited_award(bank, capsys):
    call_command(
        "points", "grant", "--mobile", "13800000001", "--points", "15", "--reason", "送考志愿"
    )
    posting = Posting.objects.get(kind="grant")
    assert posting.reason == "送考志愿" and posting.source_id.startswith("cli:")
    assert balance(bank.alice) == 15
    with pytest.raises(CommandError):
        call_command("points", "grant", "--mobile", "13900000005", "--points", "5", "--reason", "x")
    with pytest.raises(CommandError):
        call_command(
            "points", "grant", "--mobile", "13800000001", "--points", "-5", "--reason", "x"
        )


def test_cli_runs_points_verify_literally(bank):
    from yizhan.cli import main

    main(["yizhan", "points", "verify"])  # no SystemExit: the ledger is sound
