"""Writing places: creating areas, importing boundaries from GeoJSON and landmarks from CSV."""

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from yizhan.core.errors import Invalid
from yizhan.core.geo import CRS_CHOICES, CRS_WGS84, to_wgs84, validate_lat_lng
from yizhan.places.geometry import GeometryError
from yizhan.places.models import Community, District, Landmark, Subdistrict
from yizhan.places.selectors import in_city, invalidate_index, invalidate_named_index
from yizhan.places.text import readings


def district_create(*, code: str, name: str, boundary: dict | None = None) -> District:
    district = District(code=code, name=name)
    district.set_boundary(boundary)
    district.save()
    transaction.on_commit(invalidate_index)
    return district


def subdistrict_create(*, district, code: str, name: str, boundary=None) -> Subdistrict:
    sub = Subdistrict(district=district, code=code, name=name)
    sub.set_boundary(boundary)
    sub.save()
    transaction.on_commit(invalidate_index)
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


# --- landmarks ------------------------------------------------------------------------

LANDMARK_COLUMNS = ("code", "name", "lat", "lng")  # required; kind, address, crs optional
MAX_LANDMARKS = 20_000


@dataclass(frozen=True)
class LandmarkImport:
    created: int
    updated: int
    deactivated: int


def _landmark_row(n: int, row: dict, default_crs: str) -> tuple[dict | None, str | None]:
    """One CSV row as Landmark fields in WGS-84, or why not."""
    code = (row.get("code") or "").strip()
    name = (row.get("name") or "").strip()
    if not code or len(code) > 40 or not code.isprintable():
        return None, _("line %(n)d: a code of 1 to 40 characters is needed") % {"n": n}
    if not name or len(name) > 80 or "\x00" in name:
        return None, _("line %(n)d: a name of 1 to 80 characters is needed") % {"n": n}
    crs = (row.get("crs") or row.get("coord_type") or default_crs).strip().lower()
    if crs not in CRS_CHOICES:
        return None, _("line %(n)d: the coordinate system must be wgs84, gcj02 or bd09") % {"n": n}
    try:
        lat, lng = float(row.get("lat") or ""), float(row.get("lng") or "")
        validate_lat_lng(lat, lng)
    except ValueError:
        return None, _("line %(n)d: latitude and longitude must be numbers on the map") % {"n": n}
    lng, lat = to_wgs84(lng, lat, crs)
    if not in_city(lat=lat, lng=lng):
        return None, _("line %(n)d: %(name)s is outside the city") % {"n": n, "name": name}
    initials, full = readings(name)
    return {
        "code": code,
        "name": name,
        "kind": (row.get("kind") or "").strip()[:40],
        "address": (row.get("address") or "").strip()[:200],
        "lat": round(lat, 7),
        "lng": round(lng, 7),
        "initials": initials[:80],
        "pinyin": full[:400],
        "active": True,
    }, None


@transaction.atomic
def landmarks_import_csv(*, text: str, crs: str = CRS_WGS84, replace: bool = False):
    """Create or update landmarks from CSV text (header: code,name,lat,lng[,kind,address,crs]).

    Coordinates in GCJ-02 or BD-09 (lists exported from AMap or Baidu) are converted to
    WGS-84, per file (`crs`) or per row (a `crs` column). All or nothing: one bad row and
    nothing changes; `Invalid` lists every bad line. `replace` deactivates the landmarks the
    file no longer lists.
    """
    if crs not in CRS_CHOICES:
        raise Invalid(field="crs", message=_("Choose wgs84, gcj02 or bd09."))
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in LANDMARK_COLUMNS if c not in header]
    if missing:
        raise Invalid(
            field="file",
            message=_("The file needs the columns %(cols)s.") % {"cols": ", ".join(missing)},
        )
    reader.fieldnames = header
    rows, errors, seen = [], [], set()
    for n, row in enumerate(reader, start=2):
        if n - 1 > MAX_LANDMARKS:
            errors.append(_("at most %(n)d landmarks in one file") % {"n": MAX_LANDMARKS})
            break
        fields, error = _landmark_row(n, row, crs)
        if error is None and fields["code"] in seen:
            error = _("line %(n)d: the code %(code)s appears twice") % {
                "n": n,
                "code": fields["code"],
            }
        if error:
            errors.append(error)
            continue
        seen.add(fields["code"])
        rows.append(fields)
    if errors:
        raise Invalid(fields={"file": errors[:50]})
    existing = {lm.code: lm for lm in Landmark.objects.select_for_update()}
    created = updated = 0
    for fields in rows:
        landmark = existing.get(fields["code"])
        if landmark is None:
            Landmark.objects.create(**fields)
            created += 1
        elif any(getattr(landmark, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(landmark, key, value)
            landmark.save()
            updated += 1
    deactivated = 0
    if replace:
        deactivated = (
            Landmark.objects.filter(active=True).exclude(code__in=seen).update(active=False)
        )
    transaction.on_commit(invalidate_named_index)
    return LandmarkImport(created=created, updated=updated, deactivated=deactivated)
