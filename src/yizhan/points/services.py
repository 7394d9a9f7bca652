"""The life of a point, top to bottom: the city issues points into its reward pool; good
deeds earn awards under the city's rules (at most once per source and rule, within caps);
an administrator may grant or reverse with a reason; workers' wishes become catalogue
items; a redemption holds points and stock until the station keeper hands the item over,
or the worker cancels, or it expires and is refunded.

Every function here is one use case in one transaction with keyword-only arguments. All
balance changes go through `ledger.post`, which owns the locking order. A refusal is a
`yizhan.core.errors` error (Invalid, NotAllowed, NotFound, Conflict) with a message for the
person; people hear about decisions that concern them through `core.notifications`.
"""

import datetime as dt
import functools
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.accounts import selectors as accounts
from yizhan.accounts.permissions import Role
from yizhan.core import idempotency
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.images import ImageRejected, process_photo
from yizhan.core.notifications import Recipients, notify, notify_all, recipients
from yizhan.core.schema import INT_MAX
from yizhan.points import ledger, permissions, selectors
from yizhan.points.models import (
    MIN_PRICE,
    Account,
    AwardRequest,
    CatalogItem,
    EarningRule,
    HardshipApproval,
    Posting,
    Redemption,
    RedemptionEvent,
    Wish,
)
from yizhan.points.selectors import normalise_code
from yizhan.reports import selectors as report_selectors

logger = logging.getLogger("yizhan.points")

# Pick-up codes: 8 characters without look-alikes (no 0/O, 1/I/L), shown as ABCD-EFGH.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# A manual award is a correction or a thank-you, not a budget: the form's limit, everywhere.
GRANT_MAX = 100_000


def _require_points(points, *, most: int = INT_MAX) -> int:
    if not isinstance(points, int) or isinstance(points, bool) or not 0 < points <= most:
        raise Invalid(
            fields={
                "points": [_("Points must be a whole number from 1 to %(most)d.") % {"most": most}]
            }
        )
    return points


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": [_("Give a reason: it is kept in the ledger.")]})
    return reason


# --- Issuance, awards, grants, reversals --------------------------------------------------


@transaction.atomic
def pool_issue(*, points: int, reason: str, by=None, account: Account | None = None) -> Posting:
    """The city (or a sponsor) puts new points into a pool: the only way points are created."""
    _require_points(points)
    target = account or ledger.system_account(Account.Kind.POOL)
    if target.kind not in (Account.Kind.POOL, Account.Kind.SPONSOR):
        raise Invalid(_("Points can only be issued into a pool."))
    mint = ledger.system_account(Account.Kind.ISSUANCE)
    return ledger.post(
        kind=Posting.Kind.ISSUANCE,
        lines=[(mint, -points), (target, points)],
        reason=_require_reason(reason),
        created_by=by,
    )


@transaction.atomic
def award(
    *,
    rule: EarningRule,
    worker,
    source_type: str,
    source_id,
    quantity: int = 1,
    reason: str = "",
    by=None,
) -> Posting | None:
    """Award `rule.points` x quantity for one source (a verified report, an hour of
    volunteering…), at most once per (source, rule), cut to the worker's caps — now, in
    this transaction (event-driven awards go through `award_request` and the batch
    applier instead; both post with `ledger.post_awards`).

    Returns the award posting — the earlier one if this source was already rewarded — or
    None when the rule is inactive, the caps are used up or the person is not a worker.
    Raises Conflict when the funding pool is empty.
    """
    source_id = str(source_id)
    if not rule.active or not permissions.is_worker(worker):
        return None
    line = ledger.AwardLine(
        rule=rule,
        user_id=worker.pk,
        source_type=source_type,
        source_id=source_id,
        points=rule.points * max(int(quantity), 0),
        reason=reason,
        created_by_id=by.pk if getattr(by, "is_authenticated", False) else None,
    )
    try:
        outcome = ledger.post_awards([line])
    except ledger.PoolShort as exc:
        raise Conflict(_("The reward pool has too few points."), code=exc.code) from None
    if outcome.capped:
        logger.info(
            "award capped: rule %s worker %s %s %s", rule.code, worker.pk, source_type, source_id
        )
    return outcome.posting(line.key)


# --- Event-driven awards: staged, then posted in batches -------------------------------------

# The sources of the good deeds subscribers stage, and the source type their postings name.
DEED_SOURCE_TYPES = {
    EarningRule.Source.REPORT_VERIFIED: "report",
    EarningRule.Source.VOLUNTEER_HOUR: "volunteering",
    EarningRule.Source.TRAINING: "training",
    EarningRule.Source.EVENT: "event",
    EarningRule.Source.WELFARE: "welfare",
}
_booked_until: list = [None]  # when this process's next booked applier run starts


