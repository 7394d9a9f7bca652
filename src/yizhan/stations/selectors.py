"""Reading stations: the finder (nearest, filtered lists), station pages, usage statistics.

The finder reads one in-process `StationIndex` per process. Like the community index it
is checked against a cheap fingerprint at most every few seconds: a new or deleted station
rebuilds it; an edited one (its `updated_at` moved) is patched in place. Services call
`invalidate_index()` after commit, so this process sees its own writes at once.
"""

import datetime as dt
import hashlib
import json
import threading
import time
from collections import defaultdict

from django.db.models import Count, F, Max, Prefetch, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.core import gazetteer
from yizhan.core.listing import Column, Sorting
from yizhan.stations import hours
from yizhan.stations.index import Entry, Hit, StationIndex
from yizhan.stations.models import (
    STALE_AFTER_DAYS,
    Amenity,
    HoursException,
    OpeningHours,
    Station,
    StationAmenity,
    StationVisit,
)

_CHECK_EVERY_SECONDS = 3.0
_lock = threading.Lock()
_state = {"index": None, "fingerprint": None, "checked": 0.0}


# --- the index ------------------------------------------------------------------------


def _fingerprint():
    agg = Station.objects.aggregate(n=Count("id"), last_id=Max("id"), changed=Max("updated_at"))
    amenities = Amenity.objects.aggregate(n=Count("id"), last=Max("id"))
    return (agg["n"], agg["last_id"], amenities["n"], amenities["last"]), agg["changed"]


def _entries(station_filter: Q | None = None) -> list[Entry]:
    stations = Station.objects.all()
    if station_filter is not None:
        stations = stations.filter(station_filter)
    rows = list(
        stations.values_list(
            "id",
            "code",
            "name",
            "kind",
            "lat",
            "lng",
            "is_24h",
            "temp_status",
            "temp_status_since",
            "temp_status_until",
            "community_id",
        )
    )
    ids = [r[0] for r in rows]
    scoped = {"station_id__in": ids} if station_filter is not None else {}
    amenities = defaultdict(list)
    for station_id, code in (
        StationAmenity.objects.filter(out_of_order=False, **scoped)
        .order_by("amenity__sort", "amenity__code")
        .values_list("station_id", "amenity__code")
    ):
        amenities[station_id].append(code)
    weekly = defaultdict(lambda: [[] for _ in range(7)])
    for row in OpeningHours.objects.filter(**scoped):
        weekly[row.station_id][row.weekday].append(row.interval)
    dates = defaultdict(dict)
    holidays = {}
    for exc in HoursException.objects.filter(**scoped):
        if exc.date is not None:
            day = dates[exc.station_id].setdefault(exc.date, [])
            if not exc.closed:
                day.append(exc.interval)
        else:
            rule = holidays.setdefault(exc.station_id, [])
            if not exc.closed:
                rule.append(exc.interval)
    entries = []
    for sid, code, name, kind, lat, lng, is_24h, status, since, until, community in rows:
        schedule = hours.Schedule(
            is_24h=is_24h,
            weekly=tuple(tuple(sorted(day)) for day in weekly[sid]) if sid in weekly else ((),) * 7,
            dates={d: tuple(sorted(iv)) for d, iv in dates.get(sid, {}).items()},
            holidays=tuple(sorted(holidays[sid])) if sid in holidays else None,
            temp_status=status,
            temp_since=since,
            temp_until=until,
        )
        entries.append(
            Entry(
                sid, code, name, kind, lat, lng, tuple(amenities.get(sid, ())), schedule, community
            )
        )
    return entries


def build_index() -> StationIndex:
    codes = list(Amenity.objects.values_list("code", flat=True))
    return StationIndex(_entries(), codes, [k for k, _ in Station.Kind.choices])


def invalidate_index() -> None:
    with _lock:
        _state.update(index=None, fingerprint=None, checked=0.0)


