"""The ledger's only writer: balanced postings, cached balances, and the locking order.

Every movement of points goes through `post` (one posting), `post_awards` (a batch of
awards, set-based) or, on PostgreSQL, `hold_redemption` (a redemption's hold as one call of
a database function that does what `post` does, in the same order), inside the caller's
transaction (like pretix's locking helpers, they refuse to run outside one). The locking
order, the same in every use case so two transactions never wait on each other in a circle
(docs/POINTS.md, "Locking"):

1. worker accounts, by id ascending (`lock_workers`, or the conditional UPDATE of a
   worker line in `post`, which locks the row it changes);
2. catalogue items (the stock update: `post`'s `take_stock` or `hot` step, after the
   entries);
3. system accounts — pools, issuance, escrow, redeemed — by id ascending, last, so the
   city-wide hot rows are held only from their UPDATE to COMMIT.

A debit is a conditional UPDATE (`balance >= amount`), so no balance can go below zero
even without the lock; the CHECK constraint on `Account` is the last line of defence.
On SQLite FOR UPDATE is a no-op and the IMMEDIATE transaction mode serialises writers.

Round trips are what an interactive posting costs (the database work is a few index
lookups), so the hot path is plain SQL: one INSERT for the posting, one for its entries,
one UPDATE per account, no savepoint, and the system accounts named by code. A refused
debit raises `Conflict` part-way through the posting: the caller's atomic block (every
service is one) rolls it back. A caller that catches the refusal and
carries on in the same transaction wraps the call in its own `transaction.atomic()`.

Two kinds of "no" (docs/POINTS.md, "Errors"):
- too few points in the account to debit is a refusal a person can meet: `Conflict` with
  code `insufficient_points` (409), which services reword for the use case;
- a posting that does not balance, moves points within one account, holds a fraction of a
  point or runs outside a transaction is a bug in our code, never the user's doing. It is
  refused loudly with an `AssertionError` (raised explicitly, so `python -O` cannot strip
  it, and logged): nothing is written, the request fails as a server error that is
  reported, and no user is shown a message that pretends they can fix it.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.core.errors import Conflict
from yizhan.points.models import Account, CatalogItem, Entry, Posting

logger = logging.getLogger("yizhan.points.ledger")

SYSTEM_CODES = {
    Account.Kind.POOL: "pool",
    Account.Kind.ISSUANCE: "issuance",
    Account.Kind.ESCROW: "escrow",
    Account.Kind.REDEEMED: "redeemed",
}
INSUFFICIENT = "insufficient_points"
ACCOUNT = Account._meta.db_table
POSTING = Posting._meta.db_table
ENTRY = Entry._meta.db_table


def _bug(message: str):
    """A posting that would break the ledger's rules: a bug, refused and logged, never a
    message to a user (deliberately not a `core.errors` refusal)."""
    logger.error("ledger refused a posting: %s", message)
    raise AssertionError(f"ledger: {message}")


def insufficient(account, needed: int) -> Conflict:
    """The refusal for a debit larger than the account's balance."""
    return Conflict(
        _("%(account)s holds fewer than %(points)d points.")
        % {"account": account, "points": needed},
        code=INSUFFICIENT,
    )


def require_transaction() -> None:
    if not connection.in_atomic_block:
        _bug("ledger writes must run inside transaction.atomic()")


# --- Accounts ---------------------------------------------------------------------------------

# The order system accounts are updated in, last in every transaction: one order, so two
# postings that touch the same two never wait on each other in a circle.
SYSTEM_ORDER = {
    Account.Kind.POOL: 0,
    Account.Kind.SPONSOR: 1,
    Account.Kind.ESCROW: 2,
    Account.Kind.REDEEMED: 3,
    Account.Kind.ISSUANCE: 4,
}


def ensure_system_accounts(**kwargs) -> None:
    """Open the four system accounts (after `migrate`, and after a `flush` in the tests):
    the hot path names them by code in its SQL and expects them to exist."""
    if ACCOUNT not in connection.introspection.table_names():  # migrated only part-way
        return
    for kind in SYSTEM_CODES:
        system_account(kind)


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


def _open_worker_accounts(user_ids: Iterable[int]) -> None:
    """Open the missing worker accounts (one INSERT … ON CONFLICT DO NOTHING)."""
    Account.objects.bulk_create(
        [Account(kind=Account.Kind.WORKER, owner_id=pk) for pk in sorted(set(user_ids))],
        ignore_conflicts=True,
    )


