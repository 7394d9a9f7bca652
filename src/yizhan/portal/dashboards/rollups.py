"""Daily rollups of the apps' facts, and today's live delta.

`refresh()` (the periodic job `portal.dashboard_refresh`) asks every app for its facts per
local day and stores them in `Rollup` by day and by month, recounting a trailing window
(whole months, at least `DASHBOARD_RECOUNT_DAYS` days) so late corrections settle; days before
`RollupState.complete_until` are then complete. A `Reader` answers "how many, in these days,
in this scope" from the month rows (whole months), the day rows (the edges) and, for the
days the rollups do not cover yet (today), the facts the owning app reports live.

Today's facts are rolled up too, as far as they go: `refresh_live()` (the periodic job
`portal.dashboard_live`, every `DASHBOARD_LIVE_REFRESH_SECONDS`) stores the facts since the last
complete day up to its own moment as LIVE rows, so a request asks the apps live only for the
minutes since then, never for a whole day cold.

Families of metrics read as a whole (`WIDE`: the grievance cube) are kept in `RollupWide`, one
row per key combination with a column per metric, instead of one `Rollup` row per metric.

The invariant the property test checks: for any scope and range, rolled rows (day, month and
live) plus the live delta equal the facts counted directly.
"""

import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from yizhan.core import bulk
from yizhan.core.dashboards import Fact
from yizhan.portal.dashboards import providers
from yizhan.portal.models import Rollup, RollupState, RollupWide

STATE = "facts"
LIVE_STATE = "live"
# Kept by month only: one row per worker and month would be too many by day.
MONTH_ONLY = frozenset({"points.earned"})
KEYS = ("district", "k1", "k2", "k3")
# Families kept wide (RollupWide): metric i of a family is column v<i>. Append only: changing
# the order of a family's metrics needs a rebuild (`dashboard_refresh(since=…)` back to the
# start of the history). A family's metrics not listed here are kept in `Rollup`.
WIDE = {
    "cases": (
        "cases.filed",
        "cases.accepted",
        "cases.accepted_on_time",
        "cases.dispatched",
        "cases.returned",
        "cases.extension_requested",
        "cases.extended",
        "cases.reopened",
        "cases.overdue",
        "cases.closed",
        "cases.closed_replied",
        "cases.closed_on_time",
        "cases.closed_first_time",
        "cases.closed_rated",
        "cases.closed_satisfied",
        "cases.handling_seconds",
    ),
    "reports": (
        "reports.filed",
        "reports.resolved",
        "reports.closed",
        "reports.rejected",
        "reports.reopened",
        "reports.resolve_hours",
    ),
}
COLUMN = {m: (family, f"v{i}") for family, ms in WIDE.items() for i, m in enumerate(ms)}
assert all(len(ms) <= RollupWide.WIDTH for ms in WIDE.values())
assert not MONTH_ONLY & COLUMN.keys()


def _any(qs: list[Q]) -> Q | None:
    """The rows matching any of `qs` (None: no rows)."""
    if not qs:
        return None
    out = qs[0]
    for q in qs[1:]:
        out |= q
    return out


def local_today(now=None) -> dt.date:
    return timezone.localdate(now or timezone.now())


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def complete_until() -> dt.date | None:
    return RollupState.objects.filter(name=STATE).values_list("complete_until", flat=True).first()


# --- refresh -------------------------------------------------------------------------------


def _sum_facts(facts: Iterable[Fact]) -> dict[tuple, int]:
    sums: dict[tuple, int] = defaultdict(int)
    for f in facts:
        sums[(f.metric, f.day, f.district, f.k1, f.k2, f.k3)] += f.value
    return sums