def station_index() -> StationIndex:
    now = time.monotonic()
    with _lock:
        index = _state["index"]
        if index is not None and now - _state["checked"] < _CHECK_EVERY_SECONDS:
            return index
        shape, changed = _fingerprint()
        previous = _state["fingerprint"]
        if index is None or previous is None or shape != previous[0]:
            index = build_index()
        elif changed != previous[1]:
            since = previous[1]
            moved = _entries(Q(updated_at__gt=since) if since else None)
            index = index.replaced(moved)
        _state.update(index=index, fingerprint=(shape, changed), checked=now)
        return index


# --- what the maps and the place description read -------------------------------------

_lent = {"index": None, "version": 0, "points": (), "layer": None, "digest": ""}
_lent_lock = threading.Lock()


def _pack(index: StationIndex) -> dict:
    column = {c: i for i, c in enumerate(index.amenity_codes)}
    return {
        "kinds": index.kinds,
        "amenities": index.amenity_codes,
        "q": 100_000,
        "stations": [
            [
                e.id,
                e.code,
                e.name,
                index.kinds.index(e.kind) if e.kind in index.kinds else -1,
                round(e.lat * 100_000),
                round(e.lng * 100_000),
                sum(1 << column[a] for a in e.amenities if a in column),
            ]
            for e in index.entries
        ],
    }


def _lent_for(index: StationIndex) -> dict:
    """What the maps and the gazetteer read, made once per index (rebuilt or patched)."""
    with _lent_lock:
        if _lent["index"] is not index:
            kinds = dict(Station.Kind.choices)
            layer = _pack(index)
            body = json.dumps(layer, ensure_ascii=False, separators=(",", ":")).encode()
            _lent.update(
                index=index,
                version=_lent["version"] + 1,
                points=tuple(
                    gazetteer.NamedPoint(
                        "station",
                        e.code,
                        e.name,
                        e.lat,
                        e.lng,
                        reverse("stations:detail", args=[e.code]),
                        str(kinds.get(e.kind, "")),
                    )
                    for e in index.entries
                ),
                layer=body,
                digest=hashlib.sha1(body, usedforsecurity=False).hexdigest()[:12],
            )
        return dict(_lent)


def named_points():
    """Every station as a named point (`core.gazetteer`): "near 甲工会驿站 (120 m)" in a
    report's place description, and stations in the place search."""
    lent = _lent_for(station_index())
    return lent["version"], lent["points"]


def map_layer() -> tuple[str, bytes]:
    """Every station for the finder's map, packed small, and its content hash (the same in
    every process, so it can name a URL cached for a year): kinds and amenity codes once,
    then per station [id, code, name, kind index, lat*1e5, lng*1e5, working-amenity bits].
    Whether a station is open now is the page's to say: it changes by the minute."""
    lent = _lent_for(station_index())
    return lent["digest"], lent["layer"]


def amenity_codes() -> list[str]:
    return station_index().amenity_codes


def amenity_list():
    return list(Amenity.objects.all())


def nearest_stations(
    *,
    lat: float,
    lng: float,
    limit: int = 5,
    kinds=(),
    amenities=(),
    open_now: bool = False,
    moment: dt.datetime | None = None,
) -> list[Hit]:
    """The stations nearest to a WGS-84 point, by true distance, that pass the filters."""
    return station_index().nearest(
        lat,
        lng,
        limit=limit,
        kinds=kinds,
        amenities=amenities,
        open_now=open_now,
        moment=moment or timezone.now(),
    )


def filtered_stations(
    *, kinds=(), amenities=(), open_now=False, query="", community_id=None, moment=None
) -> list[Hit]:
    return station_index().filtered(
        kinds=kinds,
        amenities=amenities,
        open_now=open_now,
        query=query,
        community_id=community_id,
        moment=moment or timezone.now(),
    )


def is_open_in_index(entry: Entry, moment: dt.datetime | None = None) -> bool:
    return hours.is_open(entry.schedule, moment or timezone.now())


# --- rows for pages and the API -------------------------------------------------------


