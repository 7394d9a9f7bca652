"""Reading reports: categories, nearby open reports (duplicates), officers' queues, what a
viewer may read of one report (`*_for_viewer`), the public list and Open311's requests.

Who may read what is decided in `reports.permissions`; these functions apply it."""

import datetime as dt
import hashlib
import math
import re

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yizhan.core.errors import NotFound
from yizhan.core.geo import haversine_m
from yizhan.core.listing import Column, Sorting
from yizhan.places.selectors import community_choices
from yizhan.reports import permissions
from yizhan.reports.models import (
    OPEN_STATES,
    Category,
    Follower,
    Open311Key,
    Report,
    ReportEvent,
    State,
)

NEARBY_DAYS = 30
_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


# --- Categories ----------------------------------------------------------------------------


def categories():
    return Category.objects.filter(active=True)


def category_by_code(code, *, active_only: bool = True) -> Category | None:
    """The category with this code, or None (also for text that cannot be a code)."""
    if not isinstance(code, str) or not _CODE.match(code):
        return None
    qs = Category.objects.filter(active=True) if active_only else Category.objects.all()
    return qs.filter(code=code).first()


def category_exists(code: str) -> bool:
    """Whether a report category (in use or retired) has this code: the points rules ask."""
    return category_by_code(code, active_only=False) is not None


# --- Nearby --------------------------------------------------------------------------------


def box(lat: float, lng: float, radius_m: float):
    """A latitude/longitude box around a point, for an index range scan before the exact test."""
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def nearby_open(*, category: Category, lat: float, lng: float, now=None, radius_m=None):
    """Open reports of the category within its radius from the last 30 days, nearest first."""
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return []
    now = now or timezone.now()
    radius = radius_m or category.duplicate_radius_m
    min_lat, max_lat, min_lng, max_lng = box(lat, lng, radius)
    candidates = (
        Report.objects.filter(
            category=category,
            state__in=OPEN_STATES,
            lat__range=(min_lat, max_lat),
            lng__range=(min_lng, max_lng),
            created_at__gte=now - dt.timedelta(days=NEARBY_DAYS),
        )
        .select_related("category")
        .only(
            "id",
            "lat",
            "lng",
            "state",
            "description",
            "created_at",
            "category__name",
            "category__name_en",
        )[:200]
    )
    found = []
    for report in candidates:
        distance = haversine_m(lat, lng, report.lat, report.lng)
        if distance <= radius:
            report.distance_m = round(distance)
            found.append(report)
    return sorted(found, key=lambda r: r.distance_m)


# --- Officers ------------------------------------------------------------------------------


def visible_to_officer(user):
    """The reports an officer may handle: their communities', their department's, or all."""
    handled = permissions.handled_filter(user)
    if handled is None:
        return Report.objects.none()
    return Report.objects.filter(handled)


# The queue's columns: what a header may sort by (a whitelist, see core.listing).
QUEUE_COLUMNS = [
    Column("id", gettext_lazy("Report"), ("id",)),
    Column("state", gettext_lazy("State")),
    Column("community", gettext_lazy("Community"), ("community__name", "id")),
    Column("created", gettext_lazy("Submitted"), ("created_at", "id")),
    Column("due", gettext_lazy("Response due"), ("due_at", "id")),
]


def queue_sorting(value) -> Sorting:
    return Sorting(QUEUE_COLUMNS, value, default="due")


def officer_queue(
    *,
    user,
    state=None,
    category=None,
    overdue=False,
    community_id=None,
    number=None,
    sort=None,
    now=None,
):
    """The reports an officer handles: open ones (or those of `state`), the nearest response
    deadline first unless `sort` (a core.listing.Sorting or a ?sort= value) says otherwise."""
    now = now or timezone.now()
    # The community's name, not its boundary (GeoJSON, kilobytes a row).
    qs = (
        visible_to_officer(user)
        .select_related("category", "community")
        .defer("community__boundary")
    )
    qs = qs.filter(state=state) if state in State.values else qs.filter(state__in=OPEN_STATES)
    if category:
        qs = qs.filter(category__code=category)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, due_at__lt=now)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if number is not None:
        qs = qs.filter(pk=number)
    sorting = sort if isinstance(sort, Sorting) else queue_sorting(sort)
    return qs.order_by(*sorting.order_by())


