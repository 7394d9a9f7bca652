"""Reading places: point → community, the place description of a point, whether a point is
in the city at all, the place search (names and pinyin initials), the district/community
picker, and boundary listings.

Lookups read the in-process indexes of `places.lookup` (rebuilt only when the data changes),
so describing a point costs microseconds, not database round trips.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from yizhan.core.geo import validate_lat_lng
from yizhan.places import lookup
from yizhan.places.geometry import PolygonIndex
from yizhan.places.models import Community, District, Landmark, Subdistrict
from yizhan.places.text import is_latin, normalise

NEAR_WITHIN_M = 2000  # farther than this, "near X" would mislead


def invalidate_index() -> None:
    lookup.invalidate()


def prime_index(communities) -> None:
    """After communities were written in bulk (the demo city): index them as they are in
    memory, every community with its subdistrict and district attached."""
    lookup.prime(communities)


def invalidate_named_index() -> None:
    """After a landmark changed: the named points only (the areas index stays)."""
    lookup.invalidate(areas=False)


def community_index() -> PolygonIndex:
    return lookup.areas().index


def community_id_at(*, lat: float, lng: float) -> int | None:
    """The id of the community whose boundary contains the WGS-84 point, or None."""
    return community_index().locate(lng, lat)


def community_at(*, lat: float, lng: float) -> Community | None:
    community_id = community_id_at(lat=lat, lng=lng)
    if community_id is None:
        return None
    return Community.objects.select_related("subdistrict__district").get(pk=community_id)


def in_city(*, lat: float, lng: float) -> bool:
    """Whether a WGS-84 point lies in the city (its districts, widened by a margin for GPS
    drift at the edge). A city without boundaries cannot tell, and says yes."""
    return lookup.areas().in_city(lat, lng)


# --- the place description ------------------------------------------------------------


def format_distance(metres: float) -> str:
    if metres < 1000:
        return _("%(m)s m") % {"m": max(10, int(round(metres, -1)))}
    return _("%(km)s km") % {"km": f"{metres / 1000:.1f}"}


@dataclass(frozen=True)
class Nearby:
    kind: str  # "station", "landmark"
    name: str
    distance_m: float
    url: str = ""
    lat: float | None = None
    lng: float | None = None

    @property
    def distance(self) -> str:
        return format_distance(self.distance_m)

    def __str__(self):
        return _("near %(name)s (%(distance)s)") % {"name": self.name, "distance": self.distance}


@dataclass(frozen=True)
class Place:
    """Where a point is, in words: district › subdistrict › community, the nearest named
    place, and the street address a reporter typed (if any)."""

    lat: float
    lng: float
    district: str = ""
    subdistrict: str = ""
    community: str = ""
    community_id: int | None = None
    near: Nearby | None = None
    address: str = ""
    parts: tuple = field(default=(), repr=False)

    @property
    def path(self) -> str:
        names = [n for n in (self.district, self.subdistrict, self.community) if n]
        return " › ".join(names) if names else _("outside every community of the city")

    def __str__(self):
        text = self.path
        if self.near:
            text += " · " + str(self.near)
        if self.address:
            text += " · " + self.address
        return text

    def as_dict(self) -> dict:
        return {
            "district": self.district or None,
            "subdistrict": self.subdistrict or None,
            "community": self.community or None,
            "community_id": self.community_id,
            "near": (
                {
                    "kind": self.near.kind,
                    "name": self.near.name,
                    "distance_m": round(self.near.distance_m),
                }
                if self.near
                else None
            ),
            "address": self.address,
            "text": str(self),
        }


def describe_point(*, lat: float, lng: float, address: str = "") -> Place:
    """The place description of a WGS-84 point (see `Place`)."""
    names = lookup.areas().community_at(lat, lng)
    found = lookup.named().nearest(lat, lng, NEAR_WITHIN_M)
    near = None
    if found:
        point, distance = found
        near = Nearby(point.kind, point.name, distance, point.url, point.lat, point.lng)
    if names is None:
        return Place(lat=lat, lng=lng, near=near, address=address)
    return Place(
        lat=lat,
        lng=lng,
        district=names.district,
        subdistrict=names.subdistrict,
        community=names.community,
        community_id=names.community_id,
        near=near,
        address=address,
    )


def check_point(*, lat, lng) -> str | None:
    """Why a WGS-84 point cannot be a place of this city (a sentence), or None when it can."""
    try:
        validate_lat_lng(lat, lng)
    except ValueError:
        return _("This is not a point on the map: latitude and longitude are out of range.")
    if not in_city(lat=lat, lng=lng):
        return _("This point is outside the city. Check the spot (and its coordinate system).")
    return None


# --- the place search -----------------------------------------------------------------


@dataclass(frozen=True)
class PlaceHit:
    kind: str  # "community", "station", "landmark"
    key: str
    name: str
    context: str  # where it is (district › subdistrict), or its address
    lat: float
    lng: float
    url: str = ""


KIND_ORDER = {"community": 0, "landmark": 1, "station": 2}
MAX_QUERY = 40


def _rank(query: str, latin: bool, folded: str, initials: str, full: str) -> int | None:
    if latin:
        if initials.startswith(query):
            return 0
        if full.startswith(query):
            return 1
        if query in initials:
            return 2
        if query in full:
            return 3
        return 4 if query in folded else None
    if folded.startswith(query):
        return 0
    return 1 if query in folded else None


def search_places(*, q: str, limit: int = 20, kinds=None) -> list[PlaceHit]:
    """Communities, landmarks and stations whose name holds the text, or whose pinyin
    (initials or full) does: "lz" finds 兰州西站, "zsq" 中山桥. Best matches first."""
    query = normalise(q)[:MAX_QUERY]
    if not query:
        return []
    latin = is_latin(query)
    scored = []
    if kinds is None or "community" in kinds:
        for c in _community_entries():
            rank = _rank(query, latin, c["folded"], c["initials"], c["pinyin"])
            if rank is not None:
                scored.append((rank, 0, len(c["hit"].name), c["hit"]))
    for p in lookup.named().points:
        if kinds is not None and p.kind not in kinds:
            continue
        rank = _rank(query, latin, p.folded, p.initials, p.pinyin)
        if rank is not None:
            hit = PlaceHit(p.kind, p.key, p.name, p.detail, p.lat, p.lng, p.url)
            scored.append((rank, KIND_ORDER.get(p.kind, 9), len(p.name), hit))
    scored.sort(key=lambda row: row[:3])
    return [row[3] for row in scored[:limit]]


_communities_cache = {"version": None, "entries": []}


def _community_entries() -> list[dict]:
    areas = lookup.areas()
    if _communities_cache["version"] is not areas:
        from yizhan.places.text import readings

        entries = []
        rows = Community.objects.select_related("subdistrict__district").order_by("code")
        for c in rows:
            if c.centroid_lat is None:
                continue
            initials, full = readings(c.name)
            hit = PlaceHit(
                "community",
                c.code,
                c.name,
                f"{c.subdistrict.district.name} › {c.subdistrict.name}",
                c.centroid_lat,
                c.centroid_lng,
            )
            entries.append(
                {"hit": hit, "folded": normalise(c.name), "initials": initials, "pinyin": full}
            )
        _communities_cache.update(version=areas, entries=entries)
    return _communities_cache["entries"]


# --- the picker: a location without a map ---------------------------------------------


def area_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Like `community_choices`, with the whole district first in each group: values are
    "d<district code>" and "c<community code>"."""
    codes = dict(District.objects.values_list("name", "code"))
    return [
        (
            district,
            [
                (
                    f"d{codes.get(district, '')}",
                    _("%(district)s: all of it") % {"district": district},
                ),
                *[(f"c{code}", label) for code, label in communities],
            ],
        )
        for district, communities in community_choices(value="code")
    ]


