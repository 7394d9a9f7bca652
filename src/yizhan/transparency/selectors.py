"""Platform transparency: the readers.

- which disclosure is in force on a day, and each version's caps (`CapTable`);
- a worker's orders summed by week and service against the cap in force, and their working
  time by week against the disclosed limits;
- the public pages' data: platforms, histories, the monthly index and the scorecard;
- the consoles' queues.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from yizhan.transparency import conf, links
from yizhan.transparency import permissions as perms
from yizhan.transparency.models import (
    BP,
    CommissionCap,
    CommissionIndex,
    Config,
    Disclosure,
    Dispute,
    Order,
    RoutingRule,
    ScorecardAnswer,
    ServiceType,
    Statement,
    WorkDay,
)
from yizhan.transparency.money import above_cap

LOCAL = ZoneInfo("Asia/Shanghai")
WEEKS_SHOWN = 12


def local_today(now=None) -> dt.date:
    return timezone.localtime(now or timezone.now(), LOCAL).date()


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


# --- settings and reference data -----------------------------------------------------------


def config() -> Config:
    """The city's settings (the defaults until the administrator saves them)."""
    return Config.objects.filter(pk=1).first() or Config(pk=1)


def service_types(*, kind: str | None = None):
    qs = ServiceType.objects.filter(active=True)
    return qs.filter(platform_kind=kind) if kind else qs


def service_type_lookup(kind: str) -> dict[str, int]:
    """Names and codes (lower case) a statement may use → service type ids of this kind."""
    lookup = {}
    for st in ServiceType.objects.filter(platform_kind=kind, active=True):
        lookup[st.name.strip().lower()] = st.pk
        lookup[st.code.lower()] = st.pk
    return lookup


def routing_rules():
    return RoutingRule.objects.select_related("service_type", "department")


def route_for(*, platform_kind: str, service_type) -> object | None:
    """The department a commission case about this service goes to: the service's own rule,
    else its platform kind's, else none (the category's default department then applies)."""
    rules = {
        (r.service_type_id, r.platform_kind): r.department
        for r in routing_rules().filter(
            Q(service_type=service_type) | Q(service_type=None, platform_kind=platform_kind)
        )
    }
    return rules.get((service_type.pk, platform_kind)) or rules.get((None, platform_kind))


# --- disclosures and caps ------------------------------------------------------------------


def _caps_prefetch():
    return Prefetch(
        "caps",
        queryset=CommissionCap.objects.filter(city=conf.city()).select_related("service_type"),
    )


def disclosures_published(platform_ids=None):
    qs = Disclosure.objects.filter(state=Disclosure.State.PUBLISHED)
    if platform_ids is not None:
        qs = qs.filter(platform_id__in=platform_ids)
    return qs.prefetch_related(_caps_prefetch()).order_by("platform_id", "version")


@dataclass
class CapTable:
    """Every published version of some platforms, answering "which cap held on this day?"."""

    versions: dict[int, list[Disclosure]]

    def disclosure_on(self, platform_id: int, day: dt.date) -> Disclosure | None:
        found = None
        for d in self.versions.get(platform_id, []):
            if d.effective_from <= day:
                found = d  # ordered by version, effective dates never go back (services)
        return found

    def cap_on(self, platform_id: int, service_type_id: int, day: dt.date) -> int | None:
        d = self.disclosure_on(platform_id, day)
        if d is None:
            return None
        for cap in d.caps.all():
            if cap.service_type_id == service_type_id:
                return cap.cap_bp
        return None


def cap_table(platform_ids) -> CapTable:
    versions: dict[int, list[Disclosure]] = defaultdict(list)
    for d in disclosures_published(platform_ids):
        versions[d.platform_id].append(d)
    return CapTable(dict(versions))


