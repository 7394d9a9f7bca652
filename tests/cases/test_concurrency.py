"""Two officers signing for the same order at the same moment: exactly one succeeds.
Two sweeps at once: each case is acted on once. PostgreSQL only (real row locks)."""

import pytest
from django.db import connection

from tests.cases.conftest import at
from tests.concurrency import at_once
from tests.conftest import make_user
from yizhan.accounts.models import Role
from yizhan.cases import services
from yizhan.cases.models import Case, CaseEvent, Mediation
from yizhan.core.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _race(n, work):
    return [("error", r) if isinstance(r, Exception) else ("ok", r) for r in at_once(n, work)]


def labour_officers(cases):
    """Dan and a second officer of the labour bureau."""
    dan2 = make_user(
        "13900000021",
        "人社干部二",
        role=Role.DEPARTMENT_OFFICER,
        scope_field="department",
        scope=cases.city.labour,
    )
    return [cases.city.dan, dan2]


@pytest.mark.django_db(transaction=True)
def test_two_officers_sign_for_at_once_exactly_one_wins(cases):
    case = cases.dispatched()
    officers = labour_officers(cases)
    results = _race(
        2, lambda i: services.case_sign_for(case=Case.objects.get(pk=case.pk), actor=officers[i])
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    error = next(v for k, v in results if k == "error")
    assert isinstance(error, Conflict)
    assert CaseEvent.objects.filter(case=case, action="sign_for").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_conclude_a_mediation_at_once_exactly_one_wins(cases):
    case = cases.signed()
    mediation = services.mediation_open(case=case, actor=cases.city.dan, parties="a\nb")
    officers, outcomes = labour_officers(cases), ["agreement", "failed"]
    results = _race(
        2,
        lambda i: services.mediation_conclude(
            mediation=Mediation.objects.get(pk=mediation.pk), actor=officers[i], outcome=outcomes[i]
        ),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert isinstance(next(v for k, v in results if k == "error"), Conflict)
    winner = next(v for k, v in results if k == "ok")
    mediation.refresh_from_db()
    assert mediation.outcome == winner.outcome
    assert CaseEvent.objects.filter(case=case, action="mediation").count() == 2  # open + 1


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_act_once_per_case(cases):
    for _ in range(30):
        cases.signed(now=at(2026, 9, 1, 9))
    results = _race(3, lambda i: services.deadline_sweep(now=at(2026, 11, 1), batch=7))
    assert all(kind == "ok" for kind, _ in results)
    assert sum(r.overdue for _, r in results) == 30
    assert CaseEvent.objects.filter(action="supervise").count() == 30
