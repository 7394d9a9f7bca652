"""`yizhan points verify`: recompute every balance from the entries and check every
invariant of the ledger, in SQL aggregates so it runs over millions of entries.

A violation means a bug or a hand edit of the database: the command exits non-zero.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from yizhan.points.models import Account, AwardRequest, CatalogItem, Entry, Posting, Redemption

HELD_OR_AFTER = {
    Redemption.Status.HELD: {Posting.Kind.HOLD},
    Redemption.Status.FULFILLED: {Posting.Kind.HOLD, Posting.Kind.FULFIL},
    Redemption.Status.CANCELLED: {Posting.Kind.HOLD, Posting.Kind.REFUND},
    Redemption.Status.EXPIRED: {Posting.Kind.HOLD, Posting.Kind.REFUND},
}


@dataclass
class Report:
    totals: dict = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def fail(self, message: str, rows=()) -> None:
        rows = list(rows)
        sample = ", ".join(str(r) for r in rows[:5])
        self.violations.append(f"{message}: {len(rows)} ({sample})" if rows else message)


def verify_ledger() -> Report:
    report = Report()
    _check_postings(report)
    _check_balances(report)
    _check_redemptions(report)
    _check_reversals(report)
    return report


def _check_postings(report: Report) -> None:
    per_posting = Entry.objects.values("posting_id").annotate(s=Sum("amount"), n=Count("id"))
    checks = [
        ("postings whose entries do not sum to zero", per_posting.filter(~Q(s=0))),
        ("postings with fewer than two entries", per_posting.filter(n__lt=2)),
        ("postings without entries", Posting.objects.filter(entries__isnull=True).values("pk")),
        (
            "sources awarded twice under one rule",
            Posting.objects.filter(kind=Posting.Kind.AWARD)
            .values("source_type", "source_id", "rule_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1),
        ),
    ]
    for message, rows in checks:
        found = list(rows[:100])
        if found:
            report.fail(message, found)
    report.totals["postings"] = Posting.objects.count()
    report.totals["awards waiting"] = AwardRequest.objects.count()
    report.totals["entries"] = Entry.objects.count()


def _check_balances(report: Report) -> None:
    sums = dict(Entry.objects.values_list("account_id").annotate(s=Sum("amount")).order_by())
    by_kind: dict[str, int] = {}
    mismatched, negative = [], []
    for pk, kind, balance in Account.objects.values_list("pk", "kind", "balance").iterator(
        chunk_size=20_000
    ):
        computed = sums.get(pk, 0)
        if computed != balance:
            mismatched.append(f"account {pk}: cached {balance}, entries {computed}")
        if computed < 0 and kind != Account.Kind.ISSUANCE:
            negative.append(f"account {pk}: {computed}")
        by_kind[kind] = by_kind.get(kind, 0) + computed
    if mismatched:
        report.fail("cached balances that differ from their entries", mismatched)
    if negative:
        report.fail("accounts below zero", negative)
    total = sum(sums.values())
    if total != 0:
        report.fail(f"the whole ledger sums to {total}, not zero")
    report.totals["accounts"] = Account.objects.count()
    report.totals["workers"] = Account.objects.filter(kind=Account.Kind.WORKER).count()
    for kind, _label in Account.Kind.choices:
        report.totals[f"balance:{kind}"] = by_kind.get(kind, 0)


def _check_redemptions(report: Report) -> None:
    held = Redemption.objects.filter(status=Redemption.Status.HELD).aggregate(
        s=Coalesce(Sum("points"), 0)
    )["s"]
    done = Redemption.objects.filter(status=Redemption.Status.FULFILLED).aggregate(
        s=Coalesce(Sum("points"), 0)
    )["s"]
    escrow = report.totals.get("balance:escrow", 0)
    redeemed = report.totals.get("balance:redeemed", 0)
    if escrow != held:
        report.fail(f"held for pick-up is {escrow} but open redemptions hold {held}")
    if redeemed != done:
        report.fail(f"redeemed is {redeemed} but handed-over redemptions total {done}")
    kinds: dict[int, set] = {}
    amounts_ok = True
    for rid, kind, amount, points in (
        Entry.objects.filter(posting__redemption__isnull=False, amount__gt=0)
        .values_list(
            "posting__redemption_id", "posting__kind", "amount", "posting__redemption__points"
        )
        .iterator(chunk_size=20_000)
    ):
        kinds.setdefault(rid, set()).add(kind)
        amounts_ok = amounts_ok and amount == points
    if not amounts_ok:
        report.fail("redemption postings for a different amount than the redemption's points")
    wrong = [
        f"redemption {rid} {status}"
        for rid, status in Redemption.objects.values_list("pk", "status").iterator(
            chunk_size=20_000
        )
        if kinds.get(rid, set()) != HELD_OR_AFTER[status]
    ]
    if wrong:
        report.fail("redemptions whose postings do not match their status", wrong)
    if CatalogItem.objects.filter(stock__lt=0).exists():
        report.fail("catalogue items with negative stock")
    report.totals["redemptions"] = len(kinds)
    report.totals["redemptions held"] = held


def _check_reversals(report: Report) -> None:
    """A reversal's entries are exactly the negation of the posting it reverses."""
    wrong = []
    reversals = Posting.objects.filter(kind=Posting.Kind.REVERSAL)
    for pk, reversed_id in reversals.values_list("pk", "reverses_id").iterator():
        mine = dict(Entry.objects.filter(posting_id=pk).values_list("account_id", "amount"))
        theirs = Entry.objects.filter(posting_id=reversed_id).values_list("account_id", "amount")
        if {account: -amount for account, amount in theirs} != mine:
            wrong.append(pk)
    if wrong:
        report.fail("reversals that do not mirror the posting they reverse", wrong)
