"""Reading reports: categories, nearby open reports (duplicates), officers' queues, what a
viewer may read of one report (`*_for_viewer`), the public list and Open311's requests.

Who may read what is decided in `reports.permissions`; these functions apply it."""

import datetime as dt
import hashlib
import math
import re

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from yizhan.core.errors import NotFound
from yizhan.core.geo import haversine_m
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


def officer_queue(*, user, state=None, category=None, overdue=False, now=None):
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
    return qs.order_by("due_at", "id")


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
