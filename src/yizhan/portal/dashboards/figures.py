"""The figures of each dashboard, as plain data: the page draws them (a chart and its
table), the API returns them, the monthly report prints them, the export writes them.

A section is {"section", "title", "indicators": [...], "charts": [...]}; an indicator is a
figure with the same figure for the comparison period; a chart is a table (columns, rows)
with a kind that says how to draw it. Every figure comes from the rollups plus today's live
delta (`rollups.Reader`), or from an indexed count of the present moment.

Every builder takes `only`: the key of the one chart wanted (the chart endpoint), in which
case it reads only what that chart needs and returns no indicators.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.accounts import selectors as accounts
from yizhan.cases import selectors as cases
from yizhan.core.errors import Invalid
from yizhan.orgs import selectors as orgs
from yizhan.places import selectors as places
from yizhan.points import selectors as points
from yizhan.portal.dashboards import hexes, providers
from yizhan.portal.dashboards.rollups import WIDE, Reader, month_start, next_month
from yizhan.reports import selectors as reports
from yizhan.stations import selectors as stations

SECTIONS = ("overview", "grievances", "reports", "stations", "points", "coverage")
REACH_M = 1000


def section_titles() -> dict[str, str]:
    return {
        "overview": _("Overview"),
        "grievances": _("Grievances"),
        "reports": _("Hazard reports"),
        "stations": _("Stations"),
        "points": _("Points"),
        "coverage": _("Coverage"),
    }


# --- small helpers ---------------------------------------------------------------------------


def rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def chart(key, title, kind, columns, rows, *, unit="", note="", extra=None) -> dict:
    return {
        "key": key,
        "title": title,
        "kind": kind,
        "columns": [str(c) for c in columns],
        "rows": rows,
        "unit": unit,
        "note": note,
        "extra": extra or {},
    }


def indicator(key, label, value, previous=None, *, unit="", better="up", note="", group="") -> dict:
    return {
        "key": key,
        "label": label,
        "value": value,
        "previous": previous,
        "unit": unit,
        "better": better,
        "note": note,
        "group": group,
    }


def days(scope) -> list[dt.date]:
    return [scope.start + dt.timedelta(days=i) for i in range((scope.end - scope.start).days + 1)]


def _reader(query) -> Reader:
    earliest = min(query.scope.start, query.previous.start if query.previous else query.scope.start)
    return Reader(now=query.scope.now, earliest=earliest)


def _trend(reader, query, metrics, labels, filters) -> dict:
    """Daily series of `metrics` in the period, and the first one over the comparison period
    (aligned day by day)."""
    scope = query.scope
    current = reader.sums(metrics, start=scope.start, end=scope.end, by=("day",), **filters)
    rows = []
    earlier = {}
    if query.previous:
        p = query.previous
        earlier = reader.sums(metrics[:1], start=p.start, end=p.end, by=("day",), **filters)
    previous_days = days(query.previous) if query.previous else []
    for i, day in enumerate(days(scope)):
        row = [day.isoformat(), *[current.get((m, day), 0) for m in metrics]]
        if query.previous:
            row.append(
                earlier.get((metrics[0], previous_days[i]), 0) if i < len(previous_days) else None
            )
        rows.append(row)
    columns = [_("Day"), *labels]
    if query.previous:
        columns.append(_("%(what)s, comparison period") % {"what": labels[0]})
    return {"columns": columns, "rows": rows}


def _wanted(only):
    """want(key): is chart `key` asked for? want(None): are the indicators?"""
    return lambda key: only is None or (key is not None and key == only)


def _check_category(scope, labels: dict):
    if scope.category and scope.category not in labels:
        raise Invalid(_("There is no such category."), field="category")


# --- grievances ----------------------------------------------------------------------------

CASE_METRICS = WIDE["cases"]  # the grievance cube: one wide rollup row per key combination


def _case_indicators(t: dict) -> dict:
    g = lambda m: t.get(m, 0)  # noqa: E731
    replied = g("cases.closed_replied")
    return {
        "filed": g("cases.filed"),
        "dispatched": g("cases.dispatched"),
        "closed": g("cases.closed"),
        "accept_rate": rate(g("cases.accepted_on_time"), g("cases.accepted")),
        "on_time_rate": rate(g("cases.closed_on_time"), replied),
        "resolution_rate": rate(g("cases.closed_first_time"), replied),
        "satisfaction_rate": rate(g("cases.closed_satisfied"), g("cases.closed_rated")),
        "mean_hours": round(g("cases.handling_seconds") / replied / 3600, 1) if replied else None,
        "returned": g("cases.returned"),
        "extended": g("cases.extended"),
        "reopened": g("cases.reopened"),
        "overdue": g("cases.overdue"),
    }


def _by(sums: dict, key_index: int = 1) -> dict:
    grouped: dict = defaultdict(dict)
    for key, value in sums.items():
        grouped[key[key_index]][key[0]] = value
    return grouped


CUBE_KEYS = ("district", "k1", "k2", "k3")


def _breakdown(reader, scope, filters, dimension: str, cube=None) -> dict[str, dict]:
    """Indicators by one dimension; from `cube` (sums by all four keys, read once) if given."""
    if cube is None:
        cube = reader.sums(CASE_METRICS, start=scope.start, end=scope.end, by=CUBE_KEYS, **filters)
    at = 1 + CUBE_KEYS.index(dimension)
    sums: dict = defaultdict(int)
    for key, value in cube.items():
        sums[(key[0], key[at])] += value
    return {str(k if k is not None else ""): _case_indicators(v) for k, v in _by(sums).items()}


def _ranking(reader, scope, filters, names) -> dict:
    """The departments of the month (of the range's end), ranked on the mean of their on-time
    reply, first-time resolution and satisfaction rates (12345 evaluation practice)."""
    first = month_start(scope.end)
    last = min(next_month(first) - dt.timedelta(days=1), timezone.localdate(scope.now))
    rows = []
    for key, ind in _breakdown(
        reader, replace(scope, start=first, end=last), filters, "k1"
    ).items():
        if not key:
            continue
        parts = [ind[k] for k in ("on_time_rate", "resolution_rate", "satisfaction_rate")]
        known = [p for p in parts if p is not None]
        score = round(sum(known) / len(known), 1) if known else None
        rows.append([names.get(key, key), ind["dispatched"], ind["closed"], *parts, score])
    rows.sort(key=lambda r: (r[-1] is None, -(r[-1] or 0), r[0]))
    ranked = [[n, *r] for n, r in enumerate(rows, 1)]
    return chart(
        "department_ranking",
        _("Departments of %(month)s, ranked") % {"month": f"{first:%Y-%m}"},
        "table",
        [
            _("Rank"),
            _("Department"),
            _("Dispatched"),
            _("Closed"),
            _("On-time reply %"),
            _("First-time resolution %"),
            _("Satisfaction %"),
            _("Score"),
        ],
        ranked,
        note=_("Score: the mean of the three rates."),
    )


GRIEVANCE_CHARTS = (
    "trend",
    "by_department",
    "department_ranking",
    "by_district",
    "by_channel",
    "by_category",
)


def grievances(query, only=None) -> dict:
    scope = query.scope
    want = _wanted(only)
    labels = cases.dashboard_labels()
    _check_category(scope, labels["category"])
    reader = _reader(query)
    filters = {
        "district": scope.district_ids,
        "k1": str(scope.department_id) if scope.department_id else None,
        "k2": scope.category or None,
    }
    first_label = _("Dispatched to the department") if scope.department_id else _("Filed")
    charts = []
    if want("trend"):
        trend = _trend(
            reader,
            query,
            ["cases.filed" if not scope.department_id else "cases.dispatched", "cases.closed"],
            [first_label, _("Closed")],
            filters,
        )
        charts.append(
            chart(
                "trend", _("Filed and closed, day by day"), "line", trend["columns"], trend["rows"]
            )
        )
    names = labels["department"]
    if want("department_ranking"):
        charts.append(_ranking(reader, scope, filters, names))
    breakdowns = ("by_department", "by_district", "by_channel", "by_category")
    if not any(want(k) for k in (None, *breakdowns)):
        return {"indicators": [], "charts": charts}
    # One read of the cube for the period: the totals and the four breakdowns come from it.
    cube = reader.sums(CASE_METRICS, start=scope.start, end=scope.end, by=CUBE_KEYS, **filters)
    indicators = _grievance_indicators(query, reader, filters, cube) if want(None) else []
    charts += _grievance_breakdowns(reader, scope, filters, cube, labels, want)
    charts.sort(key=lambda c: GRIEVANCE_CHARTS.index(c["key"]))
    return {"indicators": indicators, "charts": charts}


def _grievance_indicators(query, reader, filters, cube) -> list:
    scope = query.scope
    totals: dict = defaultdict(int)
    for key, value in cube.items():
        totals[key[0]] += value
    now_ind = _case_indicators(dict(totals))
    before = {}
    if query.previous:
        p = query.previous
        before = _case_indicators(
            {
                k[0]: v
                for k, v in reader.sums(CASE_METRICS, start=p.start, end=p.end, **filters).items()
            }
        )
    live = cases.dashboard_open_now(
        district_ids=scope.district_ids,
        department_id=scope.department_id,
        category_id=int(scope.category) if scope.category else None,
        now=scope.now,
    )
    first = "dispatched" if scope.department_id else "filed"
    first_label = _("Dispatched to the department") if scope.department_id else _("Filed")
    indicators = [
        indicator(first, first_label, now_ind[first], before.get(first)),
        indicator(
            "accept_rate",
            _("On-time acceptance"),
            now_ind["accept_rate"],
            before.get("accept_rate"),
            unit="%",
        ),
        indicator(
            "on_time_rate",
            _("On-time reply"),
            now_ind["on_time_rate"],
            before.get("on_time_rate"),
            unit="%",
        ),
        indicator(
            "resolution_rate",
            _("Resolved at the first reply"),
            now_ind["resolution_rate"],
            before.get("resolution_rate"),
            unit="%",
        ),
        indicator(
            "satisfaction_rate",
            _("Satisfaction"),
            now_ind["satisfaction_rate"],
            before.get("satisfaction_rate"),
            unit="%",
        ),
        indicator(
            "mean_hours",
            _("Mean handling time"),
            now_ind["mean_hours"],
            before.get("mean_hours"),
            unit="h",
            better="down",
        ),
        indicator(
            "returned", _("Returns"), now_ind["returned"], before.get("returned"), better="down"
        ),
        indicator(
            "extended", _("Extensions"), now_ind["extended"], before.get("extended"), better="down"
        ),
        indicator(
            "overdue", _("Marked overdue"), now_ind["overdue"], before.get("overdue"), better="down"
        ),
        indicator("open_now", _("Not closed yet"), live["open"], None, better="down"),
        indicator("overdue_now", _("Past the deadline now"), live["overdue"], None, better="down"),
    ]
    return indicators


def _grievance_breakdowns(reader, scope, filters, cube, labels, want) -> list:
    """The tables by department, district, channel and category, summed from the cube."""
    names = labels["department"]
    district_names = dict(places.districts().values_list("id", "name"))
    charts = []
    head = [
        _("Filed"),
        _("Dispatched"),
        _("Closed"),
        _("On-time acceptance %"),
        _("On-time reply %"),
        _("First-time resolution %"),
        _("Satisfaction %"),
        _("Mean hours"),
        _("Returns"),
        _("Extensions"),
        _("Overdue"),
    ]

    def table_rows(breakdown, name_of):
        rows = [
            [
                name_of(k),
                i["filed"],
                i["dispatched"],
                i["closed"],
                i["accept_rate"],
                i["on_time_rate"],
                i["resolution_rate"],
                i["satisfaction_rate"],
                i["mean_hours"],
                i["returned"],
                i["extended"],
                i["overdue"],
            ]
            for k, i in breakdown.items()
        ]
        return sorted(rows, key=lambda r: (-(r[1] + r[2]), str(r[0])))

    tables = [
        ("by_department", _("By department"), "bar", _("Department"), "k1",
         lambda k: names.get(k, _("Not dispatched yet"))),
        ("by_district", _("By district"), "bar", _("District"), "district",
         lambda k: district_names.get(int(k), _("Unknown")) if k else _("Unknown")),
        ("by_channel", _("By channel"), "pie", _("Channel"), "k3",
         lambda k: labels["channel"].get(k, k)),
        ("by_category", _("By category"), "bar", _("Category"), "k2",
         lambda k: labels["category"].get(k, k)),
    ]  # fmt: skip
    for key, title, kind, label, dimension, name_of in tables:
        if want(key):
            breakdown = _breakdown(reader, scope, filters, dimension, cube)
            charts.append(chart(key, title, kind, [label, *head], table_rows(breakdown, name_of)))
    return charts


# --- hazard reports ------------------------------------------------------------------------

REPORT_METRICS = (
    "reports.filed",
    "reports.resolved",
    "reports.closed",
    "reports.rejected",
    "reports.reopened",
)


def median_hours(buckets: dict[str, int]) -> float | None:
    """The median of the resolution times, read off the buckets (linear inside the bucket)."""
    bounds = (0, *reports.RESOLVE_HOUR_BUCKETS)
    total = sum(buckets.values())
    if not total:
        return None
    half, seen = total / 2, 0
    for i in range(len(bounds)):
        n = buckets.get(str(i), 0)
        if n and seen + n >= half:
            low = bounds[i]
            high = bounds[i + 1] if i + 1 < len(bounds) else low * 2
            return round(low + (high - low) * (half - seen) / n, 1)
        seen += n
    return None


def _resolve_buckets(reader, scope, filters, by=()) -> dict:
    sums = reader.sums(
        ["reports.resolve_hours"], start=scope.start, end=scope.end, by=(*by, "k3"), **filters
    )
    grouped: dict = defaultdict(dict)
    for key, n in sums.items():
        grouped[key[1:-1]][key[-1]] = n
    return grouped


def hazard_reports(query, only=None) -> dict:
    scope = query.scope
    want = _wanted(only)
    labels = reports.dashboard_labels()["category"]
    _check_category(scope, labels)
    reader = _reader(query)
    filters = {
        "district": scope.district_ids,
        "k1": str(scope.department_id) if scope.department_id else None,
        "k2": scope.category or None,
    }
    indicators = _report_indicators(query, reader, filters) if want(None) else []
    charts = []
    if want("trend"):
        trend = _trend(
            reader,
            query,
            ["reports.filed", "reports.resolved"],
            [_("Filed"), _("Resolved")],
            filters,
        )
        charts.append(
            chart(
                "trend",
                _("Filed and resolved, day by day"),
                "line",
                trend["columns"],
                trend["rows"],
            )
        )
    if want("by_category"):
        by_cat = _by(
            reader.sums(REPORT_METRICS, start=scope.start, end=scope.end, by=("k2",), **filters)
        )
        cat_medians = _resolve_buckets(reader, scope, filters, by=("k2",))
        cat_rows = sorted(
            (
                [
                    labels.get(k, k),
                    v.get("reports.filed", 0),
                    v.get("reports.resolved", 0),
                    median_hours(cat_medians.get((k,), {})),
                ]
                for k, v in by_cat.items()
            ),
            key=lambda r: (-r[1], r[0]),
        )
        charts.append(
            chart(
                "by_category",
                _("By category"),
                "bar",
                [_("Category"), _("Filed"), _("Resolved"), _("Median hours to resolve")],
                cat_rows,
            )
        )
    if want("by_district"):
        district_names = dict(places.districts().values_list("id", "name"))
        by_district = _by(
            reader.sums(
                REPORT_METRICS, start=scope.start, end=scope.end, by=("district",), **filters
            )
        )
        district_rows = sorted(
            (
                [
                    district_names.get(k, _("Routed to a department"))
                    if k
                    else _("Routed to a department"),
                    v.get("reports.filed", 0),
                    v.get("reports.resolved", 0),
                ]
                for k, v in by_district.items()
            ),
            key=lambda r: (-r[1], r[0]),
        )
        charts.append(
            chart(
                "by_district",
                _("By district"),
                "bar",
                [_("District"), _("Filed"), _("Resolved")],
                district_rows,
            )
        )
    if want("open_heatmap"):
        cells = hexes.open_cells(scope, reader)
        charts.append(
            chart(
                "open_heatmap",
                _("Open reports now, by hexagon"),
                "hexmap",
                [_("Hexagon"), _("Open reports"), _("Latitude"), _("Longitude")],
                [[c, n, *hexes.centre(c)] for c, n in sorted(cells.items(), key=lambda x: -x[1])],
                note=_("H3 cells of about 0.7 km²; the table lists each cell's centre."),
                extra={"outlines": {c: hexes.outline(c) for c in cells}},
            )
        )
    if want("repeat_spots"):
        spots = hexes.repeat_spots(scope, reader)
        charts.append(
            chart(
                "repeat_spots",
                _("Repeat spots (3 or more reports in 90 days)"),
                "hexmap",
                [_("Hexagon"), _("Reports"), _("Latitude"), _("Longitude")],
                [[c, n, *hexes.centre(c)] for c, n in spots],
                note=_("H3 cells of about 65 m a side."),
                extra={"outlines": {c: hexes.outline(c) for c, _n in spots}},
            )
        )
    return {"indicators": indicators, "charts": charts}


def _report_indicators(query, reader, filters) -> list:
    scope = query.scope

    def totals(s):
        t = {
            k[0]: v
            for k, v in reader.sums(REPORT_METRICS, start=s.start, end=s.end, **filters).items()
        }
        t["median"] = median_hours(_resolve_buckets(reader, s, filters).get((), {}))
        return t

    now_t = totals(scope)
    before = totals(query.previous) if query.previous else {}
    live = reports.dashboard_overdue_now(
        district_ids=scope.district_ids,
        category=scope.category,
        department_id=scope.department_id,
        now=scope.now,
    )
    return [
        indicator("filed", _("Filed"), now_t.get("reports.filed", 0), before.get("reports.filed")),
        indicator(
            "resolved",
            _("Resolved"),
            now_t.get("reports.resolved", 0),
            before.get("reports.resolved"),
        ),
        indicator(
            "median_hours",
            _("Median time to resolve"),
            now_t["median"],
            before.get("median"),
            unit="h",
            better="down",
        ),
        indicator(
            "rejected",
            _("Rejected"),
            now_t.get("reports.rejected", 0),
            before.get("reports.rejected"),
            better="down",
        ),
        indicator("open_now", _("Not yet resolved"), live["open"], None, better="down"),
        indicator("overdue_now", _("Past their target now"), live["overdue"], None, better="down"),
    ]


# --- stations ------------------------------------------------------------------------------


def _built(makers: dict, want) -> list:
    """The charts asked for: `makers` maps each key to a function that builds its chart."""
    return [make() for key, make in makers.items() if want(key)]


def station_figures(query, only=None) -> dict:
    scope = query.scope
    want = _wanted(only)
    kinds = stations.dashboard_kind_labels()
    _check_category(scope, kinds)
    reader = _reader(query)
    filters = {"district": scope.district_ids, "k1": scope.category or None}
    rows = stations.dashboard_stations(district_ids=scope.district_ids)
    if scope.category:
        rows = [r for r in rows if r["kind"] == scope.category]
    indicators = []
    if want(None):
        visits = reader.total("stations.visits", start=scope.start, end=scope.end, **filters)
        before = None
        if query.previous:
            before = reader.total(
                "stations.visits", start=query.previous.start, end=query.previous.end, **filters
            )
        open_ids = {h.entry.id for h in stations.filtered_stations(open_now=True, moment=scope.now)}
        indicators = [
            indicator("visits", _("Visits"), visits, before),
            indicator("stations", _("Stations"), len(rows)),
            indicator("open_now", _("Open now"), sum(1 for r in rows if r["id"] in open_ids)),
            indicator(
                "stale",
                _("Stale data (not confirmed for 30 days)"),
                sum(1 for r in rows if r["stale"]),
                better="down",
            ),
            indicator(
                "broken",
                _("With an amenity out of order"),
                sum(1 for r in rows if r["broken"]),
                better="down",
            ),
        ]

    def trend():
        t = _trend(reader, query, ["stations.visits"], [_("Visits")], filters)
        return chart("trend", _("Visits, day by day"), "line", t["columns"], t["rows"])

    def by_hour():
        sums = reader.sums(
            ["stations.visits"], start=scope.start, end=scope.end, by=("k2",), **filters
        )
        return chart(
            "by_hour",
            _("Visits by hour of the day"),
            "bar",
            [_("Hour"), _("Visits")],
            [[f"{h:02d}:00", sums.get(("stations.visits", str(h)), 0)] for h in range(24)],
        )

    def by_kind():
        sums = reader.sums(
            ["stations.visits"], start=scope.start, end=scope.end, by=("k1",), **filters
        )
        station_kinds = defaultdict(int)
        for r in rows:
            station_kinds[r["kind"]] += 1
        return chart(
            "by_kind",
            _("Use per station kind"),
            "bar",
            [_("Kind"), _("Stations"), _("Visits"), _("Visits per station")],
            [
                [
                    label,
                    station_kinds.get(k, 0),
                    sums.get(("stations.visits", k), 0),
                    round(sums.get(("stations.visits", k), 0) / station_kinds[k], 1)
                    if station_kinds.get(k)
                    else None,
                ]
                for k, label in kinds.items()
            ],
        )

    def busiest():
        by_station = reader.sums(
            ["stations.visits_by_station"],
            start=scope.start,
            end=scope.end,
            by=("k1",),
            district=scope.district_ids,
        )
        named = {str(r["id"]): r for r in rows}
        top = sorted(
            (
                (named[k]["code"], named[k]["name"], kinds.get(named[k]["kind"], ""), n)
                for (_m, k), n in by_station.items()
                if k in named
            ),
            key=lambda r: (-r[3], r[0]),
        )[:15]
        return chart(
            "busiest",
            _("Busiest stations"),
            "table",
            [_("Code"), _("Station"), _("Kind"), _("Visits")],
            [list(r) for r in top],
        )

    def stale():
        return chart(
            "stale",
            _("Stations with stale data"),
            "table",
            [_("Code"), _("Station"), _("Last confirmed")],
            [
                [
                    r["code"],
                    r["name"],
                    r["confirmed_at"].date().isoformat() if r["confirmed_at"] else "—",
                ]
                for r in rows
                if r["stale"]
            ][:30],
        )

    def out_of_order():
        broken = stations.dashboard_out_of_order(district_ids=scope.district_ids)
        return chart(
            "out_of_order",
            _("Amenities out of order"),
            "table",
            [_("Code"), _("Station"), _("Amenity")],
            [[b["code"], b["station"], b["amenity"]] for b in broken],
        )

    makers = {
        "trend": trend,
        "by_hour": by_hour,
        "by_kind": by_kind,
        "busiest": busiest,
        "stale": stale,
        "out_of_order": out_of_order,
    }
    return {"indicators": indicators, "charts": _built(makers, want)}


# --- points --------------------------------------------------------------------------------

POINT_METRICS = ("points.issued", "points.redeemed", "points.reversed")


def point_figures(query, only=None) -> dict:
    scope = query.scope
    want = _wanted(only)
    sources = points.dashboard_source_labels()
    _check_category(scope, sources)
    reader = _reader(query)
    filters = {"district": scope.district_ids}
    issued_filters = {**filters, "k1": scope.category or None}
    indicators = _point_indicators(query, reader, filters, issued_filters) if want(None) else []

    def trend():
        daily_i = reader.sums(
            ["points.issued"], start=scope.start, end=scope.end, by=("day",), **issued_filters
        )
        daily_r = reader.sums(
            ["points.redeemed"], start=scope.start, end=scope.end, by=("day",), **filters
        )
        return chart(
            "trend",
            _("Issued and redeemed, day by day"),
            "line",
            [_("Day"), _("Issued"), _("Redeemed")],
            [
                [
                    d.isoformat(),
                    daily_i.get(("points.issued", d), 0),
                    daily_r.get(("points.redeemed", d), 0),
                ]
                for d in days(scope)
            ],
        )

    def by_source():
        sums = reader.sums(
            ["points.issued"], start=scope.start, end=scope.end, by=("k1",), **issued_filters
        )
        return chart(
            "by_source",
            _("Issued by source"),
            "bar",
            [_("Source"), _("Points")],
            sorted([[sources.get(k, k), v] for (_m, k), v in sums.items()], key=lambda r: -r[1]),
        )

    def by_district():
        district_names = dict(places.districts().values_list("id", "name"))
        sums = _by(
            reader.sums(
                POINT_METRICS, start=scope.start, end=scope.end, by=("district",), **filters
            )
        )
        return chart(
            "by_district",
            _("By district"),
            "bar",
            [_("District"), _("Issued"), _("Redeemed")],
            sorted(
                [
                    [
                        district_names.get(k, _("Unknown")) if k else _("Unknown"),
                        v.get("points.issued", 0),
                        v.get("points.redeemed", 0),
                    ]
                    for k, v in sums.items()
                ],
                key=lambda r: -r[1],
            ),
        )

    def top_earners():
        district_names = dict(places.districts().values_list("id", "name"))
        month = month_start(scope.end)
        board = reader.top("points.earned", month=month, per_district=5, **filters)
        names = points.dashboard_worker_names({k for rows in board.values() for k, _v in rows})
        top_rows = [
            [district_names.get(d, _("Unknown")) if d else _("Unknown"), rank, names.get(k, "—"), v]
            for d in sorted(board, key=lambda d: district_names.get(d, "") if d else "")
            for rank, (k, v) in enumerate(board[d], 1)
        ]
        return chart(
            "top_earners",
            _("Top earners of %(month)s by district") % {"month": f"{month:%Y-%m}"},
            "table",
            [_("District"), _("Rank"), _("Worker"), _("Points")],
            top_rows,
            note=_("Names masked; honours themselves do not count."),
        )

    makers = {
        "trend": trend,
        "by_source": by_source,
        "by_district": by_district,
        "top_earners": top_earners,
    }
    return {"indicators": indicators, "charts": _built(makers, want)}


def _point_indicators(query, reader, filters, issued_filters) -> list:
    scope = query.scope

    def totals(s):
        t = {
            k[0]: v
            for k, v in reader.sums(
                ["points.issued"], start=s.start, end=s.end, **issued_filters
            ).items()
        }
        t |= {
            k[0]: v
            for k, v in reader.sums(
                ["points.redeemed", "points.reversed"], start=s.start, end=s.end, **filters
            ).items()
        }
        return t

    now_t = totals(scope)
    before = totals(query.previous) if query.previous else {}
    heads = {h.key: h for h in points.dashboard_headlines(scope=scope)}
    return [
        indicator(
            "issued", _("Issued"), now_t.get("points.issued", 0), before.get("points.issued")
        ),
        indicator(
            "redeemed",
            _("Redeemed"),
            now_t.get("points.redeemed", 0),
            before.get("points.redeemed"),
        ),
        indicator(
            "reversed",
            _("Taken back by corrections"),
            now_t.get("points.reversed", 0),
            before.get("points.reversed"),
            better="down",
        ),
        indicator("pool", _("Pool balance (city-wide)"), heads["points.pool"].value),
        indicator("wishes", _("Wishes outstanding"), heads["points.wishes"].value, better="down"),
        indicator("held", _("Awaiting pick-up"), heads["points.held"].value),
    ]


# --- coverage ------------------------------------------------------------------------------


def coverage(query, only=None) -> dict:
    """Per district: workers and employers registered, stations and those open now, stations
    per 10,000 workers, and the communities whose centre is within 1 km of a station (open at
    some hour of the week) — how much of the district a worker can reach."""
    scope = query.scope
    if not _wanted(only)("by_district"):
        return {"indicators": [], "charts": []}
    district_rows = list(places.districts().values_list("id", "name"))
    if scope.district_ids is not None:
        district_rows = [(i, n) for i, n in district_rows if i in scope.district_ids]
    workers = accounts.workers_per_district()
    employers = orgs.employers_per_district()
    rows = stations.dashboard_stations(district_ids=scope.district_ids)
    open_ids = {h.entry.id for h in stations.filtered_stations(open_now=True, moment=scope.now)}
    per = defaultdict(lambda: [0, 0])
    for r in rows:
        per[r["district_id"]][0] += 1
        per[r["district_id"]][1] += r["id"] in open_ids
    communities = places.communities_search(
        district_ids=list(scope.district_ids) if scope.district_ids is not None else None
    ).values_list("subdistrict__district_id", "centroid_lat", "centroid_lng")
    reach = _communities_in_reach(communities, [(r["lat"], r["lng"]) for r in rows])
    table = []
    for district_id, name in district_rows:
        w = workers.get(district_id, 0)
        s, o = per.get(district_id, (0, 0))
        covered, total = reach.get(district_id, (0, 0))
        table.append(
            [
                name,
                w,
                employers.get(district_id, 0),
                s,
                o,
                round(s / w * 10000, 1) if w else None,
                covered,
                total,
                rate(covered, total),
            ]
        )
    totals = [sum(r[i] or 0 for r in table) for i in (1, 2, 3, 4, 6, 7)]
    indicators = [
        indicator("workers", _("Registered workers"), totals[0]),
        indicator("employers", _("Employers"), totals[1]),
        indicator("stations", _("Stations"), totals[2]),
        indicator("open_now", _("Open now"), totals[3]),
        indicator(
            "communities_in_reach",
            _("Communities within 1 km of a station"),
            rate(totals[4], totals[5]),
            unit="%",
        ),
    ]
    # The other apps' coverage figures (membership); the four above are not asked at all.
    extra_heads = [
        h
        for h in providers.headlines(scope, leave_out={"cases", "reports", "stations", "points"})
        if h.extra.get("coverage")
    ]
    for h in extra_heads:
        indicators.append(
            indicator(h.key, _(str(h.label)), h.value, unit=str(h.unit), group=str(h.group))
        )
    # An app's per-district figures (membership: members, organisations, workers within reach
    # of one) become columns of the table.
    extra_columns = [h for h in extra_heads if "by_district" in h.extra]
    for row, (district_id, _name) in zip(table, district_rows, strict=True):
        row.extend(h.extra["by_district"].get(district_id, 0) for h in extra_columns)
    return {
        "indicators": indicators if only is None else [],
        "charts": [
            chart(
                "by_district",
                _("Coverage by district"),
                "bar",
                [
                    _("District"),
                    _("Workers"),
                    _("Employers"),
                    _("Stations"),
                    _("Open now"),
                    _("Stations per 10,000 workers"),
                    _("Communities within 1 km"),
                    _("Communities"),
                    _("Share within 1 km %"),
                    *[str(h.extra.get("column") or h.label) for h in extra_columns],
                ],
                table,
                note=_(
                    "Workers by home district. A worker is within reach of a union "
                    "organisation when one taking members serves their home district."
                ),
            ),
        ],
    }


def _communities_in_reach(communities, station_points) -> dict:
    """{district: (communities whose centre is within REACH_M of a station, communities)}."""
    import numpy as np

    out: dict = defaultdict(lambda: [0, 0])
    if not station_points:
        for district, lat, _lng in communities:
            out[district][1] += lat is not None
        return {k: tuple(v) for k, v in out.items()}
    s = np.radians(np.array(station_points, dtype=float))
    placed = [(d, lat, lng) for d, lat, lng in communities if lat is not None]
    if not placed:
        return {}
    c = np.radians(np.array([(lat, lng) for _d, lat, lng in placed], dtype=float))
    # Haversine, every community against every station at once (communities × stations).
    la, ln = c[:, 0:1], c[:, 1:2]
    a = (
        np.sin((s[:, 0] - la) / 2) ** 2
        + np.cos(la) * np.cos(s[:, 0]) * np.sin((s[:, 1] - ln) / 2) ** 2
    )
    nearest = 2 * 6371008.8 * np.arcsin(np.sqrt(a.min(axis=1)))
    for (district, _lat, _lng), metres in zip(placed, nearest, strict=True):
        out[district][1] += 1
        out[district][0] += bool(metres <= REACH_M)
    return {k: tuple(v) for k, v in out.items()}


# --- overview ------------------------------------------------------------------------------


def overview(query, only=None) -> dict:
    scope = query.scope
    want = _wanted(only)
    reader = _reader(query)
    d = {"district": scope.district_ids}
    flows = [
        ("cases_filed", _("Grievances filed"), "cases.filed"),
        ("reports_filed", _("Hazard reports filed"), "reports.filed"),
        ("visits", _("Station visits"), "stations.visits"),
        ("points_issued", _("Points issued"), "points.issued"),
    ]
    indicators = []
    if want(None):
        metrics = [m for _k, _l, m in flows]
        now_sums = reader.sums(metrics, start=scope.start, end=scope.end, **d)
        before = {}
        if query.previous:
            p = query.previous
            before = reader.sums(metrics, start=p.start, end=p.end, **d)
        indicators = [
            indicator(
                key, label, now_sums.get((m,), 0), before.get((m,), 0) if query.previous else None
            )
            for key, label, m in flows
        ]
        for h in providers.headlines(scope):
            group = _(str(h.group))
            indicators.append(
                indicator(
                    h.key, _(str(h.label)), h.value, unit=str(h.unit), note=group, group=group
                )
            )
    charts = []
    if want("activity"):
        metrics = [m for _k, _l, m in flows[:3]]
        daily = reader.sums(metrics, start=scope.start, end=scope.end, by=("day",), **d)
        charts.append(
            chart(
                "activity",
                _("Activity, day by day"),
                "line",
                [_("Day"), *[label for _k, label, _m in flows[:3]]],
                [
                    [day.isoformat(), *[daily.get((m, day), 0) for m in metrics]]
                    for day in days(scope)
                ],
            )
        )
    return {"indicators": indicators, "charts": charts}


BUILDERS = {
    "overview": overview,
    "grievances": grievances,
    "reports": hazard_reports,
    "stations": station_figures,
    "points": point_figures,
    "coverage": coverage,
}


def section(name: str, query, *, only: str | None = None) -> dict:
    """Every figure of a dashboard; with `only`, just that chart (and no indicators)."""
    data = BUILDERS[name](query, only=only)
    return {"section": name, "title": section_titles()[name], "scope": scope_dict(query), **data}


def scope_dict(query) -> dict:
    s = query.scope
    return {
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "compare": query.compare,
        "previous_start": query.previous.start.isoformat() if query.previous else None,
        "previous_end": query.previous.end.isoformat() if query.previous else None,
        "district": query.district.pk if query.district else None,
        "districts": sorted(s.district_ids) if s.district_ids is not None else None,
        "department": s.department_id,
        "category": s.category,
        "generated_at": timezone.localtime(s.now).isoformat(timespec="seconds"),
        "generated_label": f"{timezone.localtime(s.now):%Y-%m-%d %H:%M}",
    }
