"""Writing places: creating areas and importing boundaries from GeoJSON."""

from django.db import transaction

from yizhan.places.geometry import GeometryError
from yizhan.places.models import Community, District, Subdistrict
from yizhan.places.selectors import invalidate_index


def district_create(*, code: str, name: str, boundary: dict | None = None) -> District:
    district = District(code=code, name=name)
    district.set_boundary(boundary)
    district.save()
    return district


def subdistrict_create(*, district, code: str, name: str, boundary=None) -> Subdistrict:
    sub = Subdistrict(district=district, code=code, name=name)
    sub.set_boundary(boundary)
    sub.save()
    return sub


def community_create(*, subdistrict, code: str, name: str, boundary=None) -> Community:
    community = Community(subdistrict=subdistrict, code=code, name=name)
    community.set_boundary(boundary)
    community.save()
    transaction.on_commit(invalidate_index)
    return community


@transaction.atomic
def communities_import_geojson(*, collection: dict) -> int:
    """Set community boundaries from a FeatureCollection whose features carry `code`.

    All or nothing: one unknown code or bad geometry and nothing is changed.
    """
    if collection.get("type") != "FeatureCollection":
        raise GeometryError("expected a GeoJSON FeatureCollection")
    errors, updated = [], []
    by_code = {c.code: c for c in Community.objects.all()}
    for n, feature in enumerate(collection.get("features", []), start=1):
        code = (feature.get("properties") or {}).get("code")
        community = by_code.get(code)
        if community is None:
            errors.append(f"feature {n}: unknown community code {code!r}")
            continue
        try:
            community.set_boundary(feature.get("geometry"))
        except GeometryError as exc:
            errors.append(f"feature {n}: {exc}")
            continue
        updated.append(community)
    if errors:
        raise GeometryError("; ".join(errors))
    for community in updated:
        community.save()
    transaction.on_commit(invalidate_index)
    return len(updated)
