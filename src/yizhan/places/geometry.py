"""GeoJSON geometry helpers on shapely: validation, description, point-in-polygon index."""

import json

import shapely
from shapely.geometry import shape


class GeometryError(ValueError):
    pass


def to_shape(geometry: dict):
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise GeometryError("boundary must be a GeoJSON Polygon or MultiPolygon")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise GeometryError(f"boundary is not valid GeoJSON: {exc}") from exc
    if geom.is_empty or not geom.is_valid:
        raise GeometryError("boundary polygon is empty or self-intersecting")
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    if min_lng < -180 or max_lng > 180 or min_lat < -90 or max_lat > 90:
        raise GeometryError("boundary coordinates must be WGS-84 longitude, latitude")
    return geom


def describe(geometry: dict) -> dict:
    geom = to_shape(geometry)
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    centre = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
    return {
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
        "centroid_lng": centre.x,
        "centroid_lat": centre.y,
    }


def to_geojson(geom) -> dict:
    """A shapely geometry as a GeoJSON dict of plain lists (what the JSON column holds)."""
    return json.loads(shapely.to_geojson(geom))


class PolygonIndex:
    """Which polygon contains a point: an STRtree over prepared polygons.

    Shared edges belong to one polygon only (the one with the lowest key), so a point on
    a border is never in two communities at once.
    """

    def __init__(self, items: list[tuple[int, dict]]):
        self.keys = [key for key, _ in items]
        self.geoms = [to_shape(geometry) for _, geometry in items]
        for geom in self.geoms:
            shapely.prepare(geom)
        self.tree = shapely.STRtree(self.geoms)

    def __len__(self):
        return len(self.keys)

    def locate(self, lng: float, lat: float) -> int | None:
        point = shapely.Point(lng, lat)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return min(self.keys[i] for i in hits)