def _rows(sums: dict[tuple, int], grain: str, day_of=lambda d: d) -> list[Rollup]:
    merged: dict[tuple, int] = defaultdict(int)
    for (metric, day, *keys), value in sums.items():
        if (grain == Rollup.Grain.DAY and metric in MONTH_ONLY) or metric in COLUMN:
            continue
        merged[(metric, day_of(day), *keys)] += value
    return [
        Rollup(metric=m, grain=grain, day=d, district=dist, k1=k1, k2=k2, k3=k3, value=v)
        for (m, d, dist, k1, k2, k3), v in merged.items()
        if v
    ]


def _wide_rows(sums: dict[tuple, int], grain: str, day_of=lambda d: d) -> list[RollupWide]:
    merged: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for (metric, day, *keys), value in sums.items():
        if metric in COLUMN:
            family, column = COLUMN[metric]
            merged[(family, day_of(day), *keys)][column] += value
    return [
        RollupWide(family=f, grain=grain, day=d, district=dist, k1=k1, k2=k2, k3=k3, **values)
        for (f, d, dist, k1, k2, k3), values in merged.items()
        if any(values.values())
    ]


def _store(sums: dict[tuple, int], grain: str, day_of=lambda d: d) -> None:
    bulk.insert(_rows(sums, grain, day_of))
    bulk.insert(_wide_rows(sums, grain, day_of))


def _by_district(sums: dict[tuple, int]) -> dict[tuple, int]:
    """The sums over k1, k2, k3 (month-only metrics left out: they are kept by key)."""
    out: dict[tuple, int] = defaultdict(int)
    for (metric, day, district, *_keys), value in sums.items():
        if metric not in MONTH_ONLY:
            out[(metric, day, district, "", "", "")] += value
    return out


def first_day_with_facts(*, start: dt.date, end: dt.date) -> dt.date | None:
    """The first local day in [start, end) that any app reports a fact for, asking each app
    once for the whole range: for a short history (the demo city's a few months in an
    800-day window), not a city's years, which `refresh` reads month by month."""
    first = None
    for facts in providers.fact_sources().values():
        for fact in facts(start=midnight(start), end=midnight(end)):
            if fact.value and (first is None or fact.day < first):
                first = fact.day
    return first


def refresh(*, now=None, since: dt.date | None = None) -> dict:
    """Roll up every app's facts from `since` (default: the recount window before the last
    complete day; the whole history kept in `DASHBOARD_HISTORY_DAYS` on the first run) to
    yesterday, month by month, each app's month in one transaction."""
    now = now or timezone.now()
    today = local_today(now)
    done = complete_until()
    if since is None:
        if done is None:
            since = today - dt.timedelta(days=settings.DASHBOARD_HISTORY_DAYS)
        else:
            since = min(done, today) - dt.timedelta(days=settings.DASHBOARD_RECOUNT_DAYS)
    month = month_start(since)  # whole months, so month rows are recounted whole
    counted = 0
    while month < today:
        end = min(next_month(month), today)
        for label, facts in providers.fact_sources().items():
            sums = _sum_facts(facts(start=midnight(month), end=midnight(end)))
            prefix = Q(metric__startswith=f"{label}.")
            g = Rollup.Grain
            days = Q(grain__in=[g.DAY, g.DAY_BY_DISTRICT], day__gte=month, day__lt=end)
            whole = Q(grain__in=[g.MONTH, g.MONTH_BY_DISTRICT], day=month)
            rolled = Rollup.objects.filter(prefix, days | whole)
            wide = RollupWide.objects.filter(days | whole, family=label)
            if not sums and not rolled.exists() and not wide.exists():
                continue  # a month before the app had data: nothing to write or to take back
            coarse = _by_district(sums)
            with transaction.atomic():
                rolled.delete()
                wide.delete()
                _store(sums, g.DAY)
                _store(sums, g.MONTH, month_start)
                _store(coarse, g.DAY_BY_DISTRICT)
                _store(coarse, g.MONTH_BY_DISTRICT, month_start)
            counted += len(sums)
        month = next_month(month)
    RollupState.objects.update_or_create(
        name=STATE, defaults={"complete_until": today, "refreshed_at": now}
    )
    return {"since": since.isoformat(), "complete_until": today.isoformat(), "facts": counted}


