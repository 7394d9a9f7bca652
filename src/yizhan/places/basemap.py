"""The offline basemap's data: the districts and the community grid, simplified per zoom and
packed small, for maps that have no tile server (and as the boundaries drawn over tiles).

Each layer is one JSON document, compressed once per version (`core.cached`) and served at a
URL that carries the data's version, so a phone downloads it once and keeps it a year:

    {"kind": "community", "q": 10000, "parents": ["张掖路街道", …],
     "areas": [[id, "name", parent index, label x, label y, polygons], …]}

Coordinates are WGS-84 multiplied by `q` and rounded (1e4: about 10 m); each polygon is a
list of rings, each ring a flat list [x0, y0, dx1, dy1, …] of deltas from the previous
vertex, which JSON and brotli both like. Neighbours are simplified together
(`shapely.coverage_simplify`) so shared borders stay shared. app.js decodes it.
"""

import json

import shapely
from django.urls import reverse

from yizhan.places import lookup
from yizhan.places.geometry import to_shape
from yizhan.places.models import Community, District

# name → (level, tolerance in degrees, quantisation, with names); app.js shows districts-lo
# below zoom 12 and districts-hi from 12, communities-lo at 12-13 (lines only: no labels at
# that zoom, so no names to download) and communities-hi, with names, from 14.
LAYERS = {
    "districts-lo": ("district", 0.002, 1_000, True),
    "districts-hi": ("district", 0.0005, 10_000, True),
    "communities-lo": ("community", 0.001, 5_000, False),
    "communities-hi": ("community", 0.0001, 100_000, True),
}


def _rings(geom, q: int) -> list:
    polygons = [geom] if geom.geom_type == "Polygon" else list(geom.geoms)
    out = []
    for polygon in polygons:
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            points = [(round(x * q), round(y * q)) for x, y in ring.coords[:-1]]
            flat, last = [], None
            for x, y in points:
                if last is None:
                    flat += [x, y]
                elif (x, y) != last:
                    flat += [x - last[0], y - last[1]]
                last = (x, y)
            if len(flat) >= 6:  # a ring needs three distinct vertices
                rings.append(flat)
        if rings:
            out.append(rings)
    return out


def _simplified(shapes: list, tolerance: float) -> list:
    try:
        return list(shapely.coverage_simplify(shapes, tolerance))
    except Exception:  # noqa: BLE001 - imported boundaries that are not a clean coverage
        return [s.simplify(tolerance, preserve_topology=True) for s in shapes]


def build(name: str) -> bytes:
    level, tolerance, q, named = LAYERS[name]
    if level == "district":
        rows = list(District.objects.exclude(boundary=None).order_by("code"))
        parents, parent_of = [], lambda area: -1
    else:
        rows = list(
            Community.objects.exclude(boundary=None).select_related("subdistrict").order_by("code")
        )
        parents = sorted({c.subdistrict.name for c in rows}) if named else []
        index = {p: i for i, p in enumerate(parents)}
        parent_of = lambda area: index.get(area.subdistrict.name, -1)  # noqa: E731
    shapes = _simplified([to_shape(a.boundary) for a in rows], tolerance)
    areas = []
    for area, geom in zip(rows, shapes, strict=True):
        if geom is None or geom.is_empty:
            continue
        label = (round(area.centroid_lng * q), round(area.centroid_lat * q)) if named else (0, 0)
        areas.append(
            [area.id, area.name if named else "", parent_of(area), *label, _rings(geom, q)]
        )
    document = {"kind": level, "q": q, "parents": parents, "areas": areas}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def urls() -> dict[str, str]:
    """The current URL of every layer (the version changes with the data)."""
    version = lookup.areas_version()
    return {
        name.replace("-", "_"): reverse("places:map_layer", args=[version, name]) for name in LAYERS
    }