def _open_missing(user_ids: list[int]) -> None:
    """Open the accounts these users lack — before any row is locked: opening one while
    holding another's lock could wait, in a circle, on a transaction opening the same."""
    have = set(Account.objects.filter(owner_id__in=user_ids).values_list("owner_id", flat=True))
    if len(have) < len(user_ids):
        _open_worker_accounts(pk for pk in user_ids if pk not in have)


def lock_workers(users: Iterable) -> dict[int, Account]:
    """Lock the workers' accounts (creating missing ones), by id ascending; {user_id: account}."""
    require_transaction()
    users = list(users)
    user_ids = sorted({u.pk for u in users})

    def lock():
        rows = Account.objects.select_for_update().filter(owner_id__in=user_ids).order_by("pk")
        return {a.owner_id: a for a in rows}

    _open_missing(user_ids)
    return lock()


@dataclass(frozen=True)
class WorkerOf:
    """A line on a worker's account named by the worker's user id: `post` locks the row
    with the UPDATE that moves its balance (one round trip), opening the account for a
    first credit."""

    user_id: int

    def __str__(self):
        return f"{Account.Kind.WORKER.label} #{self.user_id}"


@dataclass(frozen=True)
class System:
    """A line on a system account named by kind (`System("escrow")`). The SQL names it by
    its code (a unique index): no round trip to look its id up, no cache to go stale."""

    kind: str

    def __str__(self):
        return str(Account.Kind(self.kind).label)


# --- Plain SQL helpers ----------------------------------------------------------------------


