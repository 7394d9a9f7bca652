"""Reads of the points bank: balances, histories, statements, the catalogue, the
redemption ledger (兑换台账) and the leaderboards. No writes here."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from yizhan.core.listing import Column
from yizhan.core.pii import mask_name
from yizhan.points.models import (
    Account,
    CatalogItem,
    EarningRule,
    Entry,
    HardshipApproval,
    Posting,
    Redemption,
    Sponsor,
    Wish,
)
from yizhan.reports import selectors as report_selectors
from yizhan.stations import selectors as stations


def normalise_code(text: str) -> str:
    """What a keeper types or scans (`abcd-efgh `, a URL ending in ?code=…) → `ABCDEFGH`."""
    text = (text or "").strip()
    if "code=" in text:
        text = text.split("code=", 1)[1].split("&", 1)[0]
    return "".join(c for c in text.upper() if c.isalnum())[:40]


SOURCE_LABELS = {
    "report": lambda i: _("report %(id)s verified") % {"id": i},
    "volunteering": lambda i: _("volunteering record %(id)s") % {"id": i},
    "training": lambda i: _("training %(id)s completed") % {"id": i},
    "event": lambda i: _("event attendance %(id)s") % {"id": i},
    "welfare": lambda i: _("public-welfare activity %(id)s") % {"id": i},
    "hardship": lambda i: _("hardship allowance for %(month)s") % {"month": i.split(":")[0]},
    "honours": lambda i: _("honours for %(month)s") % {"month": i.split(":")[0]},
}


# The page of the record an award was for (the worker may open their own reports).
SOURCE_PAGES = {"report": "reports:detail"}


def source_url(posting: Posting) -> str:
    name = SOURCE_PAGES.get(posting.source_type or "")
    if posting.kind != Posting.Kind.AWARD or not name or not str(posting.source_id).isdigit():
        return ""
    try:
        return reverse(name, args=[int(posting.source_id)])
    except NoReverseMatch:
        return ""


def describe(posting: Posting) -> str:
    """A line of a worker's history, in their language: what the points were for."""
    kind = posting.kind
    if kind == Posting.Kind.AWARD:
        label = SOURCE_LABELS.get(posting.source_type)
        source = label(posting.source_id) if label else _("award %(id)s") % {"id": posting.id}
        if not (get_language() or "zh").startswith("zh"):
            return source  # the rule's name is the city's, in Chinese only
        return f"{posting.rule.name} · {source}"
    if kind == Posting.Kind.GRANT:
        return _("Manual award: %(reason)s") % {"reason": posting.reason}
    if kind == Posting.Kind.REVERSAL:
        return _("Correction: %(reason)s") % {"reason": posting.reason}
    if kind == Posting.Kind.ISSUANCE:
        return _("Issued: %(reason)s") % {"reason": posting.reason}
    redemption = posting.redemption
    item = redemption.item.name if redemption else ""
    if kind == Posting.Kind.HOLD:
        return _("Redeemed: %(item)s") % {"item": item}
    if kind == Posting.Kind.REFUND:
        return _("Refunded: %(item)s (%(status)s)") % {
            "item": item,
            "status": redemption.get_status_display(),
        }
    return _("Handed over: %(item)s") % {"item": item}


def account_of(user) -> Account | None:
    return Account.objects.filter(owner=user).first()


def worker_balance(user) -> dict:
    account = account_of(user)
    held = Redemption.objects.filter(worker=user, status=Redemption.Status.HELD).aggregate(
        total=Sum("points")
    )["total"]
    return {"balance": account.balance if account else 0, "held": held or 0}


def worker_entries(user):
    """The worker's entries, newest first, with what is needed to describe them."""
    return (
        Entry.objects.filter(account__owner=user)
        .select_related("posting__rule", "posting__redemption__item")
        .order_by("-posting_id")
    )


def worker_redemptions(user, *, open_only: bool = False):
    qs = Redemption.objects.filter(worker=user).select_related("item", "station")
    if open_only:
        qs = qs.filter(status=Redemption.Status.HELD)
    return qs.order_by("-created_at")