def award_request(
    *, deed: str, worker_id, source_id, quantity: int = 1, category: str = ""
) -> None:
    """Stage the award for a good deed (what subscribers call): one INSERT … ON CONFLICT DO
    NOTHING, so the same source staged twice is one request, and the applier run booked.
    The rule (for a report: its category's, else the catch-all), the worker (an active
    worker?) and the caps are settled when the batch is posted (`awards_apply`)."""
    source_type = DEED_SOURCE_TYPES[deed]
    now = timezone.now()
    stamp = ledger._when(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AwardRequest._meta.db_table} (deed, category, worker_id, source_type,"
            " source_id, quantity, created_at, not_before)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                deed,
                category[:40],
                int(worker_id),
                source_type,
                str(source_id)[:60],
                max(int(quantity), 0),
                stamp,
                stamp,
            ],
        )
    _book_applier()


def _book_applier() -> None:
    """Book a run of the batch applier. With `POINTS_AWARD_DELAY_MS` 0 each request books
    its own run in its transaction; otherwise a process books at most one run per delay,
    after its commit: a request committed before a booked run starts is seen by that run."""
    from yizhan.points.tasks import apply_awards

    delay = dt.timedelta(milliseconds=settings.POINTS_AWARD_DELAY_MS)
    if not delay:
        apply_awards.enqueue()
        return

    def book():
        now = timezone.now()
        if _booked_until[0] is not None and now < _booked_until[0]:
            return
        _booked_until[0] = now + delay
        apply_awards.using(run_after=_booked_until[0]).enqueue()

    transaction.on_commit(book)


def _active_workers(user_ids) -> set[int]:
    """Which of these users are active workers (erased or closed accounts earn nothing)."""
    rows = accounts.worker_list().filter(user_id__in=sorted(user_ids), user__is_active=True)
    return set(rows.order_by().values_list("user_id", flat=True))


def _rules_for(deeds) -> dict[str, list[EarningRule]]:
    rules: dict[str, list[EarningRule]] = {}
    for rule in EarningRule.objects.filter(source__in=sorted(deeds), active=True).order_by("pk"):
        rules.setdefault(rule.source, []).append(rule)
    return rules


def _lines_for(request, rules) -> list:
    """The awards one staged request earns: for a report the rule of its category, else the
    catch-all (empty category); for any other deed every active rule of its source."""
    found = rules.get(request.deed, [])
    if request.deed == EarningRule.Source.REPORT_VERIFIED:
        own = [r for r in found if r.category == request.category and r.category]
        found = (own or [r for r in found if not r.category])[:1]
    return [
        ledger.AwardLine(
            rule=rule,
            user_id=request.worker_id,
            source_type=request.source_type,
            source_id=request.source_id,
            points=rule.points * request.quantity,
            tag=request.pk,
        )
        for rule in found
    ]


@dataclass
class Applied:
    claimed: int = 0
    posted: int = 0
    waiting: int = 0  # left for a pool that is short of points


def _apply_batch(limit: int, *, careful: bool) -> Applied:
    now = timezone.now()
    requests = list(
        AwardRequest.objects.select_for_update(skip_locked=True)
        .filter(not_before__lte=now)
        .order_by("pk")[:limit]
    )
    if not requests:
        return Applied()
    rules = _rules_for({r.deed for r in requests})
    workers = _active_workers({r.worker_id for r in requests})
    lines = [line for r in requests if r.worker_id in workers for line in _lines_for(r, rules)]
    outcome = ledger.post_awards(lines, careful=careful, now=now)
    waiting = {line.tag for line in outcome.short}
    if waiting:
        AwardRequest.objects.filter(pk__in=waiting).update(
            not_before=now + dt.timedelta(seconds=60)
        )
        logger.warning("%d awards wait for their pool to be topped up", len(waiting))
    AwardRequest.objects.filter(pk__in=[r.pk for r in requests if r.pk not in waiting]).delete()
    return Applied(claimed=len(requests), posted=len(outcome.posted), waiting=len(waiting))


def awards_apply(*, limit: int | None = None) -> Applied:
    """Post up to `limit` staged awards in one transaction (the batch applier). A pool too
    short for the batch: the batch is posted again carefully — what the pools can pay is
    posted, the rest waits a minute (and `yizhan points issue` tops the pool up)."""
    limit = limit or settings.POINTS_AWARD_BATCH
    try:
        with transaction.atomic():
            return _apply_batch(limit, careful=False)
    except ledger.PoolShort:
        with transaction.atomic():
            return _apply_batch(limit, careful=True)


def awards_apply_all(*, limit: int | None = None, seconds: float = 30.0) -> int:
    """Batches until nothing is left to post (or `seconds` have passed); awards posted."""
    limit = limit or settings.POINTS_AWARD_BATCH
    deadline = time.monotonic() + seconds
    posted = 0
    while True:
        applied = awards_apply(limit=limit)
        posted += applied.posted
        if applied.claimed < limit or applied.waiting or time.monotonic() > deadline:
            return posted


