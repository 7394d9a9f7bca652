"""Hazard-report endpoints for the workers' app: categories, nearby open reports (to avoid
duplicates), submit with photos (multipart, idempotent), my reports, one report."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from yizhan.accounts.permissions import token_or_session
from yizhan.core.geo import to_wgs84
from yizhan.reports import selectors, services
from yizhan.reports.models import Category, Report

router = Router(tags=["reports"])


class Message(Schema):
    message: str


class CategoryOut(Schema):
    code: str
    name: str
    photo_required: bool
    response_days: int
    points: int
    duplicate_radius_m: int


class NearbyIn(Schema):
    category: str
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    crs: str = Field("wgs84", pattern="^(wgs84|gcj02|bd09)$")


class NearbyOut(Schema):
    id: int
    state: str
    description: str
    distance_m: int
    created_at: dt.datetime


class HistoryOut(Schema):
    action: str
    from_state: str
    to_state: str
    note: str
    created_at: dt.datetime


class ReportOut(Schema):
    id: int
    token: str
    category: str
    state: str
    description: str
    lat: float
    lng: float
    community: str | None
    department: str | None
    due_at: dt.datetime
    created_at: dt.datetime
    photos: list[str]
    history: list[HistoryOut]


def _out(request, report: Report) -> dict:
    return {
        "id": report.pk,
        "token": str(report.token),
        "category": report.category.code,
        "state": report.state,
        "description": report.description,
        "lat": report.lat,
        "lng": report.lng,
        "community": report.community.name if report.community_id else None,
        "department": report.department.name if report.department_id else None,
        "due_at": report.due_at,
        "created_at": report.created_at,
        "photos": [request.build_absolute_uri(p.image.url) for p in report.photos.all()],
        "history": list(selectors.history(report)),
    }


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"category": [f"unknown category {code!r}"]})
    return category


@router.get("/categories", response=list[CategoryOut], summary="Report categories", auth=None)
def categories(request):
    return list(selectors.categories())


@router.get(
    "/nearby",
    response={200: list[NearbyOut], 422: Message},
    summary="Open reports of a category near a point (last 30 days), to add to instead of duplicating",
    auth=None,
)
def nearby(request, query: Query[NearbyIn]):
    lng, lat = to_wgs84(query.lng, query.lat, query.crs)
    return selectors.nearby_open(category=_category(query.category), lat=lat, lng=lng)


@router.post(
    "",
    response={201: ReportOut, 200: ReportOut, 401: Message, 422: Message},
    summary="Send a hazard report with photos (multipart). Retrying with the same idempotency_key returns the first report (200).",
    auth=token_or_session,
)
def submit(
    request,
    category: Form[str],
    idempotency_key: Form[str],
    description: Form[str] = "",
    lat: Form[float | None] = None,
    lng: Form[float | None] = None,
    crs: Form[str] = "wgs84",
    use_photo_location: Form[bool] = False,
    photos: File[list[UploadedFile]] = None,
):
    if crs not in ("wgs84", "gcj02", "bd09"):
        from django.core.exceptions import ValidationError

        raise ValidationError({"crs": ["crs must be wgs84, gcj02 or bd09"]})
    result = services.report_submit(
        reporter=request.auth,
        category=_category(category),
        lat=lat,
        lng=lng,
        crs=crs,
        description=description,
        photos=list(photos or []),
        use_photo_location=use_photo_location,
        client_key=idempotency_key,
    )
    return Status(201 if result.created else 200, _out(request, result.report))


@router.get(
    "/mine", response=list[ReportOut], summary="Reports I sent or follow", auth=token_or_session
)
def mine(request):
    qs = selectors.mine(user=request.auth).prefetch_related("photos")[:100]
    return [_out(request, r) for r in qs]


@router.get(
    "/{report_id}",
    response={200: ReportOut, 403: Message, 404: Message},
    summary="One report (its reporter, followers and the officers handling it)",
    auth=token_or_session,
)
def detail(request, report_id: int):
    report = get_object_or_404(
        Report.objects.select_related("category", "community", "department"), pk=report_id
    )
    user = request.auth
    following = report.followers.filter(user=user).exists()
    if not (following or report.reporter_id == user.pk or selectors.can_handle(user, report)):
        raise PermissionDenied
    return _out(request, report)