def current_disclosure(platform, *, day=None) -> Disclosure | None:
    day = day or local_today()
    return (
        Disclosure.objects.filter(
            platform=platform, state=Disclosure.State.PUBLISHED, effective_from__lte=day
        )
        .prefetch_related(_caps_prefetch())
        .order_by("-version")
        .first()
    )


def upcoming_disclosure(platform, *, day=None) -> Disclosure | None:
    day = day or local_today()
    return (
        Disclosure.objects.filter(
            platform=platform, state=Disclosure.State.PUBLISHED, effective_from__gt=day
        )
        .prefetch_related(_caps_prefetch())
        .order_by("-version")
        .first()
    )


def pending_disclosure(platform) -> Disclosure | None:
    return (
        Disclosure.objects.filter(platform=platform, state=Disclosure.State.SUBMITTED)
        .prefetch_related(_caps_prefetch())
        .first()
    )


def disclosure_history(platform):
    """Every version ever filed, newest first, with its caps and its history rows."""
    return (
        Disclosure.objects.filter(platform=platform)
        .prefetch_related(_caps_prefetch(), "events__actor")
        .order_by("-version")
    )


def last_confirmed(disclosure: Disclosure | None):
    if disclosure is None:
        return None
    return disclosure.confirmed_at or disclosure.published_at


def is_stale(disclosure: Disclosure | None, *, now=None, days=None) -> bool:
    """Not confirmed (nor published) within the city's limit, 90 days by default."""
    if disclosure is None:
        return False
    now = now or timezone.now()
    days = days or config().stale_after_days
    confirmed = last_confirmed(disclosure)
    return confirmed is not None and now - confirmed > dt.timedelta(days=days)


def stale_since(disclosure: Disclosure, *, days=None):
    days = days or config().stale_after_days
    return last_confirmed(disclosure) + dt.timedelta(days=days)


def disclosure_for_viewer(*, user, disclosure_id: int) -> Disclosure:
    from yizhan.core.errors import NotAllowed, NotFound

    disclosure = (
        Disclosure.objects.select_related("filed_by", "decided_by")
        .prefetch_related(_caps_prefetch(), "events__actor")
        .filter(pk=disclosure_id)
        .first()
    )
    if disclosure is None:
        raise NotFound
    if not (perms.sees_review(user) or perms.represents(user, disclosure.platform_id)):
        raise NotAllowed
    return disclosure


def review_queue():
    return (
        Disclosure.objects.filter(state=Disclosure.State.SUBMITTED)
        .prefetch_related(_caps_prefetch())
        .order_by("filed_at")
    )


def cap_changes(
    old: Disclosure | None, new: Disclosure
) -> list[tuple[str, int | None, int | None]]:
    """(service name, old cap, new cap) for every cap that differs between two versions."""
    before = {c.service_type_id: c for c in old.caps.all()} if old else {}
    after = {c.service_type_id: c for c in new.caps.all()}
    changes = []
    for st_id in sorted(set(before) | set(after)):
        a, b = before.get(st_id), after.get(st_id)
        if (a.cap_bp if a else None) != (b.cap_bp if b else None):
            name = (b or a).service_type.name
            changes.append((name, a.cap_bp if a else None, b.cap_bp if b else None))
    return changes


RULE_FIELDS = (
    "pricing_rules",
    "pay_standards",
    "max_continuous_minutes",
    "forced_rest_minutes",
    "max_daily_minutes",
    "max_weekly_minutes",
    "injury_insurance",
    "appeal_channel",
    "effective_from",
)


def changed_fields(old: Disclosure | None, new: Disclosure) -> list[str]:
    if old is None:
        return list(RULE_FIELDS)
    return [f for f in RULE_FIELDS if getattr(old, f) != getattr(new, f)]


# --- public pages ---------------------------------------------------------------------------


@dataclass
class PlatformSummary:
    platform: object
    current: Disclosure | None
    upcoming: Disclosure | None
    stale: bool


