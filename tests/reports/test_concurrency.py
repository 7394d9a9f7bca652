"""Two officers working the same queue at the same moment: bulk accepts and merges over the
same reports, chosen in opposite orders, neither deadlock nor act twice. PostgreSQL only (real
row locks)."""

import pytest
from django.db import connection

from tests.cases.test_concurrency import _race
from tests.reports.conftest import IN_A, make_jpeg
from yizhan.core.errors import Conflict
from yizhan.reports import services
from yizhan.reports.models import Report, ReportEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _reports(city, wire, n):
    return [
        services.report_submit(
            reporter=city.alice,
            category=wire,
            lat=IN_A[0] + i * 1e-4,
            lng=IN_A[1],
            photos=[make_jpeg(seed=100 + i)],
        ).report.pk
        for i in range(n)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_bulk_accepts_in_opposite_orders_accept_each_report_once(city, wire):
    ids = _reports(city, wire, 12)
    officers = [city.grace, city.dora]
    orders = [ids, list(reversed(ids))]
    results = _race(
        2, lambda i: services.reports_bulk_accept(user=officers[i], report_ids=orders[i])
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    outcomes = [outcome for _, outcome in results]
    assert sorted(outcomes[0].done + outcomes[1].done) == ids
    for outcome in outcomes:
        assert all(isinstance(e, Conflict) for e in outcome.refused.values())
    assert ReportEvent.objects.filter(action="accepted").count() == 12
    assert set(Report.objects.values_list("state", flat=True)) == {"accepted"}


@pytest.mark.django_db(transaction=True)
def test_two_merges_over_the_same_duplicates_merge_each_once(city, wire):
    original, *duplicates = _reports(city, wire, 9)
    officers = [city.grace, city.dora]
    orders = [duplicates, list(reversed(duplicates))]
    results = _race(
        2,
        lambda i: services.reports_merge(
            user=officers[i], original_id=original, duplicate_ids=orders[i]
        ),
    )
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    merged = sorted(results[0][1].done + results[1][1].done)
    assert merged == sorted(duplicates)
    assert ReportEvent.objects.filter(report_id=original, action="merged").count() == 8
    assert Report.objects.filter(duplicate_of_id=original, state="rejected").count() == 8
