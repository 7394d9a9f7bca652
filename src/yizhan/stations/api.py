"""Station endpoints: the directory (list, detail, GeoJSON) and the nearest-station query.

All public (no login). Coordinates are WGS-84 unless `crs` says otherwise; the nearest
query answers in the coordinate system it was asked in, so an AMap client (GCJ-02) can
plot the answer directly. Unknown kinds or amenities and out-of-range coordinates are
422 errors naming the field, in the API's one error shape (`core.schema.ErrorOut`).
"""

import json

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, field_validator

from yizhan.core.errors import NotFound
from yizhan.core.geo import CRS_BD09, CRS_GCJ02, CRS_WGS84, from_wgs84, to_wgs84
from yizhan.core.schema import DbId, ErrorOut
from yizhan.stations import hours, links, selectors, services
from yizhan.stations.models import Station

router = Router(tags=["stations"])
geo_router = Router(tags=["stations"])  # mounted at "/" for /api/v1/stations.geojson

KINDS = [k for k, _ in Station.Kind.choices]

# Every endpoint here is public and read-only: its only refusals are bad input and "no such".
BAD_INPUT = {422: ErrorOut}


def _check_kinds(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r}; expected one of {', '.join(KINDS)}")
    return values


def _check_amenities(values: list[str]) -> list[str]:
    known = selectors.amenity_codes()
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown amenity {unknown[0]!r}; expected one of {', '.join(known)}")
    return values