def losses_on_deletion(user) -> list[str]:
    """What a worker loses by deleting their account, said before they confirm: the points
    (items waiting for pick-up are cancelled and their points lost with the rest)."""
    figures = worker_balance(user)
    waiting = list(worker_redemptions(user, open_only=True))
    lines = []
    total = figures["balance"] + figures["held"]
    if total:
        lines.append(_("All your %(n)s points are lost.") % {"n": total})
    if waiting:
        names = _(", ").join(r.item.name for r in waiting[:5])
        lines.append(
            _("%(n)s items waiting for pick-up are cancelled: %(items)s.")
            % {"n": len(waiting), "items": names}
        )
    return lines


def personal_data_of(user) -> dict:
    """Everything the bank holds about a person, for the export of their data (unmasked:
    it is theirs): balance, every entry of their account, wishes, redemptions, hardship."""

    def iso(moment):
        return timezone.localtime(moment).isoformat() if moment else None

    return {
        **worker_balance(user),
        "entries": [
            {
                "posting": e.posting_id,
                "kind": e.posting.kind,
                "amount": e.amount,
                "description": describe(e.posting),
                "at": iso(e.posting.created_at),
            }
            for e in worker_entries(user)
        ],
        "wishes": [
            {
                "title": w.title,
                "details": w.details,
                "status": w.status,
                "answer": w.answer,
                "at": iso(w.created_at),
            }
            for w in Wish.objects.filter(worker=user).order_by("-created_at")
        ],
        "redemptions": [
            {
                "code": r.display_code,
                "item": r.item.name,
                "station": r.station.name,
                "points": r.points,
                "status": r.status,
                "at": iso(r.created_at),
                "pick_up_before": iso(r.expires_at),
                "closed_at": iso(r.closed_at),
            }
            for r in worker_redemptions(user)
        ],
        "hardship": [
            {
                "from": f"{h.first_month:%Y-%m}",
                "to": f"{h.last_month:%Y-%m}" if h.last_month else None,
                "reason": h.reason,
            }
            for h in HardshipApproval.objects.filter(worker=user).order_by("first_month")
        ],
    }


def catalog():
    """Items on offer (in stock or not), cheapest first, with their pick-up stations."""
    return (
        CatalogItem.objects.filter(active=True)
        .select_related("sponsor")
        .prefetch_related(Prefetch("stations", queryset=stations.station_rows()))
        .order_by("price", "name")
    )


def catalog_for_admin():
    """Every item, offered first, with sponsor and pick-up stations."""
    return (
        CatalogItem.objects.select_related("sponsor")
        .prefetch_related(Prefetch("stations", queryset=stations.station_rows()))
        .order_by("-active", "name")
    )


def catalog_item(item_id: int) -> CatalogItem | None:
    return CatalogItem.objects.filter(pk=item_id).first()


def catalog_item_on_offer(item_id: int) -> CatalogItem | None:
    """An item a worker may redeem now, with its sponsor and pick-up stations, or None."""
    return catalog().filter(pk=item_id).first()


def rules():
    return EarningRule.objects.select_related("funded_by")


def rule_rows() -> list[dict]:
    """The earning rules with the name of the report category each applies to (not its code)."""
    names = {c.code: c.label for c in report_selectors.categories()}
    return [{"rule": r, "category": names.get(r.category, r.category)} for r in rules()]


def rule(rule_id: int) -> EarningRule | None:
    return EarningRule.objects.filter(pk=rule_id).first()


def sponsor(sponsor_id: int) -> Sponsor | None:
    return Sponsor.objects.filter(pk=sponsor_id).first()


def own_redemption(user, code: str) -> Redemption | None:
    """The person's own redemption with this pick-up code (as typed: any case, dashes)."""
    return (
        Redemption.objects.select_related("item", "station")
        .filter(code=normalise_code(code), worker=user)
        .first()
    )


def redemption_by_code(code: str) -> Redemption | None:
    return Redemption.objects.filter(code=normalise_code(code)).first()


def admin_counts() -> dict:
    return {
        "waiting": Wish.objects.filter(status=Wish.Status.SUBMITTED).count(),
        "held": Redemption.objects.filter(status=Redemption.Status.HELD).count(),
    }