def open_counts_by_community(*, community_ids) -> dict[int, int]:
    """Open reports per community, for a page of communities (one grouped query)."""
    rows = (
        Report.objects.filter(community_id__in=list(community_ids), state__in=OPEN_STATES)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    return dict(rows)


def queue_communities(user):
    """The communities an officer may pick in the queue's filter (grouped by district), or
    [] when they handle one community or none (nothing to choose)."""
    if permissions.sees_all(user):
        return community_choices()
    ids = permissions.community_ids(user)
    return community_choices(community_ids=ids) if len(ids) > 1 else []


def next_in_queue(*, user, filters: dict, exclude_id=None):
    """The first report of the officer's queue (as they last filtered and sorted it) other
    than `exclude_id`: what to handle next."""
    qs = officer_queue(user=user, **filters)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.first()


def open_on_map(*, queue, limit: int = 2000):
    """The open reports of an officer's (filtered) queue for its map: a few columns each."""
    return (
        queue.filter(state__in=OPEN_STATES)
        .select_related("category", "community")
        .only(
            "id",
            "lat",
            "lng",
            "state",
            "community",
            "community__name",
            "category",
            "category__name",
            "category__name_en",
        )
        .order_by("due_at", "id")[:limit]
    )


# --- One report, as the viewer may see it ---------------------------------------------------


def report_for_viewer(*, user, report_id: int) -> Report:
    """The report if `user` may read it, with `full_view` set when they see all of it (its
    reporter, the officers handling it); NotFound otherwise, so a rejected report's number
    tells a stranger nothing."""
    report = (
        Report.objects.select_related(
            "category", "community__subdistrict__district", "department", "duplicate_of"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None or not permissions.can_view(user, report):
        raise NotFound()
    report.full_view = permissions.sees_everything(user, report)
    return report


def history_for_viewer(*, user, report: Report) -> list[ReportEvent]:
    """The report's steps; notes only where the viewer may read them (staff notes are for the
    reporter and the officers, the public reads the answer on the fix)."""
    steps = list(report.history.select_related("actor").order_by("created_at", "id"))
    if getattr(report, "full_view", None) is None:
        report.full_view = permissions.sees_everything(user, report)
    if not report.full_view:
        for step in steps:
            if step.action not in permissions.PUBLIC_NOTE_ACTIONS:
                step.note = ""
    return steps


def is_following(*, user, report: Report) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follower.objects.filter(report=report, user=user).exists()


def mine(*, user):
    """Reports the person sent, and public reports they follow."""
    following = Follower.objects.filter(report=OuterRef("pk"), user=user)
    return (
        Report.objects.filter(Q(reporter=user) | (Q(Exists(following)) & ~Q(state=State.REJECTED)))
        .select_related("category", "community", "department")
        .order_by("-created_at", "-id")
    )


def open_count_of(*, user) -> int:
    """How many of the person's own reports are still being handled (for their home page)."""
    return Report.objects.filter(reporter=user, state__in=OPEN_STATES).count()


def mine_for_viewer(*, user, limit: int = 100) -> list[Report]:
    """`mine`, each report marked with what the person may read of it."""
    reports = list(mine(user=user).prefetch_related("photos")[:limit])
    for report in reports:
        report.full_view = permissions.sees_everything(user, report)
    return reports


# --- The public ----------------------------------------------------------------------------


def public_list(*, category=None, state=None, limit=500):
    qs = Report.objects.exclude(state=State.REJECTED).select_related("category")
    if category:
        qs = qs.filter(category__code=category)
    if state:
        qs = qs.filter(state=state)
    return qs.prefetch_related("photos").order_by("-created_at")[:limit]


def public_requests(
    *, ids=None, service_codes=None, status=None, start=None, end=None, now=None, limit=1000
):
    """Open311's requests: public reports only (never rejected ones), newest first; without ids
    or a start date, the last 90 days (the specification's default)."""
    qs = (
        Report.objects.exclude(state=State.REJECTED)
        .select_related("category", "department", "community")
        .prefetch_related("photos", Prefetch("history", _public_notes(), to_attr="public_notes"))
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if service_codes:
        qs = qs.filter(category__code__in=[c for c in service_codes if _CODE.match(c)])
    if status == "open":
        qs = qs.filter(state__in=(*OPEN_STATES, State.RESOLVED))
    elif status == "closed":
        qs = qs.filter(state=State.CLOSED)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    if ids is None and start is None:
        qs = qs.filter(created_at__gte=(now or timezone.now()) - dt.timedelta(days=90))
    return qs.order_by("-created_at", "-id")[:limit]


def public_request(*, report_id: int) -> Report | None:
    return public_requests(ids=[report_id], limit=1).first()


def _public_notes():
    return (
        ReportEvent.objects.filter(action__in=permissions.PUBLIC_NOTE_ACTIONS)
        .exclude(note="")
        .order_by("-id")
    )


def public_note(report: Report) -> str:
    """The latest note the public may read (the officer's answer on the fix), or ""."""
    notes = getattr(report, "public_notes", None)
    if notes is None:
        notes = list(_public_notes().filter(report=report)[:1])
    return notes[0].note if notes else ""


def report_id_for_token(token: str) -> int | None:
    """The number of the report a partner system was given this token for."""
    return Report.objects.filter(token=token).values_list("id", flat=True).first()


def open311_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open311_key_for(key: str) -> Open311Key | None:
    """The active partner key matching what a partner sent (only hashes are stored)."""
    if not key:
        return None
    return Open311Key.objects.filter(digest=open311_key_digest(key), active=True).first()


def open311_keys():
    return Open311Key.objects.order_by("name")


def history(report: Report):
    return report.history.select_related("actor").order_by("created_at", "id")


# --- The person's own data (PIPL export) -------------------------------------------------------


def personal_data_export(user) -> dict:
    """What the reports app holds about a person: the reports they sent (with what they wrote)
    and the reports they follow."""
    sent = (
        Report.objects.filter(reporter=user)
        .select_related("category")
        .prefetch_related("history")
        .order_by("id")
    )
    return {
        "reports": [
            {
                "id": r.pk,
                "category": r.category.code,
                "state": r.state,
                "description": r.description,
                "lat": r.lat,
                "lng": r.lng,
                "submitted_at": r.created_at.isoformat(),
                "notes": [
                    {"action": e.action, "note": e.note, "at": e.created_at.isoformat()}
                    for e in r.history.all()
                    if e.actor_id == user.pk and e.note
                ],
            }
            for r in sent
        ],
        "following": list(
            Follower.objects.filter(user=user)
            .order_by("report_id")
            .values_list("report_id", flat=True)
        ),
    }


# --- city dashboards (驾驶舱, issue 18): facts and headlines for the portal ----------------
# Read by the portal only (yizhan.portal.dashboards); see core.dashboards and
# docs/DASHBOARDS.md. Keys: k1 department id ("" for community reports), k2 category code,
# k3 the resolution-time bucket (for "reports.resolve_hours"). Steps come from the
# append-only history, so a day's count never changes once the day is over.

# Upper bounds (hours) of the resolution-time buckets; the median is read off them.
RESOLVE_HOUR_BUCKETS = (1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720)
_DASHBOARD_STEPS = {
    "resolved": "reports.resolved",
    "closed": "reports.closed",
    "rejected": "reports.rejected",
    "reopened": "reports.reopened",
}


def _district_path(prefix: str = "") -> str:
    return f"{prefix}community__subdistrict__district_id"


def _bucket(hours: float) -> str:
    for i, bound in enumerate(RESOLVE_HOUR_BUCKETS):
        if hours < bound:
            return str(i)
    return str(len(RESOLVE_HOUR_BUCKETS))


def dashboard_facts(*, start, end):
    """Per local day in [start, end): reports filed; resolved, closed, rejected, reopened;
    and the hours from filing to each resolution, in buckets (for the median)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from yizhan.core.dashboards import Fact, first_id_since

    tz = timezone.get_current_timezone()
    filed = (
        Report.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(local_day=TruncDate("created_at", tzinfo=tz))
        .values("local_day", _district_path(), "department_id", "category__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in filed:
        yield Fact(
            "reports.filed",
            r["local_day"],
            r[_district_path()],
            r["n"],
            k1=str(r["department_id"] or ""),
            k2=r["category__code"],
        )
    first = first_id_since(ReportEvent.objects.all(), "created_at", start)
    if first is None:
        return
    steps = ReportEvent.objects.filter(
        pk__gte=first, created_at__gte=start, created_at__lt=end, action__in=_DASHBOARD_STEPS
    )
    keys = ("report__" + _district_path(), "report__department_id", "report__category__code")
    counted = (
        steps.annotate(local_day=TruncDate("created_at", tzinfo=tz))
        .values("local_day", "action", *keys)
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in counted:
        yield Fact(
            _DASHBOARD_STEPS[r["action"]],
            r["local_day"],
            r[keys[0]],
            r["n"],
            k1=str(r[keys[1]] or ""),
            k2=r[keys[2]],
        )
    buckets: dict[tuple, int] = {}
    for at, filed_at, district, department, category in steps.filter(action="resolved").values_list(
        "created_at", "report__created_at", *keys
    ):
        hours = (at - filed_at).total_seconds() / 3600
        key = (timezone.localtime(at, tz).date(), district, department, category, _bucket(hours))
        buckets[key] = buckets.get(key, 0) + 1
    for (day, district, department, category, bucket), n in buckets.items():
        yield Fact(
            "reports.resolve_hours",
            day,
            district,
            n,
            k1=str(department or ""),
            k2=category,
            k3=bucket,
        )


def _open_location_rows(qs, prefix=""):
    return qs.values_list(
        f"{prefix}lat",
        f"{prefix}lng",
        _district_path(prefix),
        f"{prefix}department_id",
        f"{prefix}category__code",
    )


def dashboard_open_points():
    """(lat, lng, district, department, category) of every open report now: the portal bins
    them into hexagons once a night (the heat map's base)."""
    return _open_location_rows(Report.objects.filter(state__in=OPEN_STATES).order_by())


def dashboard_open_changes(*, start, end):
    """(lat, lng, district, department, category, +1/-1) for each step in [start, end) that
    opened a report (filed, reopened) or ended its being open (resolved, rejected...): added to
    the nightly base, they give the open reports of this moment."""
    from yizhan.core.dashboards import first_id_since

    first = first_id_since(ReportEvent.objects.all(), "created_at", start)
    if first is None:
        return []
    open_states = [str(s) for s in OPEN_STATES]
    rows = []
    steps = ReportEvent.objects.filter(pk__gte=first, created_at__gte=start, created_at__lt=end)
    for from_state, to_state, *where in steps.order_by().values_list(
        "from_state",
        "to_state",
        "report__lat",
        "report__lng",
        "report__" + _district_path(),
        "report__department_id",
        "report__category__code",
    ):
        was, now_open = from_state in open_states, to_state in open_states
        if was != now_open:
            rows.append((*where, 1 if now_open else -1))
    return rows


def dashboard_filed_points(*, start, end):
    """(lat, lng, district, department, category) of reports filed in [start, end), rejected
    ones as invalid left out (the repeat spots)."""
    qs = Report.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        reject_reason="invalid"
    )
    return _open_location_rows(qs.order_by())


def dashboard_overdue_now(*, district_ids=None, category=None, department_id=None, now=None):
    """Open reports and those past their response target, now (partial indexes)."""
    from django.db.models import Count

    now = now or timezone.now()
    qs = Report.objects.filter(state__in=OPEN_STATES)
    if district_ids is not None:
        qs = qs.filter(**{f"{_district_path()}__in": district_ids})
    if category:
        qs = qs.filter(category__code=category)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))


def dashboard_labels() -> dict[str, dict[str, str]]:
    return {"category": {c.code: c.label for c in Category.objects.all()}}


def dashboard_headlines(*, scope):
    """Open hazard reports and those past their response target, now, within the scope."""
    from django.utils.translation import gettext as _

    from yizhan.core.dashboards import Headline

    counts = dashboard_overdue_now(
        district_ids=scope.district_ids, department_id=scope.department_id, now=scope.now
    )
    group = _("Hazard reports")
    return [
        Headline("reports.open", "Open hazard reports", counts["open"], group=group),
        Headline(
            "reports.overdue_now", "Reports past their target", counts["overdue"], group=group
        ),
    ]


def dashboard_filed_moments(*, start, end):
    """(lat, lng, filed at) of reports filed in [start, end): where and when workers are out
    (station planning's activity)."""
    return (
        Report.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by()
        .values_list("lat", "lng", "created_at")
    )


# --- Added for membership's grid members ("my grid", monthly activity) ------------------


def open_in_communities(*, community_ids, limit: int = 100):
    """Open reports in these communities, nearest deadline first (a grid member's "my grid")."""
    return (
        Report.objects.filter(community_id__in=list(community_ids), state__in=OPEN_STATES)
        .select_related("category", "community")
        .order_by("due_at", "id")[:limit]
    )


def activity_by_reporter(*, reporter_ids, start, end) -> dict[int, dict[str, int]]:
    """Per reporter: reports filed in [start, end) and, of those, how many were resolved or
    closed ({"filed": n, "resolved": m}); reporters without reports are absent."""
    from django.db.models import Count

    rows = (
        Report.objects.filter(
            reporter_id__in=list(reporter_ids), created_at__gte=start, created_at__lt=end
        )
        .values("reporter_id")
        .annotate(
            filed=Count("id"),
            resolved=Count("id", filter=Q(state__in=("resolved", "closed"))),
        )
        .order_by()
    )
    return {r["reporter_id"]: {"filed": r["filed"], "resolved": r["resolved"]} for r in rows}