def refresh_live(*, now=None) -> dict:
    """Store every app's facts from the first day not rolled up to `now` as LIVE rows
    (replacing the last ones): requests then ask the apps only for what happened since.
    A step committed after this ran but stamped before `now` (a transaction under way) is
    missed until the next run recounts the day."""
    now = now or timezone.now()
    done = complete_until()
    if done is None or done > local_today(now):
        return {"live": None}  # nothing rolled up yet: the readers count everything live
    sums: dict[tuple, int] = {}
    for facts in providers.fact_sources().values():
        sums |= _sum_facts(facts(start=midnight(done), end=now))
    with transaction.atomic():
        Rollup.objects.filter(grain=Rollup.Grain.LIVE).delete()
        RollupWide.objects.filter(grain=Rollup.Grain.LIVE).delete()
        _store(sums, Rollup.Grain.LIVE)  # month-only metrics too, by day
        RollupState.objects.update_or_create(
            name=LIVE_STATE, defaults={"complete_until": done, "refreshed_at": now}
        )
    return {"live_from": done.isoformat(), "live_until": now.isoformat(), "live_facts": len(sums)}


# --- reading -------------------------------------------------------------------------------


_live_cache: dict[tuple, tuple[float, list[Fact]]] = {}
_live_lock = threading.Lock()


def _live_facts(label: str, since: dt.datetime, now) -> list[Fact]:
    """An app's facts since the moment `since`, shared by this process's requests for
    DASHBOARD_LIVE_SECONDS (a dashboard is at most that many seconds behind)."""
    ttl = settings.DASHBOARD_LIVE_SECONDS
    key = (label, since)
    if ttl:
        with _live_lock:
            hit = _live_cache.get(key)
        if hit and time.monotonic() - hit[0] < ttl:
            return hit[1]
    source = providers.fact_sources().get(label)
    facts = list(source(start=since, end=now)) if source else []
    if ttl:
        with _live_lock:
            for old in [k for k in _live_cache if k[0] == label and k[1] != since]:
                del _live_cache[old]  # an older starting moment will not be asked again
            _live_cache[key] = (time.monotonic(), facts)
    return facts