def platform_summaries(*, now=None) -> list[PlatformSummary]:
    now = now or timezone.now()
    day = local_today(now)
    days = config().stale_after_days
    table = cap_table(None)
    summaries = []
    for platform in links.platforms():
        current = table.disclosure_on(platform.pk, day)
        later = [d for d in table.versions.get(platform.pk, []) if d.effective_from > day]
        summaries.append(
            PlatformSummary(
                platform=platform,
                current=current,
                upcoming=later[-1] if later else None,
                stale=is_stale(current, now=now, days=days),
            )
        )
    return summaries


def cap_history_chart(platform) -> dict:
    """Each service's cap per published version, as steps over time (for ECharts)."""
    versions = list(disclosures_published([platform.pk]))
    names: dict[int, str] = {}
    points: dict[int, list] = defaultdict(list)
    for d in versions:
        for cap in d.caps.all():
            names[cap.service_type_id] = cap.service_type.name
    for d in versions:
        caps = {c.service_type_id: c.cap_bp for c in d.caps.all()}
        for st_id in names:
            value = caps.get(st_id)
            points[st_id].append(
                [d.effective_from.isoformat(), value / 100 if value is not None else None]
            )
    return {
        "series": [{"name": names[st], "data": points[st]} for st in names],
        "today": local_today().isoformat(),
    }


def index_rows(*, platform=None, published_only=False, months: int = 12):
    qs = CommissionIndex.objects.select_related("service_type")
    if platform is not None:
        qs = qs.filter(platform=platform)
    if published_only:
        qs = qs.filter(published=True)
    first = month_start(local_today())
    for _i in range(months - 1):
        first = month_start(first - dt.timedelta(days=1))
    return qs.filter(month__gte=first).order_by("service_type__position", "month")


def index_chart(platform) -> dict:
    """Monthly median and 90th percentile per service, with the cap as a line; a month with
    fewer than k workers is a gap (null), never a figure."""
    rows = list(index_rows(platform=platform))
    months = sorted({r.month for r in rows})
    by_service: dict[int, dict] = {}
    for r in rows:
        entry = by_service.setdefault(r.service_type_id, {"name": r.service_type.name, "rows": {}})
        entry["rows"][r.month] = r

    def pct(bp):
        return bp / 100 if bp is not None else None

    services = []
    for entry in by_service.values():
        services.append(
            {
                "name": entry["name"],
                "median": [
                    pct(entry["rows"].get(m).median_bp) if m in entry["rows"] else None
                    for m in months
                ],
                "p90": [
                    pct(entry["rows"].get(m).p90_bp) if m in entry["rows"] else None for m in months
                ],
                "cap": [
                    pct(entry["rows"].get(m).cap_bp) if m in entry["rows"] else None for m in months
                ],
            }
        )
    return {"months": [m.strftime("%Y-%m") for m in months], "services": services}


def platform_codes_with_index(month: dt.date) -> set[int]:
    return set(
        CommissionIndex.objects.filter(month=month, published=True).values_list(
            "platform_id", flat=True
        )
    )


# --- a worker's orders ---------------------------------------------------------------------


@dataclass
class WeekRow:
    platform: object
    service_type: ServiceType
    week_start: dt.date
    orders: int = 0
    fare_fen: int = 0
    payout_fen: int = 0
    above: int = 0  # orders above the cap in force on their day
    cap_bp: int | None = None
    last_day: dt.date | None = None
    dispute: Dispute | None = None

    @property
    def commission_fen(self) -> int:
        return self.fare_fen - self.payout_fen

    @property
    def rate_bp(self) -> int:
        return self.commission_fen * BP // self.fare_fen if self.fare_fen else 0

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def above_cap(self) -> bool:
        if self.cap_bp is None or not self.fare_fen:
            return False
        return above_cap(
            fare_fen=self.fare_fen, commission_fen=self.commission_fen, cap_bp=self.cap_bp
        )

    @property
    def may_dispute(self) -> bool:
        return self.cap_bp is not None and (self.above_cap or self.above > 0)


