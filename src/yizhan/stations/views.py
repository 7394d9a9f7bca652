"""Station pages: the public finder and station page, check-in, the keeper's console and
the city's directory tools (import, export, statistics, stale data).

Views are thin: parse, check role and scope (stations.permissions), call one service or
selector, render or redirect.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import Role, role_required
from yizhan.core import cached
from yizhan.core.errors import Invalid, NotAllowed
from yizhan.core.forms import add_service_errors
from yizhan.core.listing import page_of, param_choice, param_flag, param_id, param_text
from yizhan.places import selectors as place_selectors
from yizhan.places.selectors import districts, feature_collection
from yizhan.stations import exporting, forms, links, selectors, services
from yizhan.stations.models import ImportJob, Station, StationVisit
from yizhan.stations.permissions import (
    STAFF_ROLES,
    can_check_in,
    can_manage_station,
    can_run_network,
    managed_station_ids,
    require_manage_station,
)

FINDER_LIMIT = 20


def _first_error(exc: Invalid) -> str:
    """A service's refusal as one line, for a step that has no form on the page."""
    return "; ".join(message for _field, message in exc.field_errors())


# --- the public finder ----------------------------------------------------------------


@dataclass
class Origin:
    """Where the finder measures from, and how the page names it."""

    lat: float | None = None
    lng: float | None = None
    label: str = ""
    district: object = None  # a district chosen as a whole: stations inside it
    candidates: list = field(default_factory=list)  # several places have that name
    error: str = ""

    @property
    def point(self):
        return (self.lat, self.lng) if self.lat is not None else None


def _origin(data: dict) -> Origin:
    """The point to measure from: a point (the phone, a tap, a link), else a place's name,
    else a district or community chosen from the list."""
    if data.get("lat") is not None:
        lat, lng = data["lat"], data["lng"]
        label = data.get("near") or place_selectors.describe_point(lat=lat, lng=lng).path
        return Origin(lat, lng, label)
    name = (data.get("place") or "").strip()
    if name:
        hits = place_selectors.search_places(q=name, limit=8)
        exact = [h for h in hits if h.name == name]
        if exact or len(hits) == 1:
            hit = (exact or hits)[0]
            return Origin(hit.lat, hit.lng, hit.name)
        if hits:
            return Origin(candidates=hits)
        return Origin(
            error=_("No place is called “%(name)s”. Try fewer characters.") % {"name": name}
        )
    area = data.get("area") or ""
    if area.startswith("c"):
        hit = place_selectors.community_point(code=area[1:])
        if hit:
            return Origin(hit.lat, hit.lng, hit.name)
    if area.startswith("d"):
        district = place_selectors.district_place(code=area[1:])
        if district:
            return Origin(district.lat, district.lng, district.name, district=district)
    return Origin()


def _closed_now(moment) -> list[int]:
    everything = {h.entry.id for h in selectors.filtered_stations(moment=moment)}
    open_now = {h.entry.id for h in selectors.filtered_stations(open_now=True, moment=moment)}
    return sorted(everything - open_now)


