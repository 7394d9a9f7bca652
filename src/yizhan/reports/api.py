"""Hazard-report endpoints for the workers' app: categories (with the points a verified report
earns), nearby open reports (to avoid duplicates), submit with photos (multipart, idempotent),
my reports, one report. Errors follow the API's one shape (`core.schema.ErrorOut`)."""

import datetime as dt
import math
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BeforeValidator, Field

from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import Invalid
from yizhan.core.geo import to_wgs84
from yizhan.core.schema import ERRORS, READ_ERRORS, CoordType, DbId, Latitude, Longitude, Text
from yizhan.places import selectors as place_selectors
from yizhan.points import selectors as points_selectors
from yizhan.reports import selectors, services
from yizhan.reports.models import Category, Report

router = Router(tags=["reports"])


def _coordinate(value):
    """A latitude or longitude from a form. Empty is none sent (the page's form sends its
    empty hidden fields): the service then asks for the spot. Text that is no number goes on
    as NaN, which the service refuses like any spot off the map. Either way one message in
    the reader's language about the location, never the parser's English about `lat`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# The default sits inside the type: ninja reads a Form field's default from there, not from
# the signature, once the type carries a validator.
Coordinate = Annotated[float | None, BeforeValidator(_coordinate), Field(None)]


class ReportCategoryOut(Schema):
    code: str
    name: str
    photo_required: bool
    response_days: int
    points: int = Field(
        description="Points a verified report of this category earns (the points rules decide)"
    )
    duplicate_radius_m: int


class ReportNearbyIn(Schema):
    category: str = Field(..., max_length=40)
    lat: Latitude
    lng: Longitude
    crs: CoordType = Field("wgs84", description="datum of lat/lng")
    coord_type: CoordType | None = Field(None, description="datum of lat/lng (wins over crs)")


class ReportNearbyOut(Schema):
    id: int
    state: str
    description: str
    distance_m: int
    created_at: dt.datetime


class ReportHistoryOut(Schema):
    action: str
    from_state: str
    to_state: str
    note: str = Field(description="Empty where the note is for staff and the reporter only")
    created_at: dt.datetime


class ReportOut(Schema):
    id: int
    token: str | None = Field(description="Only for the reporter and the officers")
    category: str
    state: str
    description: str
    lat: float = Field(description="WGS-84")
    lng: float = Field(description="WGS-84")
    location_source: str = Field(description="point, photo, place or community (its centre)")
    address: str = Field(description="the street address or spot the reporter typed")
    place: str = Field(
        description="where it is in words: district › subdistrict › community, "
        "the nearest station or landmark, the address"
    )
    community: str | None
    department: str | None
    due_at: dt.datetime
    created_at: dt.datetime
    photos: list[str]
    history: list[ReportHistoryOut]


def _out(request, report: Report, user) -> dict:
    full = getattr(report, "full_view", False)
    return {
        "id": report.pk,
        "token": str(report.token) if full else None,
        "category": report.category.code,
        "state": report.state,
        "description": report.description,
        "lat": report.lat,
        "lng": report.lng,
        "location_source": report.location_source,
        "address": report.address,
        "place": str(
            place_selectors.describe_point(lat=report.lat, lng=report.lng, address=report.address)
        ),
        "community": report.community.name if report.community_id else None,
        "department": report.department.name if report.department_id else None,
        "due_at": report.due_at,
        "created_at": report.created_at,
        "photos": [request.build_absolute_uri(p.image.url) for p in report.photos.all()],
        "history": selectors.history_for_viewer(user=user, report=report),
    }


def _category(code: str) -> Category:
    category = selectors.category_by_code(code)
    if category is None:
        raise Invalid(field="category", message=_("There is no hazard category with this code."))
    return category


@router.get(
    "/categories",
    response=list[ReportCategoryOut],
    summary="Report categories, with the points a verified report earns",
    auth=None,
)
def categories(request):
    rewards = points_selectors.report_rewards()
    return [
        {
            "code": c.code,
            "name": c.label,
            "photo_required": c.photo_required,
            "response_days": c.response_days,
            "points": points_selectors.reward_for_report_category(c.code, rewards=rewards),
            "duplicate_radius_m": c.duplicate_radius_m,
        }
        for c in selectors.categories()
    ]


@router.get(
    "/nearby",
    response={200: list[ReportNearbyOut], **READ_ERRORS},
    summary="Open reports of a category near a point (last 30 days), to add to instead of duplicating",
    auth=None,
)
def nearby(request, query: Query[ReportNearbyIn]):
    lng, lat = to_wgs84(query.lng, query.lat, query.coord_type or query.crs)
    return selectors.nearby_open(category=_category(query.category), lat=lat, lng=lng)


@router.post(
    "",
    response={201: ReportOut, 200: ReportOut, **ERRORS},
    summary="Send a hazard report with photos (multipart). Retrying with the same idempotency_key "
    "returns the first report (200); the same key with a different report is a 409.",
    auth=token_or_session,
)
def submit(
    request,
    category: Form[Text(40, min_length=1)],
    idempotency_key: Form[Text(64, min_length=1)],
    description: str = Form("", max_length=500),
    lat: Form[Coordinate] = None,
    lng: Form[Coordinate] = None,
    crs: Form[str] = "wgs84",
    coord_type: Form[str] = "",
    use_photo_location: Form[bool] = False,
    address: Form[str] = "",
    place: Form[str] = "",
    community: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    """Where: lat/lng with their datum (`coord_type`: wgs84, gcj02 or bd09; `crs` is its
    older name), or the photo's GPS (`use_photo_location`), or a `place` by name, or a
    `community` code; `address` is the street address or spot in words."""
    datum = coord_type or crs
    if datum not in ("wgs84", "gcj02", "bd09"):
        field = "coord_type" if coord_type else "crs"
        raise Invalid(field=field, message=_("Choose wgs84, gcj02 or bd09."))
    result = services.report_submit(
        reporter=request.auth,
        category=selectors.category_by_code(category),
        lat=lat,
        lng=lng,
        crs=datum,
        description=description,
        photos=list(photos or []),
        use_photo_location=use_photo_location,
        client_key=idempotency_key,
        address=address,
        place=place,
        community_code=community,
    )
    report = selectors.report_for_viewer(user=request.auth, report_id=result.report.pk)
    return Status(201 if result.created else 200, _out(request, report, request.auth))


@router.get(
    "/mine",
    response={200: list[ReportOut], **READ_ERRORS},
    summary="Reports I sent, and public reports I follow",
    auth=token_or_session,
)
def mine(request):
    user = request.auth
    return [_out(request, r, user) for r in selectors.mine_for_viewer(user=user, limit=100)]


@router.get(
    "/{report_id}",
    response={200: ReportOut, **READ_ERRORS},
    summary="One report: all of it for its reporter and the officers handling it, its public "
    "form for anyone else (a rejected report is theirs only: 404)",
    auth=token_or_session,
)
def detail(request, report_id: DbId):
    report = selectors.report_for_viewer(user=request.auth, report_id=report_id)
    return _out(request, report, request.auth)