@transaction.atomic
def grant(*, worker, points: int, reason: str, by=None, via: str = "") -> Posting:
    """A manual award by an administrator, from the city's pool, with a reason (audited:
    the posting keeps who, when and why; only the erasure of the worker's data clears the
    why). `worker` None (no account with that number) is refused on the `mobile` field."""
    _require_points(points, most=GRANT_MAX)
    reason = _require_reason(reason)
    if worker is None:
        raise Invalid(fields={"mobile": [_("No account with this mobile number.")]})
    if not permissions.is_worker(worker):
        raise Invalid(fields={"mobile": [_("This person is not a registered worker.")]})
    try:
        posting = ledger.post(
            kind=Posting.Kind.GRANT,
            lines=[
                (ledger.System(Account.Kind.POOL), -points),
                (ledger.WorkerOf(worker.pk), points),
            ],
            source_type="manual",
            source_id=via,
            reason=reason,
            created_by=by,
        )
    except Conflict as exc:
        if exc.code != ledger.INSUFFICIENT:
            raise
        raise Conflict(_("The city's reward pool has too few points."), code=exc.code) from None
    logger.info("grant %s points to worker %s by %s (%s): %s", points, worker.pk, by, via, reason)
    return posting


REVERSIBLE = (Posting.Kind.AWARD, Posting.Kind.GRANT, Posting.Kind.ISSUANCE)


@transaction.atomic
def posting_reverse(*, posting: Posting, reason: str, by=None) -> Posting:
    """Correct a mistaken award, grant or issuance by posting its exact opposite."""
    reason = _require_reason(reason)
    if posting.kind not in REVERSIBLE:
        raise Invalid(
            fields={"posting": [_("Only awards, manual awards and issuances can be reversed.")]}
        )
    entries = list(posting.entries.select_related("account"))
    locked = ledger.lock_workers([e.account.owner for e in entries if e.account.owner_id])
    if Posting.objects.filter(reverses=posting).exists():
        raise Conflict(_("This posting has already been reversed."))
    for entry in entries:
        account = locked.get(entry.account.owner_id) if entry.account.owner_id else None
        if account is not None and account.balance < entry.amount:
            raise Conflict(
                _("Cannot reverse: %(account)s no longer holds %(points)d points.")
                % {"account": account, "points": entry.amount},
                code=ledger.INSUFFICIENT,
            )
    try:  # a pool that has spent the points refuses in the ledger, with its own message
        return ledger.post(
            kind=Posting.Kind.REVERSAL,
            lines=[(e.account, -e.amount) for e in entries],
            reverses=posting,
            source_type=posting.source_type,
            source_id=posting.source_id,
            rule=posting.rule,
            reason=reason,
            created_by=by,
        )
    except IntegrityError:
        raise Conflict(_("This posting has already been reversed.")) from None


# --- Earning rules (the city administrator's) -------------------------------------------

RULE_FIELDS = ("name", "source", "category", "rank", "points", "daily_cap", "monthly_cap", "active")


def _clean_rule(rule: EarningRule) -> None:
    errors = {}
    if rule.source not in EarningRule.Source.values:
        errors["source"] = [_("Choose a source from the list.")]
    if not isinstance(rule.points, int) or rule.points <= 0:
        errors["points"] = [_("Points must be a whole number above zero.")]
    for cap in ("daily_cap", "monthly_cap"):
        value = getattr(rule, cap)
        if value is not None and (not isinstance(value, int) or value <= 0):
            errors[cap] = [_("A cap is a whole number above zero, or empty for no cap.")]
    if (
        rule.source == EarningRule.Source.REPORT_VERIFIED
        and rule.category
        and not report_selectors.category_exists(rule.category)
    ):
        errors["category"] = [
            _(
                "No hazard report category has the code “%(code)s”. Use a code from the list of report categories, or leave it empty for any report."
            )
            % {"code": rule.category}
        ]
    if rule.source == EarningRule.Source.HONOURS and rule.rank not in (1, 2, 3):
        errors["rank"] = [_("Monthly honours need a rank of 1, 2 or 3.")]
    if not (rule.name or "").strip():
        errors["name"] = [_("Give the rule a name.")]
    if errors:
        raise Invalid(fields=errors)


@transaction.atomic
def rule_create(*, by, code: str, **values) -> EarningRule:
    """A new earning rule. Rules are configuration: changing one never touches past awards."""
    _require_admin(by)
    from django.utils.text import slugify

    code = slugify(code or values.get("name", ""), allow_unicode=False)[:40]
    if not code or EarningRule.objects.filter(code=code).exists():
        raise Invalid(
            fields={"code": [_("Give the rule a unique code (letters, digits, dashes).")]}
        )
    rule = EarningRule(code=code, **{k: v for k, v in values.items() if k in RULE_FIELDS})
    _clean_rule(rule)
    rule.save()
    return rule


@transaction.atomic
def rule_update(*, by, rule_id: int, **values) -> EarningRule:
    _require_admin(by)
    rule = EarningRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such rule."))
    for name, value in values.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    _clean_rule(rule)
    rule.save()
    return rule


# --- Monthly awards ------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


MONTHLY_BATCH = 500


def _post_monthly(lines: list) -> int:
    """Monthly awards, `MONTHLY_BATCH` per transaction through the batch path (at most once
    per source and rule, so a second run posts nothing). Raises Conflict when the pool is
    short; what was posted stays, the next daily run posts the rest."""
    made = 0
    for start in range(0, len(lines), MONTHLY_BATCH):
        with transaction.atomic():
            try:
                outcome = ledger.post_awards(lines[start : start + MONTHLY_BATCH])
            except ledger.PoolShort as exc:
                raise Conflict(_("The reward pool has too few points."), code=exc.code) from None
        made += len(outcome.posted) + len(outcome.earlier)
    return made


