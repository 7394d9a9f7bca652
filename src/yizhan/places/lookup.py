"""The in-process indexes behind `places.selectors`: one per process, rebuilt only when the
data changes (checked against a cheap fingerprint at most every few seconds), so describing
a point costs a polygon-tree query and a vectorised distance, not database round trips.

- `areas()`: point → community (an STRtree over prepared polygons), each community's
  district › subdistrict › community names, and the city's outline (its districts, buffered
  by YIZHAN_PLACES_CITY_MARGIN_M) to refuse points that are not in the city at all.
- `named()`: every named point — the imported landmarks and what feature apps lend through
  `core.gazetteer` (stations) — with numpy arrays for the nearest one and pinyin readings
  for the search.
"""

import hashlib
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db.models import Count, Max

from yizhan.core import gazetteer
from yizhan.core.geo import haversine_m
from yizhan.places.geometry import PolygonIndex, to_shape
from yizhan.places.models import Community, District, Landmark, Subdistrict
from yizhan.places.text import readings

CHECK_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class AreaNames:
    community_id: int
    community: str
    subdistrict: str
    district: str
    district_id: int
    subdistrict_id: int


class Areas:
    def __init__(self, rows: list[Community] | None = None):
        if rows is None:
            rows = list(
                Community.objects.exclude(boundary=None)
                .select_related("subdistrict__district")
                .order_by("id")
            )
        self.index = PolygonIndex([(c.id, c.boundary) for c in rows])
        self.names = {
            c.id: AreaNames(
                c.id,
                c.name,
                c.subdistrict.name,
                c.subdistrict.district.name,
                c.subdistrict.district_id,
                c.subdistrict_id,
            )
            for c in rows
        }
        self.city = self._outline(rows)

    @staticmethod
    def _outline(communities):
        """The districts' union (else the communities'), widened by the margin; None when the
        city has no boundaries at all (then no point can be called outside it)."""
        shapes = [to_shape(d.boundary) for d in District.objects.exclude(boundary=None)]
        if not shapes:
            shapes = [to_shape(c.boundary) for c in communities]
        if not shapes:
            return None
        union = shapely.union_all(shapes)
        lat = (union.bounds[1] + union.bounds[3]) / 2
        margin = settings.PLACES_CITY_MARGIN_M / (111_320 * max(0.1, math.cos(math.radians(lat))))
        outline = union.buffer(margin, quad_segs=4).simplify(margin / 4) if margin else union
        shapely.prepare(outline)
        return outline

    def community_at(self, lat: float, lng: float) -> AreaNames | None:
        community_id = self.index.locate(lng, lat)
        return self.names.get(community_id) if community_id is not None else None

    def in_city(self, lat: float, lng: float) -> bool:
        if self.city is None:
            return True
        return bool(shapely.contains_xy(self.city, lng, lat))


@dataclass(frozen=True)
class Named:
    kind: str
    key: str
    name: str
    lat: float
    lng: float
    url: str
    detail: str
    initials: str
    pinyin: str
    folded: str  # the name as typed: NFKC, lower case, no spaces


class NamedPoints:
    def __init__(self, points: list):
        self.points: list[Named] = []
        for p in points:
            initials, full = readings(p.name)
            self.points.append(
                Named(
                    p.kind,
                    p.key,
                    p.name,
                    p.lat,
                    p.lng,
                    p.url,
                    p.detail,
                    initials,
                    full,
                    "".join(p.name.lower().split()),
                )
            )
        n = len(self.points)
        self.lat = np.fromiter((p.lat for p in self.points), float, n)
        self.lng = np.fromiter((p.lng for p in self.points), float, n)

    def nearest(self, lat: float, lng: float, max_m: float) -> tuple[Named, float] | None:
        """The nearest point within `max_m` metres. Ranked on a local flat projection (exact
        enough to order points a few kilometres apart), measured by great circle."""
        if not self.points:
            return None
        scale = math.cos(math.radians(lat))
        d2 = ((self.lng - lng) * scale) ** 2 + (self.lat - lat) ** 2
        i = int(np.argmin(d2))
        point = self.points[i]
        distance = haversine_m(lat, lng, point.lat, point.lng)
        return (point, distance) if distance <= max_m else None


_lock = threading.Lock()
_areas = {"value": None, "fingerprint": None, "checked": 0.0}
_named = {"value": None, "fingerprint": None, "checked": 0.0}


def areas_fingerprint():
    parts = []
    for model in (District, Subdistrict, Community):
        agg = model.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        parts += [agg["n"], agg["last"]]
    return tuple(parts)


def _fresh(state, fingerprint_fn, build):
    now = time.monotonic()
    with _lock:
        value = state["value"]
        if value is not None and now - state["checked"] < CHECK_EVERY_SECONDS:
            return value
    fingerprint = fingerprint_fn()
    with _lock:
        if state["value"] is None or fingerprint != state["fingerprint"]:
            state.update(value=build(), fingerprint=fingerprint)
        state["checked"] = now
        return state["value"]


def areas() -> Areas:
    return _fresh(_areas, areas_fingerprint, Areas)


def prime(communities: list[Community]) -> None:
    """Build the areas index from communities just written, without reading back their
    boundaries (parsing 720 of them from JSON was most of the demo's index build). They must
    be every community, saved, with their subdistrict and district attached; the fingerprint
    is read from the database as usual, so any later change rebuilds the index."""
    rows = sorted((c for c in communities if c.boundary is not None), key=lambda c: c.pk)
    value = Areas(rows)
    fingerprint = areas_fingerprint()
    with _lock:
        _areas.update(value=value, fingerprint=fingerprint, checked=time.monotonic())
        _named.update(value=None, fingerprint=None, checked=0.0)


def areas_version() -> str:
    """A short hash that changes whenever a district, subdistrict or community does."""
    areas()
    with _lock:
        fingerprint = _areas["fingerprint"]
    return hashlib.sha1(repr(fingerprint).encode(), usedforsecurity=False).hexdigest()[:12]


def _landmark_points():
    return [
        gazetteer.NamedPoint("landmark", lm.code, lm.name, lm.lat, lm.lng, "", lm.address)
        for lm in Landmark.objects.filter(active=True).order_by("code")
    ]


def _landmarks_fingerprint():
    agg = Landmark.objects.filter(active=True).aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def named() -> NamedPoints:
    """Landmarks (a database fingerprint checked every few seconds) and the lent points (their
    sources' versions, read every time: they are in-process and cheap)."""
    now = time.monotonic()
    lent = {kind: source() for kind, source in sorted(gazetteer.sources().items())}
    versions = tuple((kind, version) for kind, (version, _points) in lent.items())
    with _lock:
        value, fingerprint = _named["value"], _named["fingerprint"]
        recent = value is not None and now - _named["checked"] < CHECK_EVERY_SECONDS
        if recent and fingerprint[1] == versions:
            return value
    landmarks = fingerprint[0] if recent else _landmarks_fingerprint()
    with _lock:
        if _named["value"] is None or _named["fingerprint"] != (landmarks, versions):
            points = _landmark_points()
            for _version, lent_points in lent.values():
                points += list(lent_points)
            _named.update(value=NamedPoints(points), fingerprint=(landmarks, versions))
        if not recent:
            _named["checked"] = now
        return _named["value"]


def invalidate(*, areas: bool = True) -> None:
    """Drop the indexes (the named points only, with areas=False: a landmark changed)."""
    with _lock:
        for state in (_areas, _named) if areas else (_named,):
            state.update(value=None, fingerprint=None, checked=0.0)