def _when(moment: dt.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _move_worker(user_id: int, delta: int) -> int | None:
    """Lock the worker's account and move its balance in one statement; the account id, or
    None (a debit larger than the balance, or no account yet)."""
    condition = " AND balance >= %s" if delta < 0 else ""
    params = [delta, user_id] + ([-delta] if delta < 0 else [])
    found = _rows(
        f"UPDATE {ACCOUNT} SET balance = balance + %s WHERE owner_id = %s{condition} RETURNING id",
        params,
    )
    return found[0][0] if found else None


def _move_system(target, delta: int, *, floor: bool) -> bool:
    """Move a pool's, escrow's, … balance (`target`: an account id, or a `System` named by
    its code); False when a floored debit exceeds the balance."""
    if isinstance(target, System):
        sql, params = (
            f"UPDATE {ACCOUNT} SET balance = balance + %s WHERE code = %s",
            [
                delta,
                SYSTEM_CODES[target.kind],
            ],
        )
    else:
        sql, params = f"UPDATE {ACCOUNT} SET balance = balance + %s WHERE id = %s", [delta, target]
    if floor and delta < 0:
        sql += " AND balance >= %s"
        params.append(-delta)
    return _count(sql, params) == 1


def _account_sql(target) -> tuple[str, list]:
    """The account column of an entry: a placeholder for an id, a subquery for a code."""
    if isinstance(target, System):
        return f"(SELECT id FROM {ACCOUNT} WHERE code = %s)", [SYSTEM_CODES[target.kind]]
    return "%s", [target]


def _insert_entries(lines: list[tuple]) -> None:
    """(posting id, account id or System, amount) rows, one INSERT."""
    if not lines:
        return
    values, params = [], []
    for posting_id, target, amount in lines:
        column, more = _account_sql(target)
        values.append(f"(%s, {column}, %s)")
        params += [posting_id, *more, amount]
    _count(
        f"INSERT INTO {ENTRY} (posting_id, account_id, amount) VALUES {', '.join(values)}", params
    )


def take_one(item_id: int) -> bool:
    """Take one item out of stock if there is one (the catalogue's hot row)."""
    return (
        _count(
            f"UPDATE {CatalogItem._meta.db_table} SET stock = stock - 1 WHERE id = %s AND stock >= 1",
            [item_id],
        )
        == 1
    )


class OutOfStock(Conflict):
    """The item's stock ran out (raised by `post` with `take_stock`)."""


def _take_one_then_credit(item_id: int, target, amount: int) -> bool:
    """PostgreSQL: take one item out of stock and credit a system account in ONE statement,
    so the item's row and the system account's are held for a single round trip and the
    COMMIT (the stock row is locked first: the CTE runs before the account is scanned).
    False when the stock ran out (and nothing changed)."""
    where, params = (
        ("code = %s", [SYSTEM_CODES[target.kind]])
        if isinstance(target, System)
        else ("id = %s", [target])
    )
    return bool(
        _rows(
            f"WITH taken AS (UPDATE {CatalogItem._meta.db_table} SET stock = stock - 1"
            " WHERE id = %s AND stock >= 1 RETURNING id)"
            f" UPDATE {ACCOUNT} SET balance = balance + %s"
            f" WHERE {where} AND EXISTS (SELECT 1 FROM taken) RETURNING id",
            [item_id, amount, *params],
        )
    )


# --- A redemption's hold in one round trip (PostgreSQL) ---------------------------------------


def hold_in_database() -> bool:
    """Whether a redemption's hold runs as the database function `points_hold_redemption`
    (PostgreSQL, created by migration 0004) rather than step by step through `post`
    (SQLite, the demo; and on PostgreSQL with `settings.POINTS_HOLD_IN_DATABASE` off, which
    the parity tests do)."""
    from django.conf import settings

    return connection.vendor == "postgresql" and settings.POINTS_HOLD_IN_DATABASE


class CodeTaken(Exception):
    """The pick-up code was drawn before; the transaction is aborted: run it again with
    another code."""


class WorkerShort(Conflict):
    """The worker's balance is below the price (`balance`: what they hold)."""

    def __init__(self, balance: int):
        super().__init__(code=INSUFFICIENT)
        self.balance = balance


# The function's refusals (migration 0004): SQLSTATE → what it means.
_REFUSALS = {"YZ001": CodeTaken, "YZ002": WorkerShort, "YZ003": OutOfStock}


def hold_redemption(
    *,
    worker_id: int,
    item_id: int,
    station_id: int,
    code: str,
    points: int,
    at: dt.datetime,
    expires_at: dt.datetime,
    commit: bool = False,
) -> int:
    """PostgreSQL: a new redemption, its history row and its hold in ONE round trip — the
    same rows, in the same lock order, as `post` writes step by step: the worker's
    conditional debit, the posting and its entries, one item out of stock, escrow last.
    Returns the redemption's id.

    `commit`: send the COMMIT in the same round trip, for a caller whose transaction this
    is and who writes nothing after the hold. The item's and escrow's rows are then held
    only while the database commits, not while the answer travels back to a client that
    must be scheduled to send the COMMIT (on a loaded machine that wait, several
    milliseconds, bounded every redemption of an item).

    A refusal raises and leaves the transaction aborted (nothing after it runs, the COMMIT
    neither): `WorkerShort` (a `Conflict`, code `insufficient_points`), `OutOfStock`,
    `CodeTaken` (draw another code and run the transaction again)."""
    require_transaction()
    sql = "SELECT points_hold_redemption(%s, %s, %s, %s, %s, %s, %s)"
    # Two statements in one round trip need psycopg's client-side binding (Django's
    # default); with server-side binding the COMMIT is left to the caller's atomic block.
    if commit and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        sql += "; COMMIT"
    try:
        ((redemption_id,),) = _rows(
            sql, [worker_id, item_id, station_id, code, points, _when(at), _when(expires_at)]
        )
    except DatabaseError as exc:
        refusal = _REFUSALS.get(getattr(exc.__cause__, "sqlstate", None))
        if refusal is WorkerShort:
            raise WorkerShort(int(exc.__cause__.diag.message_detail)) from None
        if refusal is not None:
            raise refusal() from None
        raise
    return redemption_id


# --- One posting ------------------------------------------------------------------------------


def post(
    *,
    kind: str,
    lines: Iterable[tuple],
    source_type: str = "",
    source_id: str = "",
    rule=None,
    redemption=None,
    reverses=None,
    reason: str = "",
    created_by=None,
    hot: Callable[[], None] | None = None,
    take_stock: int | None = None,
    now: dt.datetime | None = None,
) -> Posting:
    """Write one balanced posting and move the cached balances with it.

    `lines` are (account, amount) with the account an `Account`, a `WorkerOf(user_id)` or
    a `System(kind)`. Order: worker accounts (a debit is conditional, so a worker short of
    points refuses before anything is written), the posting, its entries, then `hot` (the
    caller's own hot row) or `take_stock` (one item of that catalogue item out of stock,
    `OutOfStock` if none is left), then the system accounts in their fixed order — last.
    On PostgreSQL, the stock and a lone system credit (a redemption's escrow) are one
    statement.

    Raises Conflict (code `insufficient_points`) when a debit exceeds a non-issuance
    balance — nothing written if it is a worker's, otherwise the caller's transaction must
    roll back (it does when the Conflict leaves the service) — and AssertionError when the
    lines do not make a balanced posting.
    """
    require_transaction()
    totals: dict = defaultdict(int)
    objects: dict[int, Account] = {}
    for account, amount in lines:
        if int(amount) != amount:
            _bug(f"points are whole numbers, not {amount!r}")
        if isinstance(account, Account):
            objects[account.pk] = account
            account = account.pk
        totals[account] += int(amount)
    moves = {target: amount for target, amount in totals.items() if amount}
    if len(moves) < 2:
        _bug("a posting moves points between at least two accounts")
    if sum(moves.values()) != 0:
        _bug(f"unbalanced posting: entries sum to {sum(moves.values())}")

    workers: list[tuple] = []  # (target, amount)
    systems: list[tuple] = []  # (order, target: id or System, amount, floored, label)
    for target, amount in moves.items():
        if isinstance(target, WorkerOf):
            workers.append((target, amount))
        elif isinstance(target, System):
            floored = target.kind != Account.Kind.ISSUANCE  # the mint may go below zero
            order = (SYSTEM_ORDER[target.kind], 0)
            systems.append((order, target, amount, floored, target))
        elif objects[target].kind == Account.Kind.WORKER:
            workers.append((objects[target], amount))
        else:
            account = objects[target]
            floored = account.kind != Account.Kind.ISSUANCE
            order = (SYSTEM_ORDER[account.kind], account.pk)
            systems.append((order, account.pk, amount, floored, account))
    if sum(isinstance(t, WorkerOf) for t, _a in workers) > 1 or (
        len(workers) > 1 and any(isinstance(t, WorkerOf) for t, _a in workers)
    ):
        _bug("name one worker by user id, or lock several with lock_workers first")

    entry_lines: list[tuple[int, int]] = []  # (account id, amount)
    for target, amount in sorted(workers, key=lambda w: getattr(w[0], "pk", 0) or 0):
        if isinstance(target, WorkerOf):
            account_id = _move_worker(target.user_id, amount)
            if account_id is None and amount > 0:  # a first credit opens the account
                _open_worker_accounts([target.user_id])
                account_id = _move_worker(target.user_id, amount)
        else:
            floor = " AND balance >= %s" if amount < 0 else ""
            moved = _count(
                f"UPDATE {ACCOUNT} SET balance = balance + %s WHERE id = %s{floor}",
                [amount, target.pk] + ([-amount] if amount < 0 else []),
            )
            account_id = target.pk if moved else None
        if account_id is None:
            raise insufficient(target, -amount)
        entry_lines.append((account_id, amount))

    moment = now or timezone.now()
    creator = created_by.pk if getattr(created_by, "is_authenticated", False) else None
    ((posting_id,),) = _rows(
        f"INSERT INTO {POSTING} (kind, source_type, source_id, rule_id, redemption_id,"
        " reverses_id, reason, created_by_id, created_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [
            kind,
            source_type,
            str(source_id),
            getattr(rule, "pk", None),
            getattr(redemption, "pk", None),
            getattr(reverses, "pk", None),
            reason[:300],
            creator,
            _when(moment),
        ],
    )
    systems.sort(key=lambda s: s[0])
    _insert_entries(
        [(posting_id, a, n) for a, n in entry_lines]
        + [(posting_id, target, n) for _o, target, n, _f, _l in systems]
    )
    if hot is not None:
        hot()
    if take_stock is not None:
        lone_credit = len(systems) == 1 and systems[0][2] > 0
        if lone_credit and connection.vendor == "postgresql":
            if not _take_one_then_credit(take_stock, systems[0][1], systems[0][2]):
                raise OutOfStock()
            systems = []
        elif not take_one(take_stock):
            raise OutOfStock()
    for _order, target, amount, floored, label in systems:  # the hot rows, last
        if not _move_system(target, amount, floor=floored):
            raise insufficient(label, -amount)
    posting = Posting(
        pk=posting_id,
        kind=kind,
        source_type=source_type,
        source_id=str(source_id),
        rule=rule,
        redemption=redemption,
        reverses=reverses,
        reason=reason[:300],
        created_by_id=creator,
        created_at=moment,
    )
    posting._state.adding, posting._state.db = False, connection.alias
    return posting