def monthly_hardship_award(*, month: dt.date) -> int:
    """The monthly allowance for every approved worker (e.g. 60 points), once per month."""
    month = month_start(month)
    rules = list(EarningRule.objects.filter(source=EarningRule.Source.HARDSHIP, active=True))
    approvals = HardshipApproval.objects.filter(first_month__lte=month).exclude(
        last_month__lt=month
    )
    approvals = list(approvals.order_by("pk").values_list("worker_id", "reason"))
    workers = _active_workers({worker_id for worker_id, _reason in approvals})
    lines = [
        ledger.AwardLine(
            rule=rule,
            user_id=worker_id,
            source_type="hardship",
            source_id=f"{_month_key(month)}:{worker_id}",
            points=rule.points,
            reason=reason,
        )
        for worker_id, reason in approvals
        if worker_id in workers
        for rule in rules
    ]
    return _post_monthly(lines)


def monthly_honours_award(*, month: dt.date) -> int:
    """Honours for each district's top three of the month (骑网先锋, e.g. 50/30/20)."""
    month = month_start(month)
    rules = {
        r.rank: r
        for r in EarningRule.objects.filter(
            source=EarningRule.Source.HONOURS, active=True, rank__in=[1, 2, 3]
        )
    }
    tops = selectors.monthly_top_three(month=month)
    workers = _active_workers({row["user_id"] for top in tops.values() for row in top})
    lines = [
        ledger.AwardLine(
            rule=rules[rank],
            user_id=row["user_id"],
            source_type="honours",
            source_id=f"{_month_key(month)}:{district_code}:{rank}",
            points=rules[rank].points,
            reason=_("Pioneer of the month, rank %(rank)d") % {"rank": rank},
        )
        for district_code, top in tops.items()
        for rank, row in enumerate(top, 1)
        if rank in rules and row["user_id"] in workers
    ]
    return _post_monthly(lines)


# --- Wishes and the catalogue --------------------------------------------------------------


def _require_admin(user) -> None:
    if not permissions.can_administer(user):
        raise NotAllowed(_("Only the city administrator may do this."))


@transaction.atomic
def wish_submit(*, worker, title: str, details: str = "") -> Wish:
    if not permissions.is_worker(worker):
        raise NotAllowed(_("Only workers can make wishes."))
    title = (title or "").strip()
    if not title:
        raise Invalid(fields={"title": [_("Say what you wish for.")]})
    return Wish.objects.create(
        worker=worker, title=title[:80], details=(details or "").strip()[:300]
    )


def _clean_item(*, name: str, price, stock) -> str:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the item a name.")]
    if not isinstance(price, int) or price < MIN_PRICE:
        errors["price"] = [_("The price must be %(min)d points or more.") % {"min": MIN_PRICE}]
    elif price > INT_MAX:
        errors["price"] = [_("At most %(max)d.") % {"max": INT_MAX}]
    if not isinstance(stock, int) or stock < 0:
        errors["stock"] = [_("Stock must be zero or more.")]
    elif stock > INT_MAX:
        errors["stock"] = [_("At most %(max)d.") % {"max": INT_MAX}]
    if errors:
        raise Invalid(fields=errors)
    return name


@transaction.atomic
def catalog_item_create(
    *,
    by,
    name: str,
    price: int,
    stock: int,
    stations,
    sponsor=None,
    description: str = "",
    photo=None,
) -> CatalogItem:
    _require_admin(by)
    name = _clean_item(name=name, price=price, stock=stock)
    stations = list(stations)
    if not stations:
        raise Invalid(fields={"stations": [_("Choose at least one pick-up station.")]})
    cleaned = _product_photo(photo) if photo else None
    item = CatalogItem.objects.create(
        name=name,
        price=price,
        stock=stock,
        sponsor=sponsor,
        description=(description or "").strip()[:300],
        created_by=by,
    )
    item.stations.set(stations)
    if cleaned is not None:
        _store_photo(item, cleaned)
    return item


PHOTO_SIDE = 800  # a product photo on a phone needs no more


def _product_photo(upload) -> bytes:
    """The photo checked and re-encoded like every photo (core.images), or Invalid."""
    try:
        return process_photo(upload, max_side=PHOTO_SIDE).content
    except ImageRejected as exc:
        raise Invalid(fields={"photo": [str(exc)]}) from None


def _store_photo(item: CatalogItem, content: bytes) -> None:
    old = item.photo.name if item.photo else ""
    item.photo.save(f"item-{item.pk}.jpg", ContentFile(content), save=True)
    item.refresh_from_db(fields=["photo", "photo_width", "photo_height"])
    if old:
        storage = item.photo.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def catalog_item_set_photo(*, by, item: CatalogItem, photo) -> CatalogItem:
    """A new product photo for an item (the old file goes once the change is committed)."""
    _require_admin(by)
    _store_photo(item, _product_photo(photo))
    return item