def _split(values):
    """Accept both ?amenity=a&amenity=b and ?amenity=a,b."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


class Filters(BaseModel):
    # A plain pydantic model (not ninja.Schema): query parameters need no ORM getter, and
    # skipping it keeps the hot nearest endpoint lean.
    kind: list[str] = Field(default_factory=list, description="station kinds (any of)")
    amenity: list[str] = Field(
        default_factory=list, description="amenity codes the station must all have, working"
    )
    open_now: bool = Field(False, description="only stations open at this moment")

    @field_validator("kind", mode="before")
    @classmethod
    def kinds_known(cls, value):
        return _check_kinds(_split(value))

    @field_validator("amenity", mode="before")
    @classmethod
    def amenities_known(cls, value):
        return _check_amenities(_split(value))


class ListFilters(Filters):
    q: str = Field("", max_length=60, description="text in the name or code")
    community: DbId | None = Field(None, description="community id")
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=100)


class NearestQuery(Filters):
    lat: float = Field(..., ge=-90, le=90, description="latitude of the point")
    lng: float = Field(..., ge=-180, le=180, description="longitude of the point")
    limit: int = Field(5, ge=1, le=50, description="how many stations")
    crs: str = Field(
        CRS_WGS84,
        pattern=f"^({CRS_WGS84}|{CRS_GCJ02}|{CRS_BD09})$",
        description="coordinate system of lat/lng, and of the answer",
    )


class NearestOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    lat: float
    lng: float
    distance_m: float
    open_now: bool
    amenities: list[str]


class StationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    lat: float = Field(..., description="WGS-84")
    lng: float = Field(..., description="WGS-84")
    address: str
    community: str | None
    subdistrict: str | None
    district: str | None
    amenities: list[str] = Field(..., description="working amenities")
    open_now: bool
    temp_status: str = Field(..., description="open, closed, full, or empty when as scheduled")
    is_24h: bool
    phone: str
    url: str


class StationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[StationOut]


class AmenityOut(Schema):
    code: str
    name: str
    icon: str
    out_of_order: bool


class HoursOut(Schema):
    weekday: int
    text: str


class ExceptionOut(Schema):
    date: str | None
    on_holidays: bool
    closed: bool
    text: str
    note: str


class StationDetail(StationOut):
    operator: str
    services: str
    capacity: int | None
    temp_status_until: str | None
    offers: list[AmenityOut]
    hours: list[HoursOut]
    exceptions: list[ExceptionOut]
    photos: list[str]
    stale: bool
    confirmed_at: str | None
    directions: dict[str, str]
    check_in_radius_m: int


def _station_out(station: Station, moment) -> dict:
    community = station.community
    return {
        "id": station.id,
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "lat": station.lat,
        "lng": station.lng,
        "address": station.address,
        "community": community.name if community else None,
        "subdistrict": community.subdistrict.name if community else None,
        "district": community.subdistrict.district.name if community else None,
        "amenities": [o.amenity.code for o in station.offers.all() if not o.out_of_order],
        "open_now": station.is_open_at(moment),
        "temp_status": station.active_temp_status(moment),
        "is_24h": station.is_24h,
        "phone": station.phone,
        "url": reverse("stations:detail", args=[station.code]),
    }


@router.get(
    "/nearest",
    response={200: list[NearestOut], **BAD_INPUT},
    summary="The nearest stations to a point, by true (great-circle) distance",
    description=(
        "Filters: `kind` (any of), `amenity` (all of, and not out of order), `open_now`. "
        "`crs=gcj02` (AMap, Tencent) or `bd09` (Baidu) for both the point and the answer."
    ),
)
def nearest(request, params: Query[NearestQuery]):
    lng, lat = to_wgs84(params.lng, params.lat, params.crs)
    hits = selectors.nearest_stations(
        lat=lat,
        lng=lng,
        limit=params.limit,
        kinds=params.kind,
        amenities=params.amenity,
        open_now=params.open_now,
    )
    result = []
    for hit in hits:
        e = hit.entry
        out_lng, out_lat = from_wgs84(e.lng, e.lat, params.crs)
        result.append(
            {
                "id": e.id,
                "code": e.code,
                "name": e.name,
                "kind": e.kind,
                "lat": round(out_lat, 7),
                "lng": round(out_lng, 7),
                "distance_m": round(hit.distance_m, 1),
                "open_now": hit.open_now,
                "amenities": list(e.amenities),
            }
        )
    # Already exactly NearestOut (the documented schema): rendered directly, because
    # validating plain numbers again would double the cost of the busiest endpoint.
    body = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get(
    "",
    response={200: StationPage, **BAD_INPUT},
    summary="The station directory, filtered and paginated (in code order)",
)
def station_list(request, params: Query[ListFilters]):
    hits = selectors.filtered_stations(
        kinds=params.kind,
        amenities=params.amenity,
        open_now=params.open_now,
        query=params.q,
        community_id=params.community,
    )
    start = (params.page - 1) * params.page_size
    page = hits[start : start + params.page_size]
    moment = timezone.now()
    stations = selectors.stations_by_ids([h.entry.id for h in page])
    return {
        "count": len(hits),
        "page": params.page,
        "page_size": params.page_size,
        "items": [_station_out(s, moment) for s in stations],
    }


@router.get(
    "/{station_id}",
    response={200: StationDetail, 404: ErrorOut, **BAD_INPUT},
    summary="Everything about one station",
)
def station_detail(request, station_id: DbId):
    station = selectors.station_queryset().filter(pk=station_id).first()
    if station is None:
        raise NotFound
    moment = timezone.now()
    data = _station_out(station, moment)
    schedule = station.schedule()
    active = station.active_temp_status(moment)
    data.update(
        {
            "operator": station.operator,
            "services": station.services,
            "capacity": station.capacity,
            "temp_status_until": station.temp_status_until.isoformat() if active else None,
            "offers": [
                {
                    "code": o.amenity.code,
                    "name": o.amenity.label,
                    "icon": o.amenity.icon,
                    "out_of_order": o.out_of_order,
                }
                for o in station.offers.all()
            ],
            "hours": [
                {
                    "weekday": day,
                    "text": hours.format_intervals(
                        hours.FULL_DAY if station.is_24h else schedule.weekly[day]
                    ),
                }
                for day in range(7)
            ],
            "exceptions": [
                {
                    "date": e.date.isoformat() if e.date else None,
                    "on_holidays": e.on_holidays,
                    "closed": e.closed,
                    "text": "" if e.closed else hours.format_intervals([e.interval]),
                    "note": e.note,
                }
                for e in station.exceptions.all()
            ],
            "photos": [p.image.url for p in station.photos.all()],
            "stale": station.is_stale,
            "confirmed_at": station.confirmed_at.isoformat() if station.confirmed_at else None,
            "directions": links.directions(name=station.name, lat=station.lat, lng=station.lng),
            "check_in_radius_m": services.check_in_radius_m(),
        }
    )
    return data


@geo_router.get(
    "/stations.geojson",
    response={200: dict, **BAD_INPUT},
    summary="Stations as a GeoJSON FeatureCollection (WGS-84), with the list's filters",
)
def stations_geojson(request, params: Query[Filters]):
    moment = timezone.now()
    hits = selectors.filtered_stations(
        kinds=params.kind, amenities=params.amenity, open_now=params.open_now, moment=moment
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": h.entry.id,
                "geometry": {"type": "Point", "coordinates": [h.entry.lng, h.entry.lat]},
                "properties": {
                    "code": h.entry.code,
                    "name": h.entry.name,
                    "kind": h.entry.kind,
                    "open_now": (
                        h.open_now
                        if h.open_now is not None
                        else selectors.is_open_in_index(h.entry, moment)
                    ),
                    "amenities": list(h.entry.amenities),
                },
            }
            for h in hits
        ],
    }