def finder_view(request):
    amenities = selectors.amenity_list()
    form = forms.FinderForm(
        request.GET or None, amenities=amenities, areas=place_selectors.area_choices()
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    kinds = [data["kind"]] if data.get("kind") else []
    wanted = data.get("amenity") or []
    open_now = bool(data.get("open_now"))
    origin = _origin(data)
    moment = timezone.now()
    page = None
    filters = {"kinds": kinds, "amenities": wanted, "open_now": open_now, "moment": moment}
    if origin.district is not None:  # every station of the district, nearest to its centre
        inside = origin.district.community_ids
        hits = [
            h
            for h in selectors.nearest_stations(
                lat=origin.lat, lng=origin.lng, limit=5000, **filters
            )
            if h.entry.community_id in inside
        ]
        total = len(hits)
        page = Paginator(hits, FINDER_LIMIT).get_page(request.GET.get("page"))
        hits = list(page.object_list)
    elif origin.point:
        hits = selectors.nearest_stations(
            lat=origin.lat, lng=origin.lng, limit=FINDER_LIMIT, **filters
        )
        total = len(hits)
    else:
        everything = selectors.filtered_stations(**filters)
        total = len(everything)
        page = Paginator(everything, FINDER_LIMIT).get_page(request.GET.get("page"))
        hits = list(page.object_list)
    stations = {s.id: s for s in selectors.stations_by_ids([h.entry.id for h in hits])}
    results = []
    for hit in hits:
        station = stations.get(hit.entry.id)
        if station is None:
            continue
        is_open = hit.open_now if hit.open_now is not None else station.is_open_at(moment)
        results.append(
            {
                "station": station,
                "distance_m": hit.distance_m,
                "km": hit.distance_m / 1000 if hit.distance_m is not None else None,
                "open_now": is_open,
                "temp_status": station.active_temp_status(moment),
                "links": links.directions(
                    name=station.name, lat=station.lat, lng=station.lng, origin=origin.point
                ),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    version, _body = selectors.map_layer()
    map_data = {
        "origin": {"lat": origin.lat, "lng": origin.lng} if origin.point else None,
        "results": [
            {
                "id": r["station"].id,
                "lat": r["station"].lat,
                "lng": r["station"].lng,
                "name": r["station"].name,
                "open": r["open_now"],
                "url": reverse("stations:detail", args=[r["station"].code]),
            }
            for r in results
        ],
        "stations_url": reverse("stations:map_layer", args=[version]),
        "closed": _closed_now(moment),
        "filter": {"kinds": kinds, "amenities": wanted, "open_now": open_now},
    }
    return render(
        request,
        "stations/finder.html",
        {
            "form": form,
            "results": results,
            "total": total,
            "page": page,
            "origin": origin,
            "query": query.urlencode(),
            "candidate_links": [
                {"hit": h, "query": _with_point(request.GET, h)} for h in origin.candidates
            ],
            "map_data": map_data,
            "filtered": len(kinds) + len(wanted),
        },
    )


def _with_point(get, hit) -> str:
    """The finder's query with a chosen place as the point (and the filters kept)."""
    query = get.copy()
    for key in ("page", "place", "area"):
        query.pop(key, None)
    query["lat"], query["lng"], query["near"] = f"{hit.lat:.6f}", f"{hit.lng:.6f}", hit.name
    return query.urlencode()


def map_layer_view(request, version: str):
    """Every station for the finder's map, compressed, cached a year under its content hash."""
    current, body = selectors.map_layer()
    if version != current:
        return redirect("stations:map_layer", current)
    return cached.respond(request, key=f"stations:{current}", build=lambda: body)


def _station_or_404(code: str) -> Station:
    station = selectors.station_by_code(code)
    if station is None:
        raise Http404
    return station


def station_view(request, code: str):
    station = _station_or_404(code)
    moment = timezone.now()
    community = station.community
    boundary = feature_collection([community]) if community and community.boundary else None
    return render(
        request,
        "stations/station.html",
        {
            "station": station,
            "open_now": station.is_open_at(moment),
            "temp_status": station.active_temp_status(moment),
            "weekly": selectors.weekly_table(station),
            "links": links.directions(name=station.name, lat=station.lat, lng=station.lng),
            "can_check_in": can_check_in(request.user),
            "can_manage": can_manage_station(request.user, station),
            "radius": services.check_in_radius_m(),
            "map_data": {
                "origin": None,
                "results": [
                    {"lat": station.lat, "lng": station.lng, "name": station.name, "open": True}
                ],
            },
            "boundary": boundary,
        },
    )


# --- check-in -------------------------------------------------------------------------


def check_in_view(request, code: str):
    """The QR code's target (GET shows a button) and the check-in itself (POST)."""
    station = _station_or_404(code)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_check_in(request.user):
        raise NotAllowed
    if request.method != "POST":
        return render(
            request,
            "stations/check_in.html",
            {"station": station, "token": request.GET.get("t", "")},
        )
    method = request.POST.get("method", StationVisit.Method.NEARBY)
    try:
        lat = float(request.POST["lat"]) if request.POST.get("lat") else None
        lng = float(request.POST["lng"]) if request.POST.get("lng") else None
        visit, created = services.visit_check_in(
            worker=request.user,
            station=station,
            method=method,
            token=request.POST.get("token", ""),
            lat=lat,
            lng=lng,
        )
    except ValueError:
        messages.error(request, _("Share your location to check in."))
    except Invalid as exc:
        messages.error(request, _first_error(exc))
    else:
        when = date_format(timezone.localtime(visit.at), "H:i")
        if created:
            messages.success(
                request, _("Checked in at %(s)s at %(t)s.") % {"s": station, "t": when}
            )
        else:
            messages.info(request, _("You already checked in here at %s this hour.") % when)
    return redirect("stations:detail", code=station.code)


# --- the keeper's console -------------------------------------------------------------


@role_required(*STAFF_ROLES)
def staff_home_view(request):
    """A keeper's stations (straight to the console when there is one); the city's tools."""
    if can_run_network(request.user):
        return redirect("stations:city")
    stations = Station.objects.filter(id__in=managed_station_ids(request.user)).order_by("code")
    if len(stations) == 1:
        return redirect("stations:console", code=stations[0].code)
    return render(request, "stations/staff_home.html", {"stations": stations})


def _managed(request, code: str) -> Station:
    station = _station_or_404(code)
    require_manage_station(request.user, station)
    return station


@role_required(*STAFF_ROLES)
def console_view(request, code: str):
    station = _managed(request, code)
    moment = timezone.now()
    offers = {o.amenity_id: o for o in station.offers.all()}
    amenity_rows = [
        {
            "amenity": a,
            "state": (
                "broken"
                if a.id in offers and offers[a.id].out_of_order
                else "working"
                if a.id in offers
                else "none"
            ),
        }
        for a in selectors.amenity_list()
    ]
    return render(
        request,
        "stations/console.html",
        {
            "station": station,
            "open_now": station.is_open_at(moment),
            "temp_status": station.active_temp_status(moment),
            "status_form": forms.TempStatusForm(
                initial={"status": station.active_temp_status(moment) or ""}
            ),
            "hours_form": forms.HoursForm(initial=forms.HoursForm.initial_for(station)),
            "exception_form": forms.ExceptionForm(),
            "photo_form": forms.PhotoForm(),
            "amenity_rows": amenity_rows,
            "visits": selectors.visits_today(station=station),
            "can_run_network": can_run_network(request.user),
        },
    )


def _back(station):
    return redirect("stations:console", code=station.code)


@require_POST
@role_required(*STAFF_ROLES)
def status_view(request, code: str):
    station = _managed(request, code)
    form = forms.TempStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and how long it lasts."))
        return _back(station)
    status = form.cleaned_data["status"]
    try:
        services.station_set_temp_status(
            station=station,
            actor=request.user,
            status=status,
            until=forms.duration_end(form.cleaned_data["duration"]) if status else None,
            note=form.cleaned_data["note"],
        )
    except Invalid as exc:
        messages.error(request, _first_error(exc))
    else:
        messages.success(request, _("The station's status is updated."))
    return _back(station)


@require_POST
@role_required(*STAFF_ROLES)
def amenities_view(request, code: str):
    station = _managed(request, code)
    offered = {}
    for amenity in selectors.amenity_list():
        state = request.POST.get(f"a-{amenity.code}", "none")
        if state in ("working", "broken"):
            offered[amenity.code] = state == "broken"
    services.station_set_amenities(station=station, actor=request.user, offered=offered)
    messages.success(request, _("Amenities are updated."))
    return _back(station)


@require_POST
@role_required(*STAFF_ROLES)
def hours_view(request, code: str):
    station = _managed(request, code)
    form = forms.HoursForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
        return _back(station)
    services.station_set_hours(
        station=station,
        actor=request.user,
        is_24h=form.cleaned_data["is_24h"],
        weekly=form.cleaned_data["weekly"],
    )
    messages.success(request, _("Opening hours are updated."))
    return _back(station)


@require_POST
@role_required(*STAFF_ROLES)
def exception_add_view(request, code: str):
    station = _managed(request, code)
    form = forms.ExceptionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(station)
    data = form.cleaned_data
    holidays = data["when"] == "holidays"
    services.station_add_exception(
        station=station,
        actor=request.user,
        date=None if holidays else data["date"],
        on_holidays=holidays,
        closed=data["closed"],
        intervals=data["intervals"],
        note=data["note"],
    )
    messages.success(request, _("The exception is saved."))
    return _back(station)


@require_POST
@role_required(*STAFF_ROLES)
def exception_delete_view(request, code: str, exception_id: int):
    station = _managed(request, code)
    services.station_remove_exception(
        station=station, actor=request.user, exception_id=exception_id
    )
    messages.success(request, _("The exception is removed."))
    return _back(station)


@require_POST
@role_required(*STAFF_ROLES)
def confirm_view(request, code: str):
    station = _managed(request, code)
    services.station_confirm(station=station, actor=request.user)
    messages.success(request, _("Thank you: the station's data is confirmed."))
    return _back(station)


@require_POST
@role_required(*STAFF_ROLES)
def photo_view(request, code: str):
    station = _managed(request, code)
    form = forms.PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(station)
    try:
        services.photo_add(
            station=station,
            actor=request.user,
            upload=form.cleaned_data["image"],
            caption=form.cleaned_data["caption"],
        )
    except Invalid as exc:
        messages.error(request, _first_error(exc))
    else:
        messages.success(request, _("The photo is added."))
    return _back(station)


@role_required(*STAFF_ROLES)
def qr_view(request, code: str):
    """A print-friendly page with the station's check-in QR code (SVG)."""
    import segno
    from django.utils.safestring import mark_safe

    station = _managed(request, code)
    url = request.build_absolute_uri(
        reverse("stations:check_in", args=[station.code]) + "?t=" + services.check_in_token(station)
    )
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2)
    return render(
        request,
        "stations/qr.html",
        {"station": station, "svg": mark_safe(svg), "url": url},  # noqa: S308 - segno's own SVG
    )


@role_required(*STAFF_ROLES)
def stats_view(request, code: str):
    station = _managed(request, code)
    return render(
        request,
        "stations/stats.html",
        {
            "station": station,
            "by_day": _bars(selectors.visits_by_day(station=station)),
            "by_hour": _bars(selectors.visits_by_hour(station=station)),
        },
    )


def _bars(rows: list[dict]) -> list[dict]:
    top = max((r["n"] for r in rows), default=0) or 1
    return [{**r, "pct": round(100 * r["n"] / top)} for r in rows]


# --- the city's directory tools -------------------------------------------------------


@role_required(Role.CITY_ADMIN)
def city_view(request):
    """The station network: every station in a table (search, filters, sort), usage, the
    data keepers have not confirmed, imports."""
    query = request.GET
    filters = {
        "q": param_text(query.get("q"), max_length=60),
        "kind": param_choice(query.get("kind"), Station.Kind.choices),
        "district": param_id(query.get("district")),
        "stale": param_flag(query.get("stale")),
    }
    sorting = selectors.directory_sorting(query.get("sort"))
    page = page_of(
        selectors.station_directory(
            q=filters["q"],
            kind=filters["kind"],
            district_id=filters["district"],
            stale=filters["stale"],
            sort=sorting,
        ),
        query.get("page"),
        50,
    )
    visits = selectors.visit_counts(station_ids=[s.pk for s in page])
    return render(
        request,
        "stations/city.html",
        {
            "page": page,
            "rows": [(s, visits.get(s.pk, 0)) for s in page],
            "headers": sorting.headers(query),
            "filters": {**filters, "district": str(filters["district"] or "")},
            "filtered": any(filters.values()),
            "kinds": Station.Kind.choices,
            "districts": districts(),
            "total": Station.objects.count(),
            "stale_count": selectors.stale_stations().count(),
            "busiest": selectors.busiest_stations(limit=10),
            "by_day": _bars(selectors.visits_by_day()),
            "by_hour": _bars(selectors.visits_by_hour()),
            "jobs": ImportJob.objects.defer("content")[:5],
        },
    )


@role_required(Role.CITY_ADMIN)
def export_view(request, file_format: str):
    stamp = timezone.localdate().strftime("%Y%m%d")
    if file_format == "xlsx":
        body = exporting.export_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exporting.export_csv()
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="stations-{stamp}.{file_format}"'
    return response


@role_required(Role.CITY_ADMIN)
def import_view(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user, filename=upload.name, content=upload.read()
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            return redirect("stations:import_job", job_id=job.pk)
    return render(request, "stations/import.html", {"form": form})


@role_required(Role.CITY_ADMIN)
def import_job_view(request, job_id: int):
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=job_id)
    template = "stations/_import_progress.html" if request.htmx else "stations/import_job.html"
    return render(request, template, {"job": job})