@transaction.atomic
def catalog_item_update(
    *, by, item: CatalogItem, price: int | None = None, active: bool | None = None, stations=None
) -> CatalogItem:
    """Change price, offering or stations. Held redemptions keep the price they were made at."""
    _require_admin(by)
    if price is not None:
        _clean_item(name=item.name, price=price, stock=0)
        CatalogItem.objects.filter(pk=item.pk).update(price=price)
    if active is not None:
        CatalogItem.objects.filter(pk=item.pk).update(active=active)
    if stations is not None:
        stations = list(stations)
        if not stations:
            raise Invalid(fields={"stations": [_("Choose at least one pick-up station.")]})
        item.stations.set(stations)
    item.refresh_from_db()
    return item


@transaction.atomic
def catalog_item_restock(*, by, item: CatalogItem, add: int) -> CatalogItem:
    """Add (or, negative, withdraw) stock — relative, so it never races a redemption."""
    _require_admin(by)
    if not isinstance(add, int) or add == 0 or abs(add) > INT_MAX:
        raise Invalid(fields={"add": [_("Give a number of items other than zero.")]})
    rows = CatalogItem.objects.filter(pk=item.pk)
    rows = rows.filter(stock__gte=-add) if add < 0 else rows.filter(stock__lte=INT_MAX - add)
    if not rows.update(stock=F("stock") + add):
        if add > 0:
            raise Invalid(fields={"add": [_("At most %(max)d.") % {"max": INT_MAX}]})
        raise Conflict(_("There are fewer items in stock than you want to withdraw."))
    item.refresh_from_db()
    return item


def _open_wish(wish_id: int) -> Wish:
    wish = Wish.objects.select_for_update().filter(pk=wish_id).first()
    if wish is None:
        raise NotFound(_("No such wish."))
    if wish.status != Wish.Status.SUBMITTED:
        raise Conflict(_("This wish has already been decided."))
    return wish


def _tell_wisher(wish: Wish, message, **params) -> None:
    notify(
        user=wish.worker,
        message=message,
        params={"wish": wish.title, **params},
        url=reverse("points:wishes"),
        verb="points.wish",
    )


@transaction.atomic
def wish_catalogue(
    *, by, wish_id: int, price: int, stock: int, stations, sponsor=None, name: str = ""
) -> Wish:
    """Approve a wish into the catalogue at a price (2 points or more) with stock and stations."""
    _require_admin(by)
    wish = _open_wish(wish_id)
    item = catalog_item_create(
        by=by,
        name=name or wish.title,
        price=price,
        stock=stock,
        stations=stations,
        sponsor=sponsor,
        description=wish.details,
    )
    wish.status, wish.item = Wish.Status.CATALOGUED, item
    wish.answer = _("Now in the catalogue for %(price)d points.") % {"price": price}
    wish.decided_by, wish.decided_at = by, timezone.now()
    wish.save()
    _tell_wisher(
        wish,
        gettext_lazy("Your wish “%(wish)s” is in the catalogue for %(price)d points."),
        price=price,
    )
    return wish


@transaction.atomic
def wish_fulfil(*, by, wish_id: int, answer: str) -> Wish:
    """The city (or a sponsor) fulfils the wish directly, without points."""
    _require_admin(by)
    answer = _require_reason(answer)
    wish = _open_wish(wish_id)
    wish.status, wish.answer = Wish.Status.FULFILLED, answer
    wish.decided_by, wish.decided_at = by, timezone.now()
    wish.save()
    _tell_wisher(wish, gettext_lazy("Your wish “%(wish)s” is granted: %(answer)s"), answer=answer)
    return wish


@transaction.atomic
def wish_decline(*, by, wish_id: int, reason: str) -> Wish:
    _require_admin(by)
    reason = _require_reason(reason)
    wish = _open_wish(wish_id)
    wish.status, wish.answer = Wish.Status.DECLINED, reason
    wish.decided_by, wish.decided_at = by, timezone.now()
    wish.save()
    _tell_wisher(wish, gettext_lazy("Your wish “%(wish)s” was declined: %(answer)s"), answer=reason)
    return wish


# --- Redemptions -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _keepers_of(station_id: int, vendor: str) -> Recipients:
    """The station's keepers, as the SQL that selects them, compiled once per station and
    process (on every redemption compiling the ORM query cost more than the INSERT it
    feeds). They are still selected when the notice is written: a keeper appointed a moment
    ago hears of the next redemption."""
    return recipients(accounts.users_holding(Role.STATION_KEEPER, station_id=station_id))


PICK_UP_NOTICE = gettext_lazy("%(item)s was redeemed for pick-up at %(station)s: have it ready.")


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _record(redemption: Redemption, status: str, by=None, note: str = "", at=None) -> None:
    """A row of the redemption's history (one INSERT, no RETURNING: nobody reads its id)."""
    by_id = by.pk if getattr(by, "is_authenticated", False) else None
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RedemptionEvent._meta.db_table} (redemption_id, status, at, by_id, note)"
            " VALUES (%s, %s, %s, %s, %s)",
            [redemption.pk, status, ledger._when(at or timezone.now()), by_id, note[:200]],
        )


