"""The ledger's only writer: balanced postings, cached balances, and the locking order.

Every movement of points goes through `post`, inside the caller's transaction (like
pretix's locking helpers, it refuses to run outside one). The locking order, the same in
every use case so two transactions never wait on each other in a circle:

1. worker accounts, by id ascending (`lock_workers`, SELECT ... FOR UPDATE);
2. catalogue items (the conditional stock update in services);
3. system accounts — pools, issuance, escrow, redeemed — by id ascending, last, so the
   city-wide hot rows are held only from their UPDATE to COMMIT.

A debit is a conditional UPDATE (`balance >= amount`), so no balance can go below zero
even without the lock; the CHECK constraint on `Account` is the last line of defence.
On SQLite FOR UPDATE is a no-op and the IMMEDIATE transaction mode serialises writers.

Two kinds of "no" (docs/POINTS.md, "Errors"):
- too few points in the account to debit is a refusal a person can meet: `Conflict` with
  code `insufficient_points` (409), which services reword for the use case;
- a posting that does not balance, moves points within one account, holds a fraction of a
  point or runs outside a transaction is a bug in our code, never the user's doing. It is
  refused loudly with an `AssertionError` (raised explicitly, so `python -O` cannot strip
  it, and logged): nothing is written, the request fails as a server error that is
  reported, and no user is shown a message that pretends they can fix it.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from yizhan.core.errors import Conflict
from yizhan.points.models import Account, Entry, Posting

logger = logging.getLogger("yizhan.points.ledger")

SYSTEM_CODES = {
    Account.Kind.POOL: "pool",
    Account.Kind.ISSUANCE: "issuance",
    Account.Kind.ESCROW: "escrow",
    Account.Kind.REDEEMED: "redeemed",
}
INSUFFICIENT = "insufficient_points"


def _bug(message: str):
    """A posting that would break the ledger's rules: a bug, refused and logged, never a
    message to a user (deliberately not a `core.errors` refusal)."""
    logger.error("ledger refused a posting: %s", message)
    raise AssertionError(f"ledger: {message}")


def insufficient(account: Account, needed: int) -> Conflict:
    """The refusal for a debit larger than the account's balance."""
    return Conflict(
        _("%(account)s holds fewer than %(points)d points.")
        % {"account": account, "points": needed},
        code=INSUFFICIENT,
    )


def require_transaction() -> None:
    if not connection.in_atomic_block:
        _bug("ledger writes must run inside transaction.atomic()")


def system_account(kind: str) -> Account:
    """The city's pool, the issuance (mint), escrow or redeemed account, created on first use."""
    code = SYSTEM_CODES[kind]
    account = Account.objects.filter(code=code).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=kind, code=code)
        except IntegrityError:  # created concurrently
            account = Account.objects.get(code=code)
    return account


def sponsor_account(sponsor) -> Account:
    account = Account.objects.filter(sponsor=sponsor).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    kind=Account.Kind.SPONSOR, code=f"sponsor-{sponsor.pk}", sponsor=sponsor
                )
        except IntegrityError:
            account = Account.objects.get(sponsor=sponsor)
    return account


def worker_account(user) -> Account:
    account = Account.objects.filter(owner=user).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=Account.Kind.WORKER, owner=user)
        except IntegrityError:
            account = Account.objects.get(owner=user)
    return account


def lock_workers(users: Iterable) -> dict[int, Account]:
    """Lock the workers' accounts (creating missing ones), by id ascending; {user_id: account}."""
    require_transaction()
    user_ids = sorted({u.pk for u in users})

    def lock():
        rows = Account.objects.select_for_update().filter(owner_id__in=user_ids).order_by("pk")
        return {a.owner_id: a for a in rows}

    locked = lock()
    if len(locked) < len(user_ids):  # first points for someone: open the account, lock again
        for user in users:
            if user.pk not in locked:
                worker_account(user)
        locked = lock()
    return locked


def post(
    *,
    kind: str,
    lines: Iterable[tuple[Account, int]],
    source_type: str = "",
    source_id: str = "",
    rule=None,
    redemption=None,
    reverses=None,
    reason: str = "",
    created_by=None,
) -> Posting:
    """Write one balanced posting and move the cached balances with it.

    Raises Conflict (code `insufficient_points`, nothing written) when a debit exceeds a
    non-issuance balance, AssertionError when the lines do not make a balanced posting.
    """
    require_transaction()
    amounts: dict[int, int] = defaultdict(int)
    accounts: dict[int, Account] = {}
    for account, amount in lines:
        if int(amount) != amount:
            _bug(f"points are whole numbers, not {amount!r}")
        amounts[account.pk] += int(amount)
        accounts[account.pk] = account
    amounts = {pk: amount for pk, amount in amounts.items() if amount}
    if len(amounts) < 2:
        _bug("a posting moves points between at least two accounts")
    if sum(amounts.values()) != 0:
        _bug(f"unbalanced posting: entries sum to {sum(amounts.values())}")
    # A savepoint: a refused debit leaves no half-written posting behind in the caller.
    with transaction.atomic():
        posting = Posting.objects.create(
            kind=kind,
            source_type=source_type,
            source_id=str(source_id),
            rule=rule,
            redemption=redemption,
            reverses=reverses,
            reason=reason[:300],
            created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        )
        Entry.objects.bulk_create(
            [Entry(posting=posting, account_id=pk, amount=amount) for pk, amount in amounts.items()]
        )
        order = sorted(accounts.values(), key=lambda a: (a.kind != Account.Kind.WORKER, a.pk))
        for account in order:
            delta = amounts.get(account.pk)
            if not delta:
                continue
            rows = Account.objects.filter(pk=account.pk)
            if delta < 0 and account.kind != Account.Kind.ISSUANCE:
                rows = rows.filter(balance__gte=-delta)
            if rows.update(balance=F("balance") + delta) != 1:
                raise insufficient(account, -delta)
    return posting