def station_queryset():
    return Station.objects.select_related("community__subdistrict__district").prefetch_related(
        Prefetch(
            "offers",
            queryset=StationAmenity.objects.select_related("amenity").order_by(
                "amenity__sort", "amenity__code"
            ),
        ),
        "opening_hours",
        "exceptions",
        "photos",
    )


def stations_by_ids(ids: list[int]) -> list[Station]:
    """Full rows for these ids, in the given order."""
    rows = {s.id: s for s in station_queryset().filter(id__in=ids)}
    return [rows[i] for i in ids if i in rows]


def station_by_code(code: str) -> Station | None:
    return station_queryset().filter(code=code).first()


def station_rows(*, ids=None, codes=None):
    """Plain station rows (no hours or amenities), by code: for other apps that only name
    stations, such as the points bank's pick-up stations."""
    qs = Station.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    return qs.order_by("code")


def visits_of(*, worker) -> list[dict]:
    """A worker's own check-ins, newest first, for the export of their data."""
    return [
        {
            "station": code,
            "station_name": name,
            "at": timezone.localtime(at).isoformat(),
            "method": method,
        }
        for code, name, at, method in StationVisit.objects.filter(worker=worker)
        .order_by("-at")
        .values_list("station__code", "station__name", "at", "method")
    ]


def weekly_table(station: Station) -> list[dict]:
    """Seven rows (Monday first) of the station's regular hours, for display."""
    from yizhan.stations.models import Weekday

    schedule = station.schedule()
    table = []
    for day, label in Weekday.choices:
        if station.is_24h or schedule.weekly[day] == hours.FULL_DAY:
            text = _("24 hours")
        else:
            text = hours.format_intervals(schedule.weekly[day])
        table.append({"weekday": day, "label": label, "text": text})
    return table


# --- keepers and the city -------------------------------------------------------------


def visits_today(*, station: Station):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        StationVisit.objects.filter(station=station, at__gte=start)
        .select_related("worker")
        .order_by("-at")
    )


def visits_by_day(*, station: Station | None = None, days: int = 30) -> list[dict]:
    """Visits per local day over the last `days` days, zero-filled, oldest first."""
    tz = hours.local_tz()
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    qs = StationVisit.objects.filter(at__gte=start)
    if station is not None:
        qs = qs.filter(station=station)
    counts = dict(
        qs.annotate(day=TruncDate("at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        {"day": first + dt.timedelta(days=i), "n": counts.get(first + dt.timedelta(days=i), 0)}
        for i in range(days)
    ]


def visits_by_hour(*, station: Station | None = None, days: int = 30) -> list[dict]:
    """Visits per local hour of day (0-23) over the last `days` days."""
    tz = hours.local_tz()
    start = timezone.now() - dt.timedelta(days=days)
    qs = StationVisit.objects.filter(at__gte=start)
    if station is not None:
        qs = qs.filter(station=station)
    counts = dict(
        qs.annotate(h=ExtractHour("at", tzinfo=tz))
        .values("h")
        .annotate(n=Count("id"))
        .values_list("h", "n")
    )
    return [{"hour": h, "n": counts.get(h, 0)} for h in range(24)]


def busiest_stations(*, days: int = 30, limit: int = 20):
    start = timezone.now() - dt.timedelta(days=days)
    return (
        Station.objects.annotate(n=Count("visits", filter=Q(visits__at__gte=start)))
        .filter(n__gt=0)
        .order_by("-n", "code")[:limit]
    )


def stale_stations():
    """Stations their keeper has not confirmed for 30 days (or ever), oldest first."""
    limit = timezone.now() - dt.timedelta(days=STALE_AFTER_DAYS)
    return (
        Station.objects.filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=limit))
        .select_related("community")
        .order_by(F("confirmed_at").asc(nulls_first=True), "code")
    )


# --- city dashboards (驾驶舱, issue 18): facts and figures for the portal ------------------
# Read by the portal only (yizhan.portal.dashboards); see core.dashboards and
# docs/DASHBOARDS.md. Visits are append-only rows, so a day's count never changes later.


