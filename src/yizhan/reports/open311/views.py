"""Open311 GeoReport v2 at /open311/v2/: the open standard for civic service requests.

Plain Django views (JSON and XML from one set of dicts). Errors are the spec's list of
{code, description} with HTTP 400/403/404. Service codes are our category codes; a request's
`service_request_id` is the report number and `token` its UUID.
"""

import datetime as dt
import hashlib
import secrets
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML, never parse it

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from yizhan.reports import services
from yizhan.reports.models import OPEN_STATES, Category, Open311Key, Report

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_create(*, name: str) -> str:
    """A new API key; only its hash is stored, so show it once."""
    key = "o311_" + secrets.token_urlsafe(24)
    Open311Key.objects.create(name=name, digest=key_digest(key), prefix=key[:8])
    return key


def _xml(root_name: str, item_name: str, rows: list[dict]) -> bytes:
    root = ET.Element(root_name)
    for row in rows:
        item = ET.SubElement(root, item_name)
        for key, value in row.items():
            child = ET.SubElement(item, key)
            if isinstance(value, list):
                for entry in value:
                    sub = ET.SubElement(child, "value")
                    sub.text = str(entry)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _render(fmt, rows, *, root, item, status=200):
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, rows), content_type=CONTENT_TYPES["xml"], status=status
        )
    return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(fmt, status, description, code=None):
    rows = [{"code": code or status, "description": description}]
    return _render(fmt, rows, root="errors", item="error", status=status)


def _iso(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.department.name if category.department_id else "社区",
    }


def _status(report: Report) -> str:
    return "open" if report.state in (*OPEN_STATES, "resolved") else "closed"


def _request_row(request, report: Report) -> dict:
    photo = next(iter(report.photos.all()), None)
    notes = report.history.order_by("-id").values_list("note", flat=True).first() or ""
    agency = (
        report.department.name
        if report.department_id
        else (report.community.name if report.community_id else "市12345调度中心")
    )
    return {
        "service_request_id": report.pk,
        "status": _status(report),
        "status_notes": notes,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": _iso(report.due_at),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": report.lat,
        "long": report.lng,
        "media_url": request.build_absolute_uri(photo.image.url) if photo else report.media_url,
    }


@require_GET
def discovery(request, fmt):
    base = request.build_absolute_uri("/open311/v2/")
    row = {
        "changeset": "2026-11-29T00:00:00+08:00",
        "contact": "市委社会工作部 12345",
        "key_service": "Ask the city administrator: yizhan open311-key create --name NAME",
        "endpoints": [],
    }
    endpoint = {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": base,
        "changeset": row["changeset"],
        "type": "production",
        "formats": list(CONTENT_TYPES.values()),
    }
    if fmt == "xml":
        root = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            ET.SubElement(root, key).text = row[key]
        endpoints = ET.SubElement(root, "endpoints")
        item = ET.SubElement(endpoints, "endpoint")
        for key in ("specification", "url", "changeset", "type"):
            ET.SubElement(item, key).text = endpoint[key]
        formats = ET.SubElement(item, "formats")
        for value in endpoint["formats"]:
            ET.SubElement(formats, "format").text = value
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        return HttpResponse(body, content_type=CONTENT_TYPES["xml"])
    row["endpoints"] = [endpoint]
    return JsonResponse(row, json_dumps_params={"ensure_ascii": False})


@require_GET
def service_list(request, fmt):
    rows = [_service(c) for c in Category.objects.filter(active=True).select_related("department")]
    return _render(fmt, rows, root="services", item="service")


@require_GET
def service_definition(request, code, fmt):
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        return _error(fmt, 404, f"service_code {code} not found")
    row = {"service_code": category.code, "attributes": []}
    if fmt == "xml":
        root = ET.Element("service_definition")
        ET.SubElement(root, "service_code").text = category.code
        ET.SubElement(root, "attributes")
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        return HttpResponse(body, content_type=CONTENT_TYPES["xml"])
    return JsonResponse(row, json_dumps_params={"ensure_ascii": False})