def community_point(*, code: str) -> PlaceHit | None:
    """The community with this code as a place: its label point (inside its boundary)."""
    for entry in _community_entries():
        if entry["hit"].key == code:
            return entry["hit"]
    return None


@dataclass(frozen=True)
class DistrictPlace:
    code: str
    name: str
    lat: float
    lng: float
    community_ids: frozenset


def district_place(*, code: str) -> DistrictPlace | None:
    """A district as a place: its label point and the ids of its communities."""
    district = District.objects.filter(code=code).first() if code and len(code) <= 32 else None
    if district is None or district.centroid_lat is None:
        return None
    ids = Community.objects.filter(subdistrict__district=district).values_list("id", flat=True)
    return DistrictPlace(
        district.code, district.name, district.centroid_lat, district.centroid_lng, frozenset(ids)
    )


def landmarks():
    return Landmark.objects.filter(active=True).order_by("code")


def district_list():
    return District.objects.annotate(n_subdistricts=Count("subdistricts")).order_by("code")


def communities_for_geojson(*, district_id: int | None = None, community_ids=None):
    qs = Community.objects.select_related("subdistrict__district").exclude(boundary=None)
    if district_id is not None:
        qs = qs.filter(subdistrict__district_id=district_id)
    if community_ids is not None:
        qs = qs.filter(id__in=community_ids)
    return qs.order_by("code")


def feature_collection(areas) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": area.id,
                "properties": {"code": area.code, "name": area.name},
                "geometry": area.boundary,
            }
            for area in areas
        ],
    }


def subdistricts_of(district: District):
    return Subdistrict.objects.filter(district=district).order_by("code")


def communities_search(*, q: str = "", district_ids=None, community_ids=None):
    """Communities by name or code, optionally within districts or a set of ids."""
    qs = Community.objects.select_related("subdistrict__district")
    if district_ids is not None:
        qs = qs.filter(subdistrict__district_id__in=district_ids)
    if community_ids is not None:
        qs = qs.filter(id__in=community_ids)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def community_choices(*, value: str = "id", district_ids=None, community_ids=None) -> list:
    """Communities for a picker, grouped by district: [(district, [(value, label), …]), …],
    each labelled "subdistrict · community" so that typing either finds it. `value` is
    the field the form sends back ("id" or "code")."""
    groups: dict[str, list] = {}
    rows = communities_search(district_ids=district_ids, community_ids=community_ids).only(
        "id", "code", "name", "subdistrict__name", "subdistrict__district__name"
    )
    for c in rows:
        label = f"{c.subdistrict.name} · {c.name}"
        groups.setdefault(c.subdistrict.district.name, []).append((getattr(c, value), label))
    return list(groups.items())


def community_get(*, community_id: int) -> Community | None:
    return Community.objects.select_related("subdistrict__district").filter(pk=community_id).first()


def district_get(*, district_id: int) -> District | None:
    return District.objects.filter(pk=district_id).first()


def districts():
    return District.objects.order_by("code")


def real_district_boundaries() -> dict[str, dict]:
    """Lanzhou's eight districts and counties as WGS-84 GeoJSON geometries, keyed by code
    (places/data/lanzhou_districts.geojson; see its README for source and licence)."""
    path = Path(__file__).resolve().parent / "data" / "lanzhou_districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["code"]: f["geometry"] for f in data["features"]}


def community_by_code(code: str) -> Community | None:
    """The community with this code (e.g. "620102001001"), or None."""
    code = (code or "").strip()
    if not code or len(code) > 32 or not code.isprintable():
        return None
    return Community.objects.select_related("subdistrict__district").filter(code=code).first()
