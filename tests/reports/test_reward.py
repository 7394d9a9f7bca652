"""One source for a report's reward: the points rules. What the rider is shown is what the
rider is paid, and the ledger still balances afterwards."""

import io

from django.core.management import call_command

from tests.reports.conftest import IN_A, make_jpeg
from yizhan.points import selectors as points_selectors
from yizhan.points import services as points
from yizhan.reports import services


def test_confirmed_report_is_paid_the_rules_amount_and_the_ledger_verifies(
    city, wire, wire_reward, client, run_tasks, django_capture_on_commit_callbacks
):
    points.pool_issue(points=1_000, reason="2026 budget", by=city.adam)
    shown = {c["code"]: c["points"] for c in client.get("/api/v1/reports/categories").json()}
    assert shown["exposed-wire"] == 12

    report = services.report_submit(
        reporter=city.alice, category=wire, lat=IN_A[0], lng=IN_A[1], photos=[make_jpeg()]
    ).report
    services.report_accept(user=city.grace, report_id=report.pk)
    services.report_resolve(
        user=city.grace, report_id=report.pk, note="已包扎", after_photo=make_jpeg(seed=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_confirm(user=city.alice, report_id=report.pk)
    run_tasks()  # the task worker delivers "report.verified" to the points bank

    assert points_selectors.worker_balance(city.alice)["balance"] == shown["exposed-wire"]
    (entry,) = points_selectors.worker_entries(city.alice)
    assert entry.amount == 12 and entry.posting.source_id == str(report.pk)
    out = io.StringIO()
    call_command("points", "verify", stdout=out)  # raises CommandError on any violation
    assert "ledger OK" in out.getvalue()

    # Events replayed (as after an outage): still one award.
    call_command("events_replay", stdout=io.StringIO())
    assert points_selectors.worker_balance(city.alice)["balance"] == 12