class Reader:
    """Sums over rolled rows plus the live delta, for one request. Live facts are asked of
    each app at most once per reader."""

    def __init__(self, *, now=None, earliest: dt.date | None = None):
        self.now = now or timezone.now()
        self.today = local_today(self.now)
        states = {
            name: (until, taken)
            for name, until, taken in RollupState.objects.filter(
                name__in=[STATE, LIVE_STATE]
            ).values_list("name", "complete_until", "refreshed_at")
        }
        self.until = states.get(STATE, (None,))[0]
        if self.until is None or self.until > self.today:
            # Never refreshed (or a clock moved back): nothing rolled counts, all is live.
            self.until = None
        # Without rollups everything is live, from the first day of the earliest month asked
        # for (month-only metrics count whole months).
        self.live_from = self.until or month_start(earliest or self.today)
        # The LIVE rows count when they start where the complete days end; the apps are then
        # asked only for what happened after they were taken.
        self.live_rows = False
        self.live_since = midnight(self.live_from)
        live_until, taken = states.get(LIVE_STATE, (None, None))
        if self.until is not None and live_until == self.until and taken <= self.now:
            self.live_rows, self.live_since = True, taken
        self._live: dict[str, list[Fact]] = {}

    def live(self, label: str) -> list[Fact]:
        if label not in self._live:
            self._live[label] = _live_facts(label, self.live_since, self.now)
        return self._live[label]

    def _rolled_q(
        self, start: dt.date, end: dt.date, *, daily: bool, month_only: bool, coarse: bool
    ) -> tuple[Q | None, Q | None]:
        """(rows to add, rows to take away) for days start..end: day, month and live rows;
        month-only metrics: whole months; `coarse`: the day and month rows by district."""
        q, minus = self._complete_q(start, end, daily=daily, month_only=month_only, coarse=coarse)
        if self.live_rows:
            lo = month_start(start) if month_only else start
            hi = next_month(end) - dt.timedelta(days=1) if month_only else end
            lo = max(lo, self.until)
            if lo <= hi:
                live = Q(grain=Rollup.Grain.LIVE, day__gte=lo, day__lte=hi)
                q = live if q is None else q | live
        return q, minus

    def _complete_q(
        self, start, end, *, daily: bool, month_only: bool, coarse: bool = False
    ) -> tuple[Q | None, Q | None]:
        """The complete days' rows: a month row where the range covers most of a month
        (less the day rows of the days it leaves out), day rows elsewhere."""
        if self.until is None:
            return None, None
        g = Rollup.Grain
        day_grain = g.DAY_BY_DISTRICT if coarse else g.DAY
        month_grain = g.MONTH_BY_DISTRICT if coarse else g.MONTH
        one = dt.timedelta(days=1)
        last = min(end, self.until - one)
        if month_only:
            months, m = [], month_start(start)
            while m <= last:
                months.append(m)
                m = next_month(m)
            return (Q(grain=g.MONTH, day__in=months) if months else None), None
        if start > last:
            return None, None
        if daily:
            return Q(grain=day_grain, day__gte=start, day__lte=last), None
        months, days, minus = [], [], []
        m = month_start(start)
        while m <= last:
            lo, hi = max(start, m), min(last, next_month(m) - one)
            # A month row holds its days up to the last complete one.
            covered = min(next_month(m), self.until) - one
            left_out = (lo - m).days + (covered - hi).days
            if left_out + 1 < (hi - lo).days + 1:
                months.append(m)
                if lo > m:
                    minus.append(Q(grain=day_grain, day__gte=m, day__lt=lo))
                if hi < covered:
                    minus.append(Q(grain=day_grain, day__gt=hi, day__lte=covered))
            else:
                days.append(Q(grain=day_grain, day__gte=lo, day__lte=hi))
            m = next_month(m)
        plus = [Q(grain=month_grain, day__in=months)] if months else []
        return _any(plus + days), _any(minus)

    @staticmethod
    def _matches(fact: Fact, filters: dict) -> bool:
        districts = filters.get("district")
        if districts is not None and fact.district not in districts:
            return False
        return all(
            getattr(fact, key) == value
            for key, value in filters.items()
            if key != "district" and value not in (None, "")
        )

    @staticmethod
    def _filter(qs, filters: dict):
        districts = filters.get("district")
        if districts is not None:
            qs = qs.filter(district__in=list(districts))
        for key in ("k1", "k2", "k3"):
            if filters.get(key) not in (None, ""):
                qs = qs.filter(**{key: filters[key]})
        return qs

    def _rolled(self, q: Q, metrics: list[str], by, filters: dict, out: dict, sign=1) -> None:
        """Add the rolled rows matching `q` to `out`: narrow metrics from `Rollup`, the wide
        families' from `RollupWide` (one row per key combination, a column per metric)."""
        narrow = [m for m in metrics if m not in COLUMN]
        if narrow:
            qs = self._filter(Rollup.objects.filter(q, metric__in=narrow), filters)
            for row in qs.values_list("metric", *by).annotate(v=Sum("value")).order_by():
                out[row[:-1]] += sign * row[-1]
        families: dict[str, list[str]] = defaultdict(list)
        for m in metrics:
            if m in COLUMN:
                families[COLUMN[m][0]].append(m)
        for family, wanted in families.items():
            columns = [COLUMN[m][1] for m in wanted]
            qs = self._filter(RollupWide.objects.filter(q, family=family), filters)
            n = len(by)
            sums = {f"s{c}": Sum(c) for c in columns}
            if by:
                rows = qs.values_list(*by).annotate(**sums).order_by()
            else:
                totals = qs.aggregate(**sums)
                rows = [tuple(totals[f"s{c}"] for c in columns)]
            for row in rows:
                keys = row[:n]
                for metric, value in zip(wanted, row[n:], strict=True):
                    if value:
                        out[(metric, *keys)] += sign * value

    def sums(self, metrics, *, start: dt.date, end: dt.date, by=(), **filters) -> dict[tuple, int]:
        """{(metric, *the `by` keys): total} for days start..end. `by` names any of day,
        district, k1, k2, k3; filters: district (a set of ids or None), k1, k2, k3."""
        metrics = list(metrics)
        daily = "day" in by
        coarse = set(by) <= {"day", "district"} and all(
            filters.get(k) in (None, "") for k in ("k1", "k2", "k3")
        )
        out: dict[tuple, int] = defaultdict(int)
        for month_only in (False, True):
            group = [m for m in metrics if (m in MONTH_ONLY) == month_only]
            if not group:
                continue
            q, minus = self._rolled_q(start, end, daily=daily, month_only=month_only, coarse=coarse)
            if q is not None:
                self._rolled(q, group, by, filters, out)
            if minus is not None:  # the days a month row holds but the range leaves out
                self._rolled(minus, group, by, filters, out, sign=-1)
            lo = month_start(start) if month_only else start
            hi = next_month(end) - dt.timedelta(days=1) if month_only else end
            for label in {m.split(".")[0] for m in group}:
                for fact in self.live(label):
                    if (
                        fact.metric in group
                        and fact.day >= self.live_from
                        and lo <= fact.day <= hi
                        and self._matches(fact, filters)
                    ):
                        out[(fact.metric, *(getattr(fact, k) for k in by))] += fact.value
        return {k: v for k, v in out.items() if v}

    def total(self, metric: str, *, start, end, **filters) -> int:
        return self.sums([metric], start=start, end=end, **filters).get((metric,), 0)

    def top(self, metric: str, *, month: dt.date, per_district: int, **filters) -> dict:
        """{district: [(k1, total), ...]} the largest totals of a month-only metric (by k1,
        e.g. a worker) in each district, rolled rows and today's delta together."""
        candidates: dict[tuple, int] = {}
        q, _minus = self._complete_q(month, month, daily=False, month_only=True)
        if q is not None:
            ranked = self._filter(Rollup.objects.filter(q, metric=metric), filters).annotate(
                rank=Window(RowNumber(), partition_by=[F("district")], order_by=F("value").desc())
            )
            for row in ranked.filter(rank__lte=per_district * 3).values("district", "k1", "value"):
                candidates[(row["district"], row["k1"])] = row["value"]
        live = defaultdict(int)
        if self.live_rows:  # today's part of the month so far, rolled by the live job
            rows = Rollup.objects.filter(
                grain=Rollup.Grain.LIVE, metric=metric, day__gte=max(month, self.until)
            )
            for district, k1, value in self._filter(
                rows.filter(day__lt=next_month(month)), filters
            ).values_list("district", "k1", "value"):
                live[(district, k1)] += value
        for fact in self.live(metric.split(".")[0]):
            if (
                fact.metric == metric
                and month_start(fact.day) == month
                and fact.day >= self.live_from
                and self._matches(fact, filters)
            ):
                live[(fact.district, fact.k1)] += fact.value
        if live and q is not None:
            missing = [key[1] for key in live if key not in candidates]
            rolled = Rollup.objects.filter(q, metric=metric)
            if len(missing) > 500:  # most of the month's earners: read them all at once
                chunks = [rolled]
            else:
                chunks = [rolled.filter(k1__in=missing)] if missing else []
            for rows in chunks:
                for district, k1, value in rows.values_list("district", "k1", "value"):
                    if (district, k1) in live:
                        candidates[(district, k1)] = value
        for key, value in live.items():
            candidates[key] = candidates.get(key, 0) + value
        board: dict = defaultdict(list)
        for (district, k1), value in sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0][1])):
            if value > 0 and len(board[district]) < per_district:
                board[district].append((k1, value))
        return dict(board)
