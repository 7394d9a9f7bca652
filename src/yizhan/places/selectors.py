"""Reading places: the point → community lookup and boundary listings.

The lookup keeps one in-process index per process, rebuilt when the communities change
(checked against a cheap fingerprint at most every few seconds), so a lookup costs an
STRtree query, not a database round trip.
"""

import threading
import time

from django.db.models import Count, Max, Q

from yizhan.places.geometry import PolygonIndex
from yizhan.places.models import Community, District, Subdistrict

_CHECK_EVERY_SECONDS = 5.0
_lock = threading.Lock()
_state = {"index": None, "fingerprint": None, "checked": 0.0}


def _fingerprint():
    agg = Community.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def invalidate_index() -> None:
    with _lock:
        _state.update(index=None, fingerprint=None, checked=0.0)


def community_index() -> PolygonIndex:
    now = time.monotonic()
    with _lock:
        index = _state["index"]
        if index is not None and now - _state["checked"] < _CHECK_EVERY_SECONDS:
            return index
        fingerprint = _fingerprint()
        if index is None or fingerprint != _state["fingerprint"]:
            rows = Community.objects.exclude(boundary=None).values_list("id", "boundary")
            index = PolygonIndex(list(rows))
            _state.update(index=index, fingerprint=fingerprint)
        _state["checked"] = now
        return index


def community_id_at(*, lat: float, lng: float) -> int | None:
    """The id of the community whose boundary contains the WGS-84 point, or None."""
    return community_index().locate(lng, lat)


def community_at(*, lat: float, lng: float) -> Community | None:
    community_id = community_id_at(lat=lat, lng=lng)
    if community_id is None:
        return None
    return Community.objects.select_related("subdistrict__district").get(pk=community_id)


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
    each labelled with its subdistrict and code so that typing either finds it. `value` is
    the field the form sends back ("id" or "code")."""
    groups: dict[str, list] = {}
    rows = communities_search(district_ids=district_ids, community_ids=community_ids).only(
        "id", "code", "name", "subdistrict__name", "subdistrict__district__name"
    )
    for c in rows:
        label = f"{c.name} · {c.subdistrict.name} ({c.code})"
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
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent / "data" / "lanzhou_districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["code"]: f["geometry"] for f in data["features"]}


def community_by_code(code: str) -> Community | None:
    """The community with this code (e.g. "620102001001"), or None."""
    code = (code or "").strip()
    if not code or len(code) > 32 or not code.isprintable():
        return None
    return Community.objects.select_related("subdistrict__district").filter(code=code).first()