def recent_corrections(limit: int = 20):
    """The latest manual awards and reversals, for the administrator's grant page."""
    return (
        Posting.objects.filter(kind__in=[Posting.Kind.GRANT, Posting.Kind.REVERSAL])
        .select_related("created_by")
        .order_by("-pk")[:limit]
    )


def wish_get(wish_id: int) -> Wish | None:
    return Wish.objects.select_related("worker").filter(pk=wish_id).first()


# --- Months ------------------------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local (Asia/Shanghai) start of the month and of the next, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    nxt = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=tz)
    return start, nxt


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


@dataclass
class Statement:
    month: dt.date
    opening: int
    credits: int
    debits: int
    closing: int
    entries: list = field(default_factory=list)


def monthly_statement(user, *, month: dt.date) -> Statement:
    start, end = month_bounds(month)
    mine = Entry.objects.filter(account__owner=user)
    opening = mine.filter(posting__created_at__lt=start).aggregate(s=Sum("amount"))["s"] or 0
    entries = list(
        mine.filter(posting__created_at__gte=start, posting__created_at__lt=end)
        .select_related("posting__rule", "posting__redemption__item")
        .order_by("posting_id")
    )
    credits = sum(e.amount for e in entries if e.amount > 0)
    debits = -sum(e.amount for e in entries if e.amount < 0)
    return Statement(month, opening, credits, debits, opening + credits - debits, entries)


# --- Leaderboards and honours -----------------------------------------------------------------


def _earned(month: dt.date):
    """Points each worker earned in the month (awards and manual awards, less corrections;
    honours themselves do not count towards the next honours)."""
    start, end = month_bounds(month)
    return (
        Entry.objects.filter(
            account__kind=Account.Kind.WORKER,
            account__owner__is_active=True,  # a closed or erased account earns no honours
            posting__created_at__gte=start,
            posting__created_at__lt=end,
            posting__kind__in=[Posting.Kind.AWARD, Posting.Kind.GRANT, Posting.Kind.REVERSAL],
        )
        .exclude(posting__rule__source=EarningRule.Source.HONOURS)
        .values("account__owner_id")
        .annotate(
            total=Sum("amount"),
            district=F("account__owner__worker__home_district__code"),
            district_name=F("account__owner__worker__home_district__name"),
            name=F("account__owner__name"),
        )
        .filter(total__gt=0)
    )


def leaderboard(*, month: dt.date, district_id: int | None = None, limit: int = 20) -> list[dict]:
    qs = _earned(month)
    if district_id:
        qs = qs.filter(account__owner__worker__home_district_id=district_id)
    rows = qs.order_by("-total", "account__owner_id")[:limit]
    return [
        {
            "rank": n,
            "user_id": r["account__owner_id"],
            "name": mask_name(r["name"]),
            "district": r["district_name"],
            "points": r["total"],
        }
        for n, r in enumerate(rows, 1)
    ]


def monthly_top_three(*, month: dt.date) -> dict[str, list[dict]]:
    """{district code: the top three earners of the month} (ties: who joined earlier)."""
    top: dict[str, list[dict]] = {}
    for r in (
        _earned(month).exclude(district=None).order_by("district", "-total", "account__owner_id")
    ):
        board = top.setdefault(r["district"], [])
        if len(board) < 3:
            board.append({"user_id": r["account__owner_id"], "points": r["total"]})
    return top


def honours(*, month: dt.date) -> list[Posting]:
    """The 骑网先锋 list: honours awarded for a month."""
    return list(
        Posting.objects.filter(
            kind=Posting.Kind.AWARD, source_type="honours", source_id__startswith=f"{month:%Y-%m}:"
        )
        .select_related("rule")
        .prefetch_related("entries__account__owner")
        .order_by("source_id")
    )


# --- Administration --------------------------------------------------------------------------


def pools() -> list[Account]:
    return list(
        Account.objects.exclude(kind=Account.Kind.WORKER).select_related("sponsor").order_by("pk")
    )


