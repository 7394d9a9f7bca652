"""Reading stations: the finder (nearest, filtered lists), station pages, usage statistics.

The finder reads one in-process `StationIndex` per process. Like the community index it
is checked against a cheap fingerprint at most every few seconds: a new or deleted station
rebuilds it; an edited one (its `updated_at` moved) is patched in place. Services call
`invalidate_index()` after commit, so this process sees its own writes at once.
"""

import datetime as dt
import threading
import time
from collections import defaultdict

from django.db.models import Count, F, Max, Prefetch, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

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
