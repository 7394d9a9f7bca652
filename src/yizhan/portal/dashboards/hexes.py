"""Hexagons (H3) for the maps: open hazard reports, repeat spots, station coverage.

Open reports are a state, not an event, so they are kept as a nightly snapshot (the open
reports at the start of today, per hexagon) plus today's openings and closings read live
from the reports' history: snapshot + changes = the open reports of this moment. Repeat spots
are the small hexagons (about 65 m across an edge) where three or more reports were filed in
the last 90 days: counted nightly, with today's reports added live.
"""

import datetime as dt
from collections import defaultdict

import h3
from django.db import transaction
from django.utils import timezone

from yizhan.portal.dashboards.rollups import midnight
from yizhan.portal.models import Rollup
from yizhan.reports import selectors as reports

OPEN_RES = 8  # ≈0.7 km² a cell: the city's heat map
SPOT_RES = 10  # ≈66 m an edge: "the same spot"
SPOT_DAYS = 90
SPOT_MIN = 3
OPEN_METRIC = "portal.open_reports"
SPOT_METRIC = "portal.report_spots"


def cell(lat: float, lng: float, res: int) -> str:
    return h3.latlng_to_cell(lat, lng, res)


def outline(cell_id: str) -> list[list[float]]:
    """The hexagon's corners as [lat, lng] pairs (Leaflet's order)."""
    return [[round(a, 6), round(b, 6)] for a, b in h3.cell_to_boundary(cell_id)]


def centre(cell_id: str) -> tuple[float, float]:
    lat, lng = h3.cell_to_latlng(cell_id)
    return round(lat, 6), round(lng, 6)


def _key(district, department, category) -> tuple:
    return (district, str(department or ""), category or "")


def _binned(rows, res: int, weight=lambda row: 1) -> dict[tuple, int]:
    counts: dict[tuple, int] = defaultdict(int)
    for row in rows:
        lat, lng, district, department, category = row[:5]
        counts[(*_key(district, department, category), cell(lat, lng, res))] += weight(row)
    return counts


def _store(metric: str, day: dt.date, counts: dict[tuple, int]) -> None:
    with transaction.atomic():
        Rollup.objects.filter(metric=metric, grain=Rollup.Grain.SNAPSHOT).delete()
        Rollup.objects.bulk_create(
            [
                Rollup(
                    metric=metric,
                    grain=Rollup.Grain.SNAPSHOT,
                    day=day,
                    district=d,
                    k1=k1,
                    k2=k2,
                    k3=c,
                    value=v,
                )
                for (d, k1, k2, c), v in counts.items()
                if v
            ],
            batch_size=2000,
        )


def refresh_snapshots(*, until: dt.date, now=None) -> dict:
    """The open reports per hexagon at midnight starting `until` (the open reports now less
    the changes since), and the repeat spots of the 90 days before it."""
    now = now or timezone.now()
    start = midnight(until)
    open_now = _binned(reports.dashboard_open_points(), OPEN_RES)
    for key, change in _binned(
        reports.dashboard_open_changes(start=start, end=now), OPEN_RES, lambda r: r[5]
    ).items():
        open_now[key] -= change
    _store(OPEN_METRIC, until, open_now)
    filed = _binned(
        reports.dashboard_filed_points(start=start - dt.timedelta(days=SPOT_DAYS), end=start),
        SPOT_RES,
    )
    per_cell: dict[str, int] = defaultdict(int)
    for (*_, c), n in filed.items():
        per_cell[c] += n
    # Cells with one report cannot become a spot today without two more there; keep two up.
    _store(SPOT_METRIC, until, {k: v for k, v in filed.items() if per_cell[k[3]] >= 2})
    return {"open_cells": len(open_now), "spot_cells": len(per_cell)}


def _snapshot(metric: str, scope) -> dict[str, int]:
    qs = Rollup.objects.filter(metric=metric, grain=Rollup.Grain.SNAPSHOT)
    if scope.district_ids is not None:
        qs = qs.filter(district__in=list(scope.district_ids))
    if scope.department_id:
        qs = qs.filter(k1=str(scope.department_id))
    if scope.category:
        qs = qs.filter(k2=scope.category)
    out: dict[str, int] = defaultdict(int)
    for c, v in qs.values_list("k3", "value"):
        out[c] += v
    return out


def _in_scope(scope, district, department, category) -> bool:
    if scope.district_ids is not None and district not in scope.district_ids:
        return False
    if scope.department_id and department != scope.department_id:
        return False
    return not (scope.category and category != scope.category)


def snapshot_day() -> dt.date | None:
    return (  # ordered by day, not id: the (metric, grain, day) index answers it
        Rollup.objects.filter(metric=OPEN_METRIC, grain=Rollup.Grain.SNAPSHOT)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )


def open_cells(scope, reader) -> dict[str, int]:
    """{cell: open reports now} within the scope: the snapshot plus today's changes (or, with
    no snapshot yet, every open report binned now)."""
    day = snapshot_day()
    if day is None or day != reader.until:
        rows = reports.dashboard_open_points()
        counts: dict[str, int] = defaultdict(int)
        for lat, lng, district, department, category in rows:
            if _in_scope(scope, district, department, category):
                counts[cell(lat, lng, OPEN_RES)] += 1
        return dict(counts)
    counts = _snapshot(OPEN_METRIC, scope)
    for lat, lng, district, department, category, change in reports.dashboard_open_changes(
        start=midnight(day), end=reader.now
    ):
        if _in_scope(scope, district, department, category):
            counts[cell(lat, lng, OPEN_RES)] += change
    return {c: n for c, n in counts.items() if n > 0}


def repeat_spots(scope, reader, *, limit: int = 50) -> list[tuple[str, int]]:
    """[(cell, reports)] the spots with three or more reports in the last 90 days, most first."""
    day = snapshot_day()
    counts: dict[str, int] = defaultdict(int)
    if day is None or day != reader.until:
        start = midnight(reader.today) - dt.timedelta(days=SPOT_DAYS)
        day = reader.today
        rows = reports.dashboard_filed_points(start=start, end=reader.now)
    else:
        counts.update(_snapshot(SPOT_METRIC, scope))
        rows = reports.dashboard_filed_points(start=midnight(day), end=reader.now)
    for lat, lng, district, department, category in rows:
        if _in_scope(scope, district, department, category):
            counts[cell(lat, lng, SPOT_RES)] += 1
    spots = [(c, n) for c, n in counts.items() if n >= SPOT_MIN]
    return sorted(spots, key=lambda s: (-s[1], s[0]))[:limit]