def _float(value, name):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a number") from None


@csrf_exempt  # machine clients authenticate with api_key, not cookies
@require_http_methods(["GET", "POST"])
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    qs = Report.objects.select_related("category", "department", "community").prefetch_related(
        "photos"
    )
    ids = request.GET.get("service_request_id")
    if ids:
        wanted = [int(i) for i in ids.split(",") if i.strip().isdigit()]
        qs = qs.filter(pk__in=wanted)
    if request.GET.get("service_code"):
        qs = qs.filter(category__code__in=request.GET["service_code"].split(","))
    status = request.GET.get("status")
    if status == "open":
        qs = qs.filter(state__in=(*OPEN_STATES, "resolved"))
    elif status == "closed":
        qs = qs.filter(state__in=("closed", "rejected"))
    elif status:
        return _error(fmt, 400, "status must be open or closed")
    for param, lookup in (("start_date", "created_at__gte"), ("end_date", "created_at__lte")):
        if request.GET.get(param):
            moment = parse_datetime(request.GET[param])
            if moment is None:
                return _error(fmt, 400, f"{param} must be a w3c datetime")
            qs = qs.filter(**{lookup: moment})
    if not ids and not request.GET.get("start_date"):
        qs = qs.filter(created_at__gte=timezone.now() - dt.timedelta(days=90))  # the spec's default
    rows = [_request_row(request, r) for r in qs.order_by("-created_at")[:1000]]
    return _render(fmt, rows, root="service_requests", item="request")


def _create(request, fmt):
    key = request.POST.get("api_key", "")
    api_key = (
        Open311Key.objects.filter(digest=key_digest(key), active=True).first() if key else None
    )
    if api_key is None:
        return _error(fmt, 403, "api_key is missing or not valid")
    category = Category.objects.filter(
        code=request.POST.get("service_code", ""), active=True
    ).first()
    if category is None:
        return _error(fmt, 400, "service_code is missing or unknown")
    try:
        lat = _float(request.POST.get("lat"), "lat")
        lng = _float(request.POST.get("long"), "long")
    except ValidationError as exc:
        return _error(fmt, 400, f"{exc.messages[0]} (lat and long are required)")
    photos = request.FILES.getlist("media")
    media_url = request.POST.get("media_url", "").strip()
    if media_url and not (media_url.startswith(("https://", "http://")) and len(media_url) <= 500):
        return _error(fmt, 400, "media_url must be an http(s) address of at most 500 characters")
    attributes = {
        k[len("attribute[") : -1]: v for k, v in request.POST.items() if k.startswith("attribute[")
    }
    description = request.POST.get("description", "")
    if attributes:
        description = (
            description + " " + " ".join(f"{k}={v}" for k, v in attributes.items())
        ).strip()
    try:
        submitted = services.report_submit(
            reporter=None,
            category=category,
            lat=lat,
            lng=lng,
            description=description,
            photos=photos,
            media_url=media_url,  # kept as a link: this server never fetches remote addresses
            source=f"open311:{api_key.name}",
        )
    except ValidationError as exc:
        message = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return _error(fmt, 400, message)
    report = submitted.report
    rows = [
        {
            "service_request_id": report.pk,
            "token": str(report.token),
            "service_notice": "",
            "account_id": "",
        }
    ]
    return _render(fmt, rows, root="service_requests", item="request", status=201)


@require_GET
def request_detail(request, request_id, fmt):
    report = (
        Report.objects.select_related("category", "department", "community")
        .prefetch_related("photos")
        .filter(pk=request_id)
        .first()
    )
    if report is None:
        return _error(fmt, 404, f"service_request_id {request_id} not found")
    return _render(fmt, [_request_row(request, report)], root="service_requests", item="request")


@require_GET
def token_detail(request, token, fmt):
    report = Report.objects.filter(token=token).first() if _is_uuid(token) else None
    if report is None:
        return _error(fmt, 404, f"token {token} not found")
    rows = [{"service_request_id": report.pk, "token": str(report.token)}]
    return _render(fmt, rows, root="service_requests", item="request")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