def pool_rows() -> list[dict]:
    """The system accounts as the administrator reads them: the issuance account (the city's
    mint, whose balance is the negative of every point ever issued) as the points issued."""
    rows = []
    for account in pools():
        issued = account.kind == Account.Kind.ISSUANCE
        rows.append(
            {
                "account": account,
                "amount": -account.balance if issued else account.balance,
                "issued": issued,
            }
        )
    return rows


WISH_COLUMNS = [
    Column("title", gettext_lazy("Wish")),
    Column("worker", gettext_lazy("Worker")),
    Column("created", gettext_lazy("Submitted"), ("created_at", "id")),
    Column("status", gettext_lazy("Status"), ("status", "-created_at")),
]
LEDGER_COLUMNS = [
    Column("item", gettext_lazy("Item"), ("item__name", "-created_at")),
    Column("code", gettext_lazy("Pick-up code")),
    Column("worker", gettext_lazy("Worker")),
    Column("station", gettext_lazy("Station"), ("station__name", "-created_at")),
    Column("created", gettext_lazy("Redeemed"), ("created_at", "id")),
    Column("closed", gettext_lazy("Closed"), ("closed_at", "id")),
    Column("points", gettext_lazy("Points"), ("points", "id"), numeric=True),
    Column("status", gettext_lazy("Status"), ("status", "-created_at")),
]


def redemption_ledger(
    *, month: dt.date | None = None, status: str = "", station_id: int | None = None, sort=None
):
    """The redemption ledger (兑换台账): every redemption with item, worker, station, status;
    newest first unless `sort` (a core.listing.Sorting) says otherwise."""
    qs = Redemption.objects.select_related(
        "item__sponsor", "station", "worker", "closed_by"
    ).order_by(*(sort.order_by() if sort is not None else ["-created_at"]))
    if month:
        start, end = month_bounds(month)
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if status:
        qs = qs.filter(status=status)
    if station_id:
        qs = qs.filter(station_id=station_id)
    return qs


def wishes(*, status: str = "", worker=None, sort=None):
    qs = Wish.objects.select_related("worker", "item").order_by(
        *(sort.order_by() if sort is not None else ["-created_at"])
    )
    if status:
        qs = qs.filter(status=status)
    if worker is not None:
        qs = qs.filter(worker=worker)
    return qs


def station_pending(*, station_ids) -> list[Redemption]:
    return list(
        Redemption.objects.filter(
            station_id__in=station_ids,
            status=Redemption.Status.HELD,
            expires_at__gt=timezone.now(),
        )
        .select_related("item", "worker", "station")
        .order_by("expires_at")[:50]
    )


def find_posting(posting_id: int) -> Posting | None:
    return Posting.objects.filter(Q(pk=posting_id)).select_related("rule").first()


# --- What a hazard report earns (the one source: the earning rules) ---------------------------


def report_rewards() -> dict[str, int]:
    """{report category code: points a verified report earns}, "" for the catch-all rule.
    Where several active rules name a category the oldest wins, as when awarding."""
    rewards: dict[str, int] = {}
    rules = EarningRule.objects.filter(source=EarningRule.Source.REPORT_VERIFIED, active=True)
    for category, points in rules.order_by("-pk").values_list("category", "points"):
        rewards[category] = points
    return rewards


def report_rule(category_code: str) -> EarningRule | None:
    """The rule a verified report of this category earns by: the category's oldest active
    rule, else the catch-all (empty category) — as the batch applier and `report_rewards`
    decide."""
    rules = EarningRule.objects.filter(
        source=EarningRule.Source.REPORT_VERIFIED,
        active=True,
        category__in=[category_code or "", ""],
    ).order_by("pk")
    own = [r for r in rules if r.category and r.category == category_code]
    return (own or [r for r in rules if not r.category] or [None])[0]


def reward_for_report_category(category_code: str, *, rewards: dict | None = None) -> int:
    """Points a verified report of this category earns (before caps); 0 if no rule pays it.
    Pass `rewards` (from `report_rewards`) to price many categories with one query."""
    rewards = report_rewards() if rewards is None else rewards
    return rewards.get(category_code, rewards.get("", 0))


