"""Places endpoints: districts, community boundaries (GeoJSON), point → community, the place
description of a point, and the place search (names and pinyin initials).

Points are WGS-84 unless `coord_type` (or its older name `crs`) says gcj02 (AMap, Tencent)
or bd09 (Baidu); they are converted here, at the edge. NaN, out-of-range numbers and points
outside the city are 422 errors naming the field.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from yizhan.core.errors import Invalid, NotFound
from yizhan.core.geo import to_wgs84
from yizhan.core.schema import READ_ERRORS, CoordType, DbId, Latitude, Longitude, Text
from yizhan.places import selectors

router = Router(tags=["places"])


class DistrictOut(Schema):
    id: int
    code: str
    name: str
    n_subdistricts: int


class PointIn(Schema):
    lat: Latitude = Field(..., description="latitude")
    lng: Longitude = Field(..., description="longitude")
    coord_type: CoordType | None = Field(
        None, description="datum of lat/lng: wgs84 (GPS, the default), gcj02 (AMap), bd09"
    )
    crs: CoordType | None = Field(None, description="older name of coord_type")

    def wgs84(self) -> tuple[float, float]:
        """(lat, lng) in WGS-84, or Invalid when the point is not in the city."""
        datum = self.coord_type or self.crs or "wgs84"
        lng, lat = to_wgs84(self.lng, self.lat, datum)
        problem = selectors.check_point(lat=lat, lng=lng)
        if problem:
            raise Invalid(fields={"lat": [problem], "lng": [problem]})
        return lat, lng


class CommunityOut(Schema):
    id: int
    code: str
    name: str
    subdistrict: str
    district: str


class NearOut(Schema):
    kind: str = Field(description="station or landmark")
    name: str
    distance_m: int


class PlaceOut(Schema):
    district: str | None
    subdistrict: str | None
    community: str | None
    community_id: int | None
    near: NearOut | None = Field(description="the nearest station or landmark within 2 km")
    address: str
    text: str = Field(description="the whole description in the reader's language")


class SearchIn(Schema):
    q: Text(40, min_length=1) = Field(..., description="a name, part of one, or pinyin initials")
    limit: int = Field(20, ge=1, le=50)


class PlaceHitOut(Schema):
    kind: str = Field(description="community, landmark or station")
    key: str = Field(description="the community's code, the landmark's or the station's code")
    name: str
    context: str
    lat: float = Field(description="WGS-84")
    lng: float = Field(description="WGS-84")
    url: str


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def districts(request):
    return list(selectors.district_list())


@router.get(
    "/communities/locate",
    response={200: CommunityOut, **READ_ERRORS},
    summary="The community whose boundary contains a point",
)
def locate(request, point: Query[PointIn]):
    lat, lng = point.wgs84()
    community = selectors.community_at(lat=lat, lng=lng)
    if community is None:
        raise NotFound(_("This point is outside every community of the city."))
    return {
        "id": community.id,
        "code": community.code,
        "name": community.name,
        "subdistrict": community.subdistrict.name,
        "district": community.subdistrict.district.name,
    }


@router.get(
    "/describe",
    response={200: PlaceOut, **READ_ERRORS},
    summary="A point in words: district › subdistrict › community, and the nearest station "
    "or landmark",
)
def describe(request, point: Query[PointIn]):
    lat, lng = point.wgs84()
    return selectors.describe_point(lat=lat, lng=lng).as_dict()


@router.get(
    "/search",
    response={200: list[PlaceHitOut], **READ_ERRORS},
    summary="Communities, landmarks and stations by name or pinyin initials (lz → 兰州)",
)
def search(request, params: Query[SearchIn]):
    return selectors.search_places(q=params.q, limit=params.limit)


@router.get(
    "/communities.geojson",
    summary="Community boundaries as a GeoJSON FeatureCollection (WGS-84)",
    response={200: dict, **READ_ERRORS},
)
def communities_geojson(request, district: DbId | None = None):
    qs = selectors.communities_for_geojson(district_id=district)
    if district is not None and not qs.exists():
        raise Http404
    return selectors.feature_collection(qs)