def worker_orders(*, worker, platform=None, service_type=None, since=None, until=None):
    qs = Order.objects.filter(worker=worker).select_related("platform", "service_type", "statement")
    if platform is not None:
        qs = qs.filter(platform=platform)
    if service_type is not None:
        qs = qs.filter(service_type=service_type)
    if since is not None:
        qs = qs.filter(completed_on__gte=since)
    if until is not None:
        qs = qs.filter(completed_on__lte=until)
    return qs.order_by("-completed_on", "-completed_at", "-id")


def _weeks(worker, orders) -> list[WeekRow]:
    """Sum (platform, service, day, fare, payout) tuples into week rows with their caps."""
    if not orders:
        return []
    table = cap_table({o[0] for o in orders})
    platforms = {p.pk: p for p in links.platforms()}
    services = {s.pk: s for s in ServiceType.objects.all()}
    rows: dict[tuple, WeekRow] = {}
    for platform_id, st_id, day, fare, payout in orders:
        key = (platform_id, st_id, week_start(day))
        row = rows.get(key)
        if row is None:
            row = rows[key] = WeekRow(platforms[platform_id], services[st_id], key[2])
        row.orders += 1
        row.fare_fen += fare
        row.payout_fen += payout
        row.last_day = max(day, row.last_day or day)
        cap = table.cap_on(platform_id, st_id, day)
        if cap is not None and above_cap(fare_fen=fare, commission_fen=fare - payout, cap_bp=cap):
            row.above += 1
    for row in rows.values():
        row.cap_bp = table.cap_on(row.platform.pk, row.service_type.pk, row.last_day)
    first = min(r.week_start for r in rows.values())
    disputes = {
        (d.platform_id, d.service_type_id, d.week_start): d
        for d in Dispute.objects.filter(worker=worker, week_start__gte=first)
    }
    for key, row in rows.items():
        row.dispute = disputes.get(key)
    return sorted(
        rows.values(),
        key=lambda r: (r.week_start, r.platform.name, -r.service_type.position),
        reverse=True,
    )


def _order_tuples(qs):
    return list(
        qs.values_list(
            "platform_id", "service_type_id", "completed_on", "fare_fen", "payout_fen"
        ).order_by()
    )


def worker_weeks(*, worker, weeks: int = WEEKS_SHOWN, now=None) -> list[WeekRow]:
    """The worker's orders summed per platform, service and week (Monday to Sunday), newest
    first, each against the cap in force: the week's effective commission is Σcommission /
    Σfare (against the cap of the week's last order day), and `above` counts the orders
    above the cap of their own day."""
    since = week_start(local_today(now)) - dt.timedelta(weeks=weeks - 1)
    return _weeks(
        worker, _order_tuples(Order.objects.filter(worker=worker, completed_on__gte=since))
    )


def worker_week(*, worker, platform, service_type, start: dt.date, now=None) -> WeekRow | None:
    """One week of one service, summed the same way."""
    qs = Order.objects.filter(
        worker=worker,
        platform=platform,
        service_type=service_type,
        completed_on__gte=start,
        completed_on__lte=start + dt.timedelta(days=6),
    )
    rows = _weeks(worker, _order_tuples(qs))
    return rows[0] if rows else None


def week_orders(*, worker, platform, service_type, start: dt.date):
    """The orders of one week, each with the cap of its own day and whether it is above."""
    orders = list(
        worker_orders(
            worker=worker,
            platform=platform,
            service_type=service_type,
            since=start,
            until=start + dt.timedelta(days=6),
        )
    )
    table = cap_table([platform.pk])
    for order in orders:
        order.cap_bp = table.cap_on(platform.pk, service_type.pk, order.completed_on)
        order.is_above = order.cap_bp is not None and above_cap(
            fare_fen=order.fare_fen, commission_fen=order.commission_fen, cap_bp=order.cap_bp
        )
    return orders


