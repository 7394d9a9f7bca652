"""Places endpoints: districts, community boundaries (GeoJSON) and point → community."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yizhan.core.errors import NotFound
from yizhan.core.geo import CRS_GCJ02, CRS_WGS84, to_wgs84
from yizhan.core.schema import READ_ERRORS, DbId
from yizhan.places import selectors

router = Router(tags=["places"])


class DistrictOut(Schema):
    id: int
    code: str
    name: str
    n_subdistricts: int


class PointIn(Schema):
    lat: float = Field(..., ge=-90, le=90, description="latitude")
    lng: float = Field(..., ge=-180, le=180, description="longitude")
    crs: str = Field(CRS_WGS84, pattern=f"^({CRS_WGS84}|{CRS_GCJ02}|bd09)$")


class CommunityOut(Schema):
    id: int
    code: str
    name: str
    subdistrict: str
    district: str


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def districts(request):
    return list(selectors.district_list())


@router.get(
    "/communities/locate",
    response={200: CommunityOut, **READ_ERRORS},
    summary="The community whose boundary contains a point (WGS-84, or GCJ-02/BD-09 by crs)",
)
def locate(request, point: Query[PointIn]):
    lng, lat = to_wgs84(point.lng, point.lat, point.crs)
    community = selectors.community_at(lat=lat, lng=lng)
    if community is None:
        raise NotFound(_("This point is outside every community of the city."))
    return Status(
        200,
        {
            "id": community.id,
            "code": community.code,
            "name": community.name,
            "subdistrict": community.subdistrict.name,
            "district": community.subdistrict.district.name,
        },
    )


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
