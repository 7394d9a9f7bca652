"""Property-based: under any sequence of awards (now, or staged and posted in batches),
grants, redemptions, hand-overs, cancellations, expiries and reversals, the ledger's invariants hold and every balance and
stock equals a simple model's."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.conftest import make_worker
from yizhan.core.errors import Conflict
from yizhan.points import selectors, services
from yizhan.points.models import CatalogItem, EarningRule, Posting, Redemption
from yizhan.points.verification import verify_ledger


class LedgerMachine(RuleBasedStateMachine):
    city = None  # set by the test

    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint rolled back at teardown: examples never mix.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        city = self.city
        self.workers = [city.alice]
        for n in range(2):
            user = make_worker(f"1370000000{n}", f"骑手{n}", district=city.district)
            self.workers.append(user)
        services.pool_issue(points=10_000, reason="budget")
        self.rule = EarningRule.objects.create(
            code="r", name="r", source="report_verified", points=7, daily_cap=1000
        )
        # The only rule for reports, so staged reports earn by it too.
        EarningRule.objects.filter(source="report_verified").exclude(pk=self.rule.pk).update(
            active=False
        )
        self.items = [
            services.catalog_item_create(
                by=city.adam, name=f"item{p}", price=p, stock=s, stations=[city.station]
            )
            for p, s in ((2, 3), (9, 1), (25, 2))
        ]
        self.balance = {w.pk: 0 for w in self.workers}
        self.stock = {i.pk: i.stock for i in self.items}
        self.held: dict[str, tuple] = {}  # code -> (worker pk, item pk, points)
        self.awarded: set = set()
        self.staged: dict[int, int] = {}  # source → worker pk (the first staging wins)
        self.reversible: list[Posting] = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @rule(worker=st.integers(0, 2), source=st.integers(1, 6))
    def award(self, worker, source):
        user = self.workers[worker]
        posting = services.award(
            rule=self.rule, worker=user, source_type="report", source_id=source
        )
        if source not in self.awarded:
            self.awarded.add(source)
            self.balance[user.pk] += 7
            self.reversible.append(posting)

    @rule(worker=st.integers(0, 2), source=st.integers(1, 6))
    def stage(self, worker, source):
        user = self.workers[worker]
        services.award_request(deed="report_verified", worker_id=user.pk, source_id=source)
        self.staged.setdefault(source, user.pk)

    @rule(limit=st.integers(1, 4))
    def apply_batches(self, limit):
        services.awards_apply_all(limit=limit)
        for source, worker_pk in sorted(self.staged.items()):
            if source not in self.awarded:
                self.awarded.add(source)
                self.balance[worker_pk] += 7
                self.reversible.append(
                    Posting.objects.get(kind="award", source_type="report", source_id=source)
                )
        self.staged.clear()

    @rule(worker=st.integers(0, 2), points=st.integers(1, 40))
    def grant(self, worker, points):
        user = self.workers[worker]
        self.reversible.append(services.grant(worker=user, points=points, reason="g"))
        self.balance[user.pk] += points

    @rule(worker=st.integers(0, 2), item=st.integers(0, 2))
    def redeem(self, worker, item):
        user, it = self.workers[worker], self.items[item]
        can = self.balance[user.pk] >= it.price and self.stock[it.pk] >= 1
        try:
            r = services.redemption_create(
                worker=user, item_id=it.pk, station_id=self.city.station.pk
            )
        except Conflict as refused:
            assert not can and refused.status == 409
            return
        assert can
        self.balance[user.pk] -= it.price
        self.stock[it.pk] -= 1
        self.held[r.code] = (user.pk, it.pk, it.price)

    @precondition(lambda self: self.held)
    @rule(data=st.data(), how=st.sampled_from(["fulfil", "cancel", "expire"]))
    def close(self, data, how):
        code = data.draw(st.sampled_from(sorted(self.held)))
        worker_pk, item_pk, points = self.held.pop(code)
        if how == "fulfil":
            services.redemption_fulfil(keeper=self.city.kim, code=code)
            return
        if how == "cancel":
            worker = next(w for w in self.workers if w.pk == worker_pk)
            services.redemption_cancel(worker=worker, code=code)
        else:
            Redemption.objects.filter(code=code).update(
                expires_at=timezone.now() - dt.timedelta(seconds=1)
            )
            assert services.redemptions_expire_due() == 1
        self.balance[worker_pk] += points
        self.stock[item_pk] += 1

    @precondition(lambda self: self.reversible)
    @rule(data=st.data())
    def reverse(self, data):
        posting = data.draw(st.sampled_from(self.reversible))
        credited = posting.entries.get(amount__gt=0)
        owner = credited.account.owner_id
        try:
            services.posting_reverse(posting=posting, reason="fix")
        except Conflict:
            assert (
                Posting.objects.filter(reverses=posting).exists()
                or self.balance[owner] < credited.amount
            )
            return
        self.reversible.remove(posting)
        self.balance[owner] -= credited.amount

    @invariant()
    def ledger_is_sound(self):
        report = verify_ledger()
        assert report.ok, report.violations

    @invariant()
    def balances_and_stock_match_the_model(self):
        for user in self.workers:
            assert selectors.worker_balance(user)["balance"] == self.balance[user.pk] >= 0
        stock = dict(CatalogItem.objects.values_list("pk", "stock"))
        assert stock == self.stock


def test_ledger_invariants_hold_under_random_sequences(bank):
    LedgerMachine.city = bank
    runner = LedgerMachine.TestCase()
    runner.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    runner.runTest()


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