# --- Awards in batches --------------------------------------------------------------------


@dataclass
class AwardLine:
    """One award to post: `points` for (source, rule) to the worker `user_id`."""

    rule: object  # EarningRule
    user_id: int
    source_type: str
    source_id: str
    points: int
    reason: str = ""
    created_by_id: int | None = None
    tag: object = None  # the caller's own reference (a staged request's id)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.source_type, self.source_id, self.rule.pk)


@dataclass
class AwardOutcome:
    posted: dict = field(default_factory=dict)  # key → Posting (new)
    earlier: dict = field(default_factory=dict)  # key → Posting (awarded before)
    capped: list = field(default_factory=list)  # lines that posted nothing (caps used up)
    short: list = field(default_factory=list)  # lines left for lack of points (careful mode)

    def posting(self, key):
        return self.posted.get(key) or self.earlier.get(key)


class PoolShort(Conflict):
    """A funding pool held fewer points than the batch needed (nothing kept: roll back and
    post again with `careful=True`, which posts what the pools can pay)."""


def _local_day_start(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def _earned(pairs: set[tuple[int, int]], rules: dict, moment) -> dict:
    """{(account id, rule id): [today, this month]} for capped rules, one aggregate query."""
    if not pairs:
        return {}
    day = _local_day_start(moment)
    month = day.replace(day=1)
    since = month if any(rules[r].monthly_cap is not None for _a, r in pairs) else day
    accounts = sorted({a for a, _r in pairs})
    rule_ids = sorted({r for _a, r in pairs})
    rows = _rows(
        f"SELECT e.account_id, p.rule_id,"
        f" SUM(CASE WHEN p.created_at >= %s THEN e.amount ELSE 0 END), SUM(e.amount)"
        f" FROM {ENTRY} e JOIN {POSTING} p ON p.id = e.posting_id"
        f" WHERE e.account_id IN ({', '.join(['%s'] * len(accounts))})"
        f" AND p.rule_id IN ({', '.join(['%s'] * len(rule_ids))})"
        f" AND p.kind = 'award' AND p.created_at >= %s"
        f" GROUP BY e.account_id, p.rule_id",
        [_when(day), *accounts, *rule_ids, _when(since)],
    )
    return {(a, r): [int(d or 0), int(m or 0)] for a, r, d, m in rows}


def post_awards(
    lines: list[AwardLine], *, careful: bool = False, now: dt.datetime | None = None
) -> AwardOutcome:
    """Post many awards set-based, keeping every rule of `services.award`: at most once per
    (source, rule) (`INSERT … ON CONFLICT DO NOTHING`), cut to each worker's daily and
    monthly caps (counted under the worker's row lock), each pool debited once for the
    batch and never below zero, every posting balanced.

    About ten statements whatever the batch size: lock the workers' accounts, look up
    earlier awards and what the caps have already counted, insert the postings and their
    entries, move the workers' balances, then debit each funding pool — the hot rows, last.
    Raises PoolShort when a pool cannot pay for the batch, unless `careful`: then the pools
    are locked (still last) and the lines they cannot pay are returned in `short`.
    """
    require_transaction()
    moment = now or timezone.now()
    outcome = AwardOutcome()
    seen, todo = set(), []
    for line in lines:  # the same source twice in one batch: the first counts
        if line.points > 0 and line.key not in seen:
            seen.add(line.key)
            todo.append(line)
    if not todo:
        return outcome
    # One unlocked look: which workers have an account, and the city pool's id (so the
    # entries name it by id). Missing accounts are opened before any row is locked.
    user_ids = sorted({line.user_id for line in todo})
    have, city_pool_id = set(), None
    for owner_id, pk in Account.objects.filter(
        Q(owner_id__in=user_ids) | Q(code=SYSTEM_CODES[Account.Kind.POOL])
    ).values_list("owner_id", "pk"):
        if owner_id is None:
            city_pool_id = pk
        else:
            have.add(owner_id)
    if len(have) < len(user_ids):
        _open_worker_accounts(pk for pk in user_ids if pk not in have)
    if city_pool_id is None:
        city_pool_id = system_account(Account.Kind.POOL).pk
    accounts = dict(
        Account.objects.select_for_update()
        .filter(owner_id__in=user_ids)
        .order_by("pk")
        .values_list("owner_id", "pk")
    )

    rule_ids = sorted({line.rule.pk for line in todo})
    for posting in Posting.objects.filter(
        kind=Posting.Kind.AWARD,
        rule_id__in=rule_ids,
        source_type__in={line.source_type for line in todo},
        source_id__in={line.source_id for line in todo},
    ).select_related("rule"):
        outcome.earlier[(posting.source_type, posting.source_id, posting.rule_id)] = posting
    todo = [line for line in todo if line.key not in outcome.earlier]

    rules = {line.rule.pk: line.rule for line in todo}
    capped = {
        (accounts[line.user_id], line.rule.pk)
        for line in todo
        if line.rule.daily_cap is not None or line.rule.monthly_cap is not None
    }
    earned = _earned(capped, rules, moment)

    def pool_of(rule):
        return rule.funded_by_id or city_pool_id

    def order(pool):  # the city's pool first, then sponsors' by id (SYSTEM_ORDER)
        return (0, 0) if pool == city_pool_id else (SYSTEM_ORDER[Account.Kind.SPONSOR], pool)

    left: dict = {}
    if careful:  # lock the pools now (still after the workers) and post what they can pay
        for pool in sorted({pool_of(line.rule) for line in todo}, key=order):
            rows = Account.objects.select_for_update().filter(pk=pool)
            left[pool] = rows.values_list("balance", flat=True).first() or 0

    chosen: list[tuple[AwardLine, int, object]] = []  # (line, points, pool)
    for line in todo:
        rule, account = line.rule, accounts[line.user_id]
        points = line.points
        counted = earned.setdefault((account, rule.pk), [0, 0])
        if rule.daily_cap is not None:
            points = min(points, rule.daily_cap - counted[0])
        if rule.monthly_cap is not None:
            points = min(points, rule.monthly_cap - counted[1])
        if points <= 0:
            outcome.capped.append(line)
            continue
        pool = pool_of(rule)
        if careful:
            if left.get(pool, 0) < points:
                outcome.short.append(line)
                continue
            left[pool] -= points
        counted[0] += points
        counted[1] += points
        chosen.append((line, points, pool))
    if not chosen:
        return outcome

    values = ", ".join(["('award', %s, %s, %s, %s, %s, %s)"] * len(chosen))
    params: list = []
    stamp = _when(moment)
    for line, _points, _pool in chosen:
        params += [
            line.source_type,
            line.source_id,
            line.rule.pk,
            line.reason[:300],
            line.created_by_id,
            stamp,
        ]
    inserted = _rows(
        f"INSERT INTO {POSTING} (kind, source_type, source_id, rule_id, reason, created_by_id,"
        f" created_at) VALUES {values} ON CONFLICT DO NOTHING"
        f" RETURNING id, source_type, source_id, rule_id",
        params,
    )
    ids = {(st, si, r): pk for pk, st, si, r in inserted}
    entries, credits, debits = [], defaultdict(int), defaultdict(int)
    for line, points, pool in chosen:
        posting_id = ids.get(line.key)
        if posting_id is None:  # awarded a moment ago by a transaction we did not wait for
            continue
        account = accounts[line.user_id]
        entries += [(posting_id, pool, -points), (posting_id, account, points)]
        credits[account] += points
        debits[pool] += points
        posting = Posting(
            pk=posting_id,
            kind=Posting.Kind.AWARD,
            source_type=line.source_type,
            source_id=line.source_id,
            rule=line.rule,
            reason=line.reason[:300],
            created_by_id=line.created_by_id,
            created_at=moment,
        )
        posting._state.adding, posting._state.db = False, connection.alias
        outcome.posted[line.key] = posting
    if len(ids) < len(chosen):
        missing = [line.key for line, _p, _pool in chosen if line.key not in ids]
        for posting in Posting.objects.filter(
            kind=Posting.Kind.AWARD,
            rule_id__in={k[2] for k in missing},
            source_id__in={k[1] for k in missing},
        ):
            key = (posting.source_type, posting.source_id, posting.rule_id)
            if key in missing:
                outcome.earlier[key] = posting
    if not entries:
        return outcome
    _insert_entries(entries)
    cases = " ".join(["WHEN %s THEN %s"] * len(credits))
    _count(
        f"UPDATE {ACCOUNT} SET balance = balance + CASE id {cases} END"
        f" WHERE id IN ({', '.join(['%s'] * len(credits))})",
        [v for pair in sorted(credits.items()) for v in pair] + sorted(credits),
    )
    for pool in sorted(debits, key=order):  # the hot rows, last
        if not _move_system(pool, -debits[pool], floor=True):
            raise PoolShort(
                _("The reward pool holds fewer than %(points)d points.") % {"points": debits[pool]},
                code=INSUFFICIENT,
            )
    return outcome
