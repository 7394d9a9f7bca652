"""Open311 GeoReport v2 at /open311/v2/: the open standard for civic service requests.

Plain Django views (JSON and XML from one set of dicts). Errors keep the specification's shape,
a list of {code, description} in JSON or XML, but come from the one error hierarchy
(`core.errors`): Invalid and Conflict are 400, NotAllowed 403, NotFound 404, Throttled 429.
Service codes are our category codes; a request's `service_request_id` is the report number
and `token` its UUID. Only public reports are served (never rejected ones), with only the
notes the public may read (docs/REPORTS.md, "Who sees what").
"""

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML, never parse it
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound, YizhanError
from yizhan.reports import selectors, services
from yizhan.reports.models import OPEN_STATES, Category, Report

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The specification answers a bad request with 400 (we say 422 and 409 elsewhere).
STATUS = {Invalid: 400, Conflict: 400}
MAX_ID_DIGITS = 18


# Characters XML 1.0 cannot hold (C0 controls but tab, newline and return; lone surrogates;
# U+FFFE and U+FFFF): a description with one of them must not make the document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _xml(root_name: str, item_name: str, rows: list[dict]) -> bytes:
    root = ET.Element(root_name)
    for row in rows:
        item = ET.SubElement(root, item_name)
        for key, value in row.items():
            child = ET.SubElement(item, key)
            if isinstance(value, list):
                for entry in value:
                    sub = ET.SubElement(child, "value")
                    sub.text = _xml_text(entry)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else _xml_text(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _render(fmt, rows, *, root, item, status=200):
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, rows), content_type=CONTENT_TYPES["xml"], status=status
        )
    return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(fmt, error: YizhanError):
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), error.status)
    description = "; ".join(
        f"{field}: {message}" if field else message for field, message in error.field_errors()
    )
    rows = [{"code": status, "description": description}]
    return _render(fmt, rows, root="errors", item="error", status=status)


def open311(view):
    """Answer every refusal in the specification's error format."""

    @wraps(view)
    def wrapper(request, *args, fmt, **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except YizhanError as exc:
            return _error(fmt, exc)

    return wrapper


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
    agency = (
        report.department.name
        if report.department_id
        else (report.community.name if report.community_id else "市12345调度中心")
    )
    return {
        "service_request_id": report.pk,
        "status": _status(report),
        "status_notes": selectors.public_note(report),
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
    rows = [_service(c) for c in selectors.categories().select_related("department")]
    return _render(fmt, rows, root="services", item="service")


@require_GET
@open311
def service_definition(request, code, fmt):
    category = selectors.category_by_code(code)
    if category is None:
        raise NotFound(_("service_code %(code)s not found.") % {"code": code})
    row = {"service_code": category.code, "attributes": []}
    if fmt == "xml":
        root = ET.Element("service_definition")
        ET.SubElement(root, "service_code").text = category.code
        ET.SubElement(root, "attributes")
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")
        return HttpResponse(body, content_type=CONTENT_TYPES["xml"])
    return JsonResponse(row, json_dumps_params={"ensure_ascii": False})


def _float(value, name) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Invalid(
            _("%(name)s must be a number (lat and long are required).") % {"name": name},
            field=name,
        ) from None


def _moment(request, name) -> dt.datetime | None:
    text = request.GET.get(name)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise Invalid(_("%(name)s must be a w3c datetime.") % {"name": name}, field=name)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@csrf_exempt  # machine clients authenticate with api_key, not cookies
@require_http_methods(["GET", "POST"])
@open311
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    ids = None
    if request.GET.get("service_request_id"):
        ids = [
            int(i)
            for i in (part.strip() for part in request.GET["service_request_id"].split(","))
            if i.isdigit() and len(i) <= MAX_ID_DIGITS
        ]
    status = request.GET.get("status") or None
    if status not in (None, "open", "closed"):
        raise Invalid(_("status must be open or closed."), field="status")
    codes = request.GET.get("service_code")
    reports = selectors.public_requests(
        ids=ids,
        service_codes=codes.split(",") if codes else None,
        status=status,
        start=_moment(request, "start_date"),
        end=_moment(request, "end_date"),
    )
    rows = [_request_row(request, r) for r in reports]
    return _render(fmt, rows, root="service_requests", item="request")


def _create(request, fmt):
    api_key = selectors.open311_key_for(request.POST.get("api_key", ""))
    if api_key is None:
        raise NotAllowed(_("api_key is missing or not valid."))
    category = selectors.category_by_code(request.POST.get("service_code", ""))
    if category is None:
        raise Invalid(_("service_code is missing or unknown."), field="service_code")
    lat = _float(request.POST.get("lat"), "lat")
    lng = _float(request.POST.get("long"), "long")
    media_url = request.POST.get("media_url", "").strip()
    if media_url and not (media_url.startswith(("https://", "http://")) and len(media_url) <= 500):
        raise Invalid(
            _("media_url must be an http(s) address of at most 500 characters."),
            field="media_url",
        )
    attributes = {
        k[len("attribute[") : -1]: v for k, v in request.POST.items() if k.startswith("attribute[")
    }
    description = request.POST.get("description", "")
    if attributes:
        description = (
            description + " " + " ".join(f"{k}={v}" for k, v in attributes.items())
        ).strip()
    report = services.report_submit(
        reporter=None,
        category=category,
        lat=lat,
        lng=lng,
        description=description,
        photos=request.FILES.getlist("media"),
        media_url=media_url,  # kept as a link: this server never fetches remote addresses
        source=f"open311:{api_key.name}",
    ).report
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
@open311
def request_detail(request, request_id, fmt):
    report = selectors.public_request(report_id=request_id)
    if report is None:
        raise NotFound(_("service_request_id %(id)s not found.") % {"id": request_id})
    return _render(fmt, [_request_row(request, report)], root="service_requests", item="request")


@require_GET
@open311
def token_detail(request, token, fmt):
    """The number behind the token a partner was given when it posted the request."""
    report_id = selectors.report_id_for_token(token) if _is_uuid(token) else None
    if report_id is None:
        raise NotFound(_("token %(token)s not found.") % {"token": token[:40]})
    rows = [{"service_request_id": report_id, "token": token}]
    return _render(fmt, rows, root="service_requests", item="request")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