# --- city dashboards (驾驶舱, issue 18): facts and headlines for the portal ----------------
# Read by the portal only (yizhan.portal.dashboards); see core.dashboards and
# docs/DASHBOARDS.md. The ledger is append-only, so a day's sums never change later.


def dashboard_facts(*, start, end):
    """Per local day in [start, end), by the worker's home district: points issued to
    workers (k1: the rule's source, or "grant"), taken back by corrections, handed over for
    redemptions; and points earned per worker (k1: user id; the portal keeps those by month
    for the top earners, as the monthly honours count them)."""
    from django.db.models.functions import TruncDate

    from yizhan.core.dashboards import Fact

    tz = timezone.get_current_timezone()
    entries = Entry.objects.filter(
        posting__created_at__gte=start, posting__created_at__lt=end
    ).annotate(local_day=TruncDate("posting__created_at", tzinfo=tz))
    worker = entries.filter(account__kind=Account.Kind.WORKER)
    district = "account__owner__worker__home_district_id"
    issued = worker.filter(posting__kind__in=[Posting.Kind.AWARD, Posting.Kind.GRANT], amount__gt=0)
    for r in (
        issued.values("local_day", district, "posting__rule__source")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        yield Fact(
            "points.issued",
            r["local_day"],
            r[district],
            r["s"],
            k1=r["posting__rule__source"] or "grant",
        )
    reversed_ = worker.filter(posting__kind=Posting.Kind.REVERSAL)
    for r in reversed_.values("local_day", district).annotate(s=Sum("amount")).order_by():
        yield Fact("points.reversed", r["local_day"], r[district], -r["s"])
    handed = entries.filter(account__kind=Account.Kind.REDEEMED, posting__kind=Posting.Kind.FULFIL)
    rdistrict = "posting__redemption__worker__worker__home_district_id"
    for r in handed.values("local_day", rdistrict).annotate(s=Sum("amount")).order_by():
        yield Fact("points.redeemed", r["local_day"], r[rdistrict], r["s"])
    earned = worker.filter(
        posting__kind__in=[Posting.Kind.AWARD, Posting.Kind.GRANT, Posting.Kind.REVERSAL]
    ).exclude(posting__rule__source=EarningRule.Source.HONOURS)
    for r in (
        earned.values("local_day", district, "account__owner_id")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        if r["s"]:
            yield Fact(
                "points.earned", r["local_day"], r[district], r["s"], k1=str(r["account__owner_id"])
            )


def dashboard_worker_names(user_ids) -> dict[str, str]:
    """{user id: masked name} for the top-earners table."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=[int(i) for i in user_ids])
    return {str(u.pk): mask_name(u.name) for u in users}


def dashboard_source_labels() -> dict[str, str]:
    return {**{k: str(v) for k, v in EarningRule.Source.choices}, "grant": _("Manual award")}


def dashboard_headlines(*, scope):
    """The city's reward pools, wishes waiting for a decision and redemptions waiting for
    pick-up, now (pools are city-wide; the rest within the scope)."""
    from django.db.models import Count

    from yizhan.core.dashboards import Headline

    pool = Account.objects.filter(kind__in=[Account.Kind.POOL, Account.Kind.SPONSOR]).aggregate(
        s=Sum("balance")
    )["s"]
    waiting = Wish.objects.filter(status=Wish.Status.SUBMITTED)
    held = Redemption.objects.filter(status=Redemption.Status.HELD)
    if scope.district_ids is not None:
        waiting = waiting.filter(worker__worker__home_district_id__in=scope.district_ids)
        held = held.filter(worker__worker__home_district_id__in=scope.district_ids)
    group = _("Points")
    return [
        Headline(
            "points.pool",
            "Points in the reward pools",
            pool or 0,
            group=group,
            extra={"city_wide": True},
        ),
        Headline(
            "points.wishes",
            "Wishes waiting for a decision",
            waiting.aggregate(n=Count("id"))["n"],
            group=group,
        ),
        Headline(
            "points.held",
            "Redemptions waiting for pick-up",
            held.aggregate(n=Count("id"))["n"],
            group=group,
        ),
    ]