def worker_statements(*, worker):
    return Statement.objects.filter(worker=worker).select_related("platform")


def worker_disputes(*, worker):
    return Dispute.objects.filter(worker=worker).select_related(
        "platform", "service_type", "department"
    )


def worker_platform_choices(worker):
    """Platforms a worker can check, their own first."""
    own = getattr(getattr(worker, "worker", None), "platform_id", None)
    platforms = list(links.platforms())
    return sorted(platforms, key=lambda p: (p.pk != own, p.name))


# --- working time --------------------------------------------------------------------------


@dataclass
class HoursWeek:
    platform: object
    week_start: dt.date
    online_minutes: int = 0
    driving_minutes: int = 0
    days: int = 0
    days_over: int = 0  # days above the disclosed daily maximum
    limits: Disclosure | None = None
    day_rows: list = field(default_factory=list)

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def over_week(self) -> bool:
        limit = self.limits.max_weekly_minutes if self.limits else None
        return bool(limit) and max(self.online_minutes, self.driving_minutes) > limit


def worker_hours(*, worker, weeks: int = WEEKS_SHOWN, now=None) -> list[HoursWeek]:
    today = local_today(now)
    since = week_start(today) - dt.timedelta(weeks=weeks - 1)
    days = list(
        WorkDay.objects.filter(worker=worker, day__gte=since)
        .select_related("platform")
        .order_by("day")
    )
    if not days:
        return []
    table = cap_table({d.platform_id for d in days})
    rows: dict[tuple, HoursWeek] = {}
    for d in days:
        key = (d.platform_id, week_start(d.day))
        row = rows.get(key)
        if row is None:
            row = rows[key] = HoursWeek(d.platform, key[1])
        row.online_minutes += d.online_minutes or 0
        row.driving_minutes += d.driving_minutes or 0
        row.days += 1
        limits = table.disclosure_on(d.platform_id, d.day)
        row.limits = limits or row.limits
        daily = limits.max_daily_minutes if limits else None
        over = bool(daily) and max(d.online_minutes or 0, d.driving_minutes or 0) > daily
        row.days_over += over
        row.day_rows.append((d, over))
    return sorted(rows.values(), key=lambda r: (r.week_start, r.platform.name), reverse=True)


# --- consoles ------------------------------------------------------------------------------


def rep_platforms(user):
    ids = perms.rep_platform_ids(user)
    return [p for p in links.platforms() if p.pk in ids]


def disputes_to_route(*, user):
    from yizhan.core.errors import NotAllowed

    if not (perms.can_route(user) or perms.sees_review(user)):
        raise NotAllowed
    return Dispute.objects.select_related("platform", "service_type", "department").order_by(
        "-created_at"
    )


def dispute_for_case(case_id: int) -> Dispute | None:
    return Dispute.objects.filter(case_id=case_id).select_related("department").first()


def latest_answers(platform) -> dict[str, ScorecardAnswer]:
    answers = {}
    for answer in ScorecardAnswer.objects.filter(platform=platform).select_related("author"):
        answers.setdefault(answer.principle, answer)
    return answers


def stale_disclosures(*, now=None) -> list[Disclosure]:
    now = now or timezone.now()
    days = config().stale_after_days
    return [
        s.current
        for s in platform_summaries(now=now)
        if s.current and is_stale(s.current, now=now, days=days)
    ]


def order_counts_by_platform(month: dt.date) -> dict[int, tuple[int, int]]:
    """(orders, distinct workers) per platform in a month: the review page's coverage."""
    rows = (
        Order.objects.filter(completed_on__gte=month, completed_on__lt=next_month(month))
        .values("platform_id")
        .annotate(orders=Count("id"), workers=Count("worker", distinct=True))
    )
    return {r["platform_id"]: (r["orders"], r["workers"]) for r in rows}


def latest_index_month() -> dt.date | None:
    return CommissionIndex.objects.aggregate(m=Max("month"))["m"]