def dashboard_facts(*, start, end):
    """Per local day in [start, end): visits by district, station kind (k1) and local hour
    (k2); and visits per station (k1 = station id) for the busiest-stations table."""
    from django.db.models.functions import ExtractHour

    from yizhan.core.dashboards import Fact, first_id_since

    first = first_id_since(StationVisit.objects.all(), "at", start)
    if first is None:
        return
    tz = hours.local_tz()
    district = "station__community__subdistrict__district_id"
    visits = StationVisit.objects.filter(pk__gte=first, at__gte=start, at__lt=end).annotate(
        local_day=TruncDate("at", tzinfo=tz), local_hour=ExtractHour("at", tzinfo=tz)
    )
    for r in (
        visits.values("local_day", district, "station__kind", "local_hour")
        .annotate(n=Count("id"))
        .order_by()
    ):
        yield Fact(
            "stations.visits",
            r["local_day"],
            r[district],
            r["n"],
            k1=r["station__kind"],
            k2=str(r["local_hour"]),
        )
    for r in visits.values("local_day", district, "station_id").annotate(n=Count("id")).order_by():
        yield Fact(
            "stations.visits_by_station",
            r["local_day"],
            r[district],
            r["n"],
            k1=str(r["station_id"]),
        )


def dashboard_stations(*, district_ids=None) -> list[dict]:
    """Every station with its district, kind, place, whether its data is stale and how many
    of its amenities are out of order (a city has about a thousand: one query each)."""
    limit = timezone.now() - dt.timedelta(days=STALE_AFTER_DAYS)
    qs = Station.objects.all()
    if district_ids is not None:
        qs = qs.filter(community__subdistrict__district_id__in=district_ids)
    rows = qs.annotate(
        broken=Count("offers", filter=Q(offers__out_of_order=True)),
        district_id=F("community__subdistrict__district_id"),
    ).values("id", "code", "name", "kind", "lat", "lng", "district_id", "confirmed_at", "broken")
    return [
        {**r, "stale": r["confirmed_at"] is None or r["confirmed_at"] < limit}
        for r in rows.order_by("code")
    ]


def dashboard_out_of_order(*, district_ids=None, limit: int = 50) -> list[dict]:
    """Amenities marked out of order, with their station (for the stations dashboard)."""
    qs = StationAmenity.objects.filter(out_of_order=True).select_related("station", "amenity")
    if district_ids is not None:
        qs = qs.filter(station__community__subdistrict__district_id__in=district_ids)
    return [
        {"station": o.station.name, "code": o.station.code, "amenity": o.amenity.label}
        for o in qs.order_by("station__code", "amenity__sort")[:limit]
    ]


def dashboard_open_week(*, week_start: dt.datetime) -> list[tuple[int, float, float, list[bool]]]:
    """(station id, lat, lng, open in each of the 168 hours of the week from `week_start`,
    Monday 00:00 local) from the finder's in-memory schedules: the planner's supply."""
    index = station_index()
    moments = [week_start + dt.timedelta(hours=h, minutes=30) for h in range(168)]
    return [
        (e.id, e.lat, e.lng, [hours.is_open(e.schedule, m) for m in moments]) for e in index.entries
    ]


def dashboard_kind_labels() -> dict[str, str]:
    return {k: str(v) for k, v in Station.Kind.choices}


def dashboard_headlines(*, scope):
    """Stations, open now, with stale data, with an amenity out of order, within the scope."""
    from yizhan.core.dashboards import Headline

    rows = dashboard_stations(district_ids=scope.district_ids)
    open_ids = {h.entry.id for h in filtered_stations(open_now=True, moment=scope.now)}
    group = _("Stations")
    return [
        Headline("stations.count", _("Stations"), len(rows), group=group),
        Headline(
            "stations.open_now",
            _("Open now"),
            sum(1 for r in rows if r["id"] in open_ids),
            group=group,
        ),
        Headline(
            "stations.stale",
            "Stations with stale data",
            sum(1 for r in rows if r["stale"]),
            group=group,
        ),
        Headline(
            "stations.broken",
            "Stations with an amenity out of order",
            sum(1 for r in rows if r["broken"]),
            group=group,
        ),
    ]