def _offer(item_id: int, station_id: int):
    """The item (id, name, price) and the station's name, if the item is offered there (one
    query, only the columns the redemption needs)."""
    through = CatalogItem.stations.through
    station_table = CatalogItem.stations.field.related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.name, i.price, s.name FROM {through._meta.db_table} o"
            f" JOIN {CatalogItem._meta.db_table} i ON i.id = o.catalogitem_id"
            f" JOIN {station_table} s ON s.id = o.station_id"
            " WHERE o.catalogitem_id = %s AND o.station_id = %s AND i.active",
            [item_id, station_id],
        )
        offer = cursor.fetchone()
    if offer is not None:
        # The other columns stay deferred: read from the database if anyone asks for them.
        item = CatalogItem.from_db(connection.alias, ["id", "name", "price"], [item_id, *offer[:2]])
        return item, offer[2]
    if not CatalogItem.objects.filter(pk=item_id, active=True).exists():
        raise Invalid(fields={"item_id": [_("This item is not in the catalogue.")]})
    raise Invalid(fields={"station_id": [_("This item cannot be picked up at that station.")]})


def _held(*, pk, code, worker, item, station_id, now, expires_at) -> Redemption:
    """The redemption just written, as an object (no query to read it back)."""
    redemption = Redemption(
        pk=pk,
        code=code,
        worker=worker,
        item=item,
        station_id=station_id,
        points=item.price,
        status=Redemption.Status.HELD,
        created_at=now,
        expires_at=expires_at,
    )
    redemption._state.adding, redemption._state.db = False, connection.alias
    return redemption


def _codes(first: str | None):
    """Pick-up codes to try: `first` (drawn by the caller), then fresh ones. A code already
    taken (rare: one in 10¹¹ per redemption kept) is drawn again; five in a row is a bug."""
    yield first or _new_code()
    for _attempt in range(4):
        yield _new_code()
    raise AssertionError("five pick-up codes in a row were taken")


def _insert_redemption(*, worker, item, station_id, now, expires_at, first_code) -> Redemption:
    """A new redemption with a pick-up code of its own (INSERT … ON CONFLICT (code) DO
    NOTHING: a taken code is drawn again without a savepoint)."""
    for code in _codes(first_code):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Redemption._meta.db_table} (code, worker_id, item_id, station_id,"
                " points, status, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (code) DO NOTHING RETURNING id",
                [
                    code,
                    worker.pk,
                    item.pk,
                    station_id,
                    item.price,
                    Redemption.Status.HELD,
                    ledger._when(now),
                    ledger._when(expires_at),
                ],
            )
            row = cursor.fetchone()
        if row:
            return _held(
                pk=row[0],
                code=code,
                worker=worker,
                item=item,
                station_id=station_id,
                now=now,
                expires_at=expires_at,
            )


def _hold_step_by_step(*, worker, item, station_id, now, expires_at, first_code) -> Redemption:
    """SQLite (the demo): the redemption, its history row, then the hold through
    `ledger.post` — the worker's debit, the posting and its entries, the stock and escrow.
    Refuses as `ledger.hold_redemption` does (`WorkerShort`, `OutOfStock`)."""
    redemption = _insert_redemption(
        worker=worker,
        item=item,
        station_id=station_id,
        now=now,
        expires_at=expires_at,
        first_code=first_code,
    )
    _record(redemption, Redemption.Status.HELD, by=worker, at=now)
    try:
        ledger.post(
            kind=Posting.Kind.HOLD,
            lines=[
                (ledger.WorkerOf(worker.pk), -item.price),
                (ledger.System(Account.Kind.ESCROW), item.price),
            ],
            redemption=redemption,
            source_type="redemption",
            source_id=redemption.pk,
            created_by=worker,
            take_stock=item.pk,
            now=now,
        )
    except Conflict as exc:  # OutOfStock goes up as it is
        if exc.code != ledger.INSUFFICIENT:
            raise
        account = selectors.account_of(worker)
        raise ledger.WorkerShort(account.balance if account else 0) from None
    return redemption


def _hold_in_database(
    *, worker, item, station_id, now, expires_at, first_code, commit
) -> Redemption:
    """PostgreSQL: the same rows as `_hold_step_by_step` in one call of the database
    function (`ledger.hold_redemption`), with the COMMIT if `commit`. A pick-up code
    already taken raises `ledger.CodeTaken`: the caller runs the transaction again."""
    code = first_code or _new_code()
    pk = ledger.hold_redemption(
        worker_id=worker.pk,
        item_id=item.pk,
        station_id=station_id,
        code=code,
        points=item.price,
        at=now,
        expires_at=expires_at,
        commit=commit,
    )
    return _held(
        pk=pk,
        code=code,
        worker=worker,
        item=item,
        station_id=station_id,
        now=now,
        expires_at=expires_at,
    )


