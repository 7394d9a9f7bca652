"""Reading reports: nearby open reports (duplicates), queues for officers, public views."""

import datetime as dt
import math

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from yizhan.accounts.permissions import Role, has_role, roles, scope_ids
from yizhan.core.geo import haversine_m
from yizhan.reports.models import OPEN_STATES, Category, Follower, Report

NEARBY_DAYS = 30


def categories():
    return Category.objects.filter(active=True)


def _box(lat: float, lng: float, radius_m: float):
    dlat = radius_m / 111_320
    dlng = radius_m / (111_320 * max(0.01, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def nearby_open(*, category: Category, lat: float, lng: float, now=None, radius_m=None):
    """Open reports of the category within its radius from the last 30 days, nearest first."""
    now = now or timezone.now()
    radius = radius_m or category.duplicate_radius_m
    min_lat, max_lat, min_lng, max_lng = _box(lat, lng, radius)
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


def visible_to_officer(user):
    """The reports an officer may handle: their communities', their department's, or all."""
    if has_role(user, Role.CITY_ADMIN, Role.DISPATCHER):
        return Report.objects.all()
    communities = scope_ids(user, Role.GRID_OFFICER, "community")
    departments = scope_ids(user, Role.DEPARTMENT_OFFICER, "department")
    if not communities and not departments:
        return Report.objects.none()
    return Report.objects.filter(
        Q(community_id__in=communities, department=None) | Q(department_id__in=departments)
    )


def can_handle(user, report: Report) -> bool:
    if has_role(user, Role.CITY_ADMIN, Role.DISPATCHER):
        return True
    if report.department_id:
        return report.department_id in scope_ids(user, Role.DEPARTMENT_OFFICER, "department")
    return report.community_id in scope_ids(user, Role.GRID_OFFICER, "community")


def is_staff_for_reports(user) -> bool:
    return bool(
        roles(user) & {Role.CITY_ADMIN, Role.DISPATCHER, Role.GRID_OFFICER, Role.DEPARTMENT_OFFICER}
    )


def officer_queue(*, user, state=None, category=None, overdue=False, now=None):
    now = now or timezone.now()
    qs = visible_to_officer(user).select_related("category", "community")
    qs = qs.filter(state=state) if state else qs.filter(state__in=OPEN_STATES)
    if category:
        qs = qs.filter(category__code=category)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, due_at__lt=now)
    return qs.order_by("due_at", "id")


def mine(*, user):
    following = Follower.objects.filter(report=OuterRef("pk"), user=user)
    return (
        Report.objects.filter(Q(reporter=user) | Q(Exists(following)))
        .select_related("category")
        .order_by("-created_at")
    )


def public_list(*, category=None, state=None, limit=500):
    qs = Report.objects.exclude(state="rejected").select_related("category")
    if category:
        qs = qs.filter(category__code=category)
    if state:
        qs = qs.filter(state=state)
    return qs.prefetch_related("photos").order_by("-created_at")[:limit]


def history(report: Report):
    return report.history.select_related("actor").order_by("created_at", "id")


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