def dashboard_visit_hours(*, start, end) -> list[tuple[float, float, int, int, int]]:
    """(lat, lng, local weekday 0=Monday, local hour, visits) per station for [start, end):
    where and when workers stop, for station planning."""
    from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

    tz = hours.local_tz()
    rows = (
        StationVisit.objects.filter(at__gte=start, at__lt=end)
        .annotate(wd=ExtractIsoWeekDay("at", tzinfo=tz), h=ExtractHour("at", tzinfo=tz))
        .values("station__lat", "station__lng", "wd", "h")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["station__lat"], r["station__lng"], r["wd"] - 1, r["h"], r["n"]) for r in rows]


# --- the city's station directory (a staff table) -----------------------------------------

DIRECTORY_COLUMNS = [
    Column("name", gettext_lazy("Station"), ("name", "id")),
    Column("code", gettext_lazy("Code"), ("code",)),
    Column("kind", gettext_lazy("Kind"), ("kind", "code")),
    Column(
        "district", gettext_lazy("District"), ("community__subdistrict__district__code", "code")
    ),
    Column("status", gettext_lazy("Status")),
    Column("confirmed", gettext_lazy("Last confirmed"), ("confirmed_at", "code")),
    Column("visits", gettext_lazy("Visits (30 days)"), numeric=True),
]


def directory_sorting(value) -> Sorting:
    return Sorting(DIRECTORY_COLUMNS, value, default="code")


def station_directory(*, q="", kind="", district_id=None, stale=False, sort=None):
    """Every station for the city's table: search by name, code or address, filter by kind,
    district and data not confirmed for 30 days."""
    qs = Station.objects.select_related("community__subdistrict__district")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__istartswith=q) | Q(address__contains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if district_id:
        qs = qs.filter(community__subdistrict__district_id=district_id)
    if stale:
        limit = timezone.now() - dt.timedelta(days=STALE_AFTER_DAYS)
        qs = qs.filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=limit))
    sorting = sort if isinstance(sort, Sorting) else directory_sorting(sort)
    return qs.order_by(*sorting.order_by())


def visit_counts(*, station_ids, days: int = 30) -> dict[int, int]:
    """Check-ins per station over the last `days` days, for the stations of one page (one
    grouped query, not one per row)."""
    start = timezone.now() - dt.timedelta(days=days)
    rows = (
        StationVisit.objects.filter(station_id__in=list(station_ids), at__gte=start)
        .values("station_id")
        .annotate(n=Count("id"))
        .values_list("station_id", "n")
    )
    return dict(rows)


# --- for other apps (training): when a station is busy, and a worker's usual stations ---------


def visits_by_weekday_hour(*, station_id: int, days: int = 56) -> list[list[int]]:
    """Check-ins at a station over the last `days` days as 7 rows (Monday first) of 24 local
    hours: when its visitors come, for organisers choosing a slot for an event."""
    from django.db.models.functions import ExtractIsoWeekDay

    tz = hours.local_tz()
    start = timezone.now() - dt.timedelta(days=days)
    rows = (
        StationVisit.objects.filter(station_id=station_id, at__gte=start)
        .annotate(wd=ExtractIsoWeekDay("at", tzinfo=tz), h=ExtractHour("at", tzinfo=tz))
        .values("wd", "h")
        .annotate(n=Count("id"))
        .values_list("wd", "h", "n")
    )
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, n in rows:
        grid[weekday - 1][hour] = n
    return grid


def usual_station_ids(*, worker_id: int, days: int = 90, limit: int = 3) -> list[int]:
    """The stations a worker checked in at most often over the last `days` days."""
    start = timezone.now() - dt.timedelta(days=days)
    return list(
        StationVisit.objects.filter(worker_id=worker_id, at__gte=start)
        .values("station_id")
        .annotate(n=Count("id"))
        .order_by("-n", "station_id")
        .values_list("station_id", flat=True)[:limit]
    )