def redemption_create(*, worker, item_id: int, station_id: int) -> Redemption:
    """Hold the item's price and one item of stock in one transaction; return the
    redemption with its pick-up code, and tell the station's keepers to have it ready.
    Refuses with a message and changes nothing when the worker lacks points, the stock is
    gone or the item is not offered at that station.

    The hot rows last (docs/POINTS.md, "Locking"): the offer, the keepers' notices, the
    redemption and its history row first; then the worker's debit (which locks their
    account), the posting and its entries; then the item's stock, and escrow last. On
    PostgreSQL everything after the notices is one call of a database function, which
    carries the COMMIT when the transaction is this function's own; on SQLite, the same
    steps from Python."""
    for _attempt in range(5):  # a pick-up code drawn before: again, with another
        own = not connection.in_atomic_block
        try:
            with transaction.atomic():
                return _redeem(worker=worker, item_id=item_id, station_id=station_id, commit=own)
        except ledger.CodeTaken:
            continue
    raise AssertionError("five pick-up codes in a row were taken")


def _redeem(*, worker, item_id: int, station_id: int, first_code=None, commit=False):
    """`redemption_create` inside the caller's transaction (no savepoint of its own: a
    refusal must leave the transaction, which then rolls back). `commit`: the transaction
    is the caller's own and nothing is written after this (`ledger.hold_redemption`)."""
    if not permissions.is_worker(worker):
        raise NotAllowed(_("Only workers can redeem points."))
    item, station_name = _offer(item_id, station_id)
    now = timezone.now()
    notify_all(
        users=_keepers_of(station_id, connection.vendor),
        message=PICK_UP_NOTICE,
        params={"item": item.name, "station": station_name},
        url=reverse("points:keeper"),
        verb="points.pick_up",
    )
    held = {
        "worker": worker,
        "item": item,
        "station_id": station_id,
        "now": now,
        "expires_at": now + dt.timedelta(hours=settings.POINTS_PICKUP_HOURS),
        "first_code": first_code,
    }
    try:
        if ledger.hold_in_database():
            redemption = _hold_in_database(**held, commit=commit)
        else:
            redemption = _hold_step_by_step(**held)
    except ledger.OutOfStock:
        raise Conflict(_("Sorry, %(item)s is out of stock.") % {"item": item.name}) from None
    except ledger.WorkerShort as short:
        raise Conflict(
            _("Not enough points: %(item)s costs %(price)d, you have %(balance)d.")
            % {"item": item.name, "price": item.price, "balance": short.balance},
            code=ledger.INSUFFICIENT,
        ) from None
    from yizhan.points.tasks import schedule_expiry_sweep

    transaction.on_commit(lambda: schedule_expiry_sweep(redemption.expires_at))
    return redemption


def redemption_request(*, worker, item_id: int, station_id: int, key: str) -> tuple:
    """`redemption_create` once per idempotency key: a double tap or a retried request
    returns the first redemption. Returns (redemption, replayed). A missing or malformed
    key is Invalid; a key used before for another item or station is a Conflict.

    The use case runs in `run_once`'s transaction (no savepoint), its pick-up code drawn
    first and promised with the key's claim, so nothing is written after the hold: on
    PostgreSQL, when that transaction is the outermost, the hold carries the COMMIT, as in
    `redemption_create`."""
    for _attempt in range(5):  # a pick-up code drawn before: again, with another
        code, own, made = _new_code(), not connection.in_atomic_block, []

        def action(code=code, own=own, made=made):
            made.append(
                _redeem(
                    worker=worker,
                    item_id=item_id,
                    station_id=station_id,
                    first_code=code,
                    commit=own,
                )
            )
            return 201, {"code": made[0].code}

        try:
            outcome = idempotency.run_once(
                user=worker,
                scope="points.redemption_create",
                key=key,
                request_data={"item": item_id, "station": station_id},
                action=action,
                promised=(201, {"code": code}),
            )
        except ledger.CodeTaken:
            continue
        if made and not outcome.replayed:
            return made[0], False
        return Redemption.objects.get(code=outcome.response["code"]), outcome.replayed
    raise AssertionError("five pick-up codes in a row were taken")


def _close_with_refund(*, redemption: Redemption, status: str, by=None, note: str = "") -> None:
    """Cancel or expire a held redemption: claim it with a conditional update, put the
    item back in stock and the points back in the worker's account (locked first)."""
    account = ledger.lock_workers([redemption.worker])[redemption.worker_id]
    now = timezone.now()
    claim = Redemption.objects.filter(pk=redemption.pk, status=Redemption.Status.HELD)
    if status == Redemption.Status.EXPIRED:
        claim = claim.filter(expires_at__lte=now)
    if not claim.update(status=status, closed_at=now, closed_by=by):
        raise Conflict(_("This redemption is no longer waiting for pick-up."))
    ledger.post(
        kind=Posting.Kind.REFUND,
        lines=[
            (ledger.System(Account.Kind.ESCROW), -redemption.points),
            (account, redemption.points),
        ],
        redemption=redemption,
        source_type="redemption",
        source_id=redemption.pk,
        reason=note,
        created_by=by,
        hot=lambda: CatalogItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1),
        now=now,
    )
    _record(redemption, status, by=by, note=note)
    if status == Redemption.Status.EXPIRED:
        notify(
            user=redemption.worker,
            message=gettext_lazy(
                "%(item)s was not picked up in time: %(points)d points are back in your account."
            ),
            params={"item": redemption.item.name, "points": redemption.points},
            url=reverse("points:redemption", args=[redemption.code]),
            verb="points.expired",
        )


@transaction.atomic
def redemption_cancel(*, worker, code: str) -> Redemption:
    """The worker changes their mind before pick-up: points and stock come back."""
    redemption = Redemption.objects.filter(code=normalise_code(code), worker=worker).first()
    if redemption is None:
        raise NotFound(_("You have no redemption with this code."))
    _close_with_refund(redemption=redemption, status=Redemption.Status.CANCELLED, by=worker)
    redemption.refresh_from_db()
    return redemption


def redemption_for_keeper(*, keeper, code: str) -> Redemption:
    """The redemption a keeper may hand over with this code, or a refusal saying why not."""
    redemption = (
        Redemption.objects.select_related("item", "station", "worker")
        .filter(code=normalise_code(code))
        .first()
    )
    if redemption is None:
        raise NotFound(_("No redemption has this pick-up code. Check the code."))
    if not permissions.can_hand_over(keeper, redemption):
        raise NotAllowed(
            _("This code is for pick-up at %(station)s, not at your station.")
            % {"station": redemption.station.name}
        )
    status = redemption.status
    if status == Redemption.Status.FULFILLED:
        raise Conflict(_("This item has already been handed over."))
    if status in (Redemption.Status.CANCELLED, Redemption.Status.EXPIRED):
        raise Conflict(
            _("This redemption is %(status)s: do not hand the item over.")
            % {"status": redemption.get_status_display()}
        )
    if redemption.expires_at <= timezone.now():
        raise Conflict(_("This pick-up code has expired: do not hand the item over."))
    return redemption


@transaction.atomic
def redemption_fulfil(*, keeper, code: str) -> Redemption:
    """The keeper hands the item over: the held points move to the redeemed account."""
    redemption = redemption_for_keeper(keeper=keeper, code=code)
    now = timezone.now()
    claimed = Redemption.objects.filter(
        pk=redemption.pk, status=Redemption.Status.HELD, expires_at__gt=now
    ).update(status=Redemption.Status.FULFILLED, closed_at=now, closed_by=keeper)
    if not claimed:  # closed by a concurrent tap, cancel or sweep since we looked
        raise Conflict(_("This redemption is no longer waiting for pick-up."))
    ledger.post(
        kind=Posting.Kind.FULFIL,
        lines=[
            (ledger.System(Account.Kind.ESCROW), -redemption.points),
            (ledger.System(Account.Kind.REDEEMED), redemption.points),
        ],
        redemption=redemption,
        source_type="redemption",
        source_id=redemption.pk,
        created_by=keeper,
        now=now,
    )
    _record(redemption, Redemption.Status.FULFILLED, by=keeper)
    redemption.refresh_from_db()
    return redemption


def redemptions_expire_due(*, now: dt.datetime | None = None, limit: int = 10_000) -> int:
    """The sweep: refund and restock every held redemption past its pick-up time. Each
    is claimed with a conditional update in its own transaction, so several sweepers (or
    a keeper tapping at the last second) never refund twice."""
    now = now or timezone.now()
    due = Redemption.objects.filter(status=Redemption.Status.HELD, expires_at__lte=now)
    expired = 0
    for redemption in due.order_by("expires_at")[:limit]:
        try:
            with transaction.atomic():
                _close_with_refund(
                    redemption=redemption,
                    status=Redemption.Status.EXPIRED,
                )
        except Conflict:  # closed by a keeper, the worker or another sweeper meanwhile
            continue
        expired += 1
    return expired


# --- A person's data ---------------------------------------------------------------------


@transaction.atomic
def personal_data_erase(*, user) -> int:
    """Erase what the bank holds about a person (called by accounts' erasure, in its
    transaction) and keep the ledger whole: their entries and balance stay, so every
    posting still balances and `yizhan points verify` passes, but the free text around them
    goes — posting reasons, redemption notes, wishes, hardship reasons. Items waiting for
    pick-up are cancelled and refunded. Returns the rows touched; 0 when run again."""
    touched = AwardRequest.objects.filter(worker_id=user.pk).delete()[0]  # nothing more earned
    for redemption in Redemption.objects.filter(worker=user, status=Redemption.Status.HELD):
        try:
            with transaction.atomic():  # a refusal leaves nothing half-written behind
                _close_with_refund(redemption=redemption, status=Redemption.Status.CANCELLED)
        except Conflict:  # closed meanwhile
            continue
        touched += 1
    account = Account.objects.filter(owner=user).first()
    if account is not None:
        postings = Posting.objects.filter(entries__account=account).exclude(reason="")
        touched += Posting.objects.filter(
            pk__in=list(postings.values_list("pk", flat=True))
        ).update(reason="")
    touched += (
        RedemptionEvent.objects.filter(redemption__worker=user).exclude(note="").update(note="")
    )
    touched += (
        Wish.objects.filter(worker=user)
        .exclude(title="", details="", answer="")
        .update(title="", details="", answer="")
    )
    touched += HardshipApproval.objects.filter(worker=user).delete()[0]
    return touched
