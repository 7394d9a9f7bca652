"""The station directory as a file a city keeps: the same Chinese columns the importer
reads (so an exported file imports back unchanged), coordinates in WGS-84."""

import csv
import io

from django.utils import timezone, translation

from yizhan.stations import hours
from yizhan.stations.importing import EXPORT_HEADERS
from yizhan.stations.models import Station

ORDER = [
    "code",
    "name",
    "kind",
    "address",
    "amenities",
    "services",
    "manager",
    "phone",
    "lng",
    "lat",
    "crs",
    "hours",
    "operator",
    "capacity",
]
EXTRA_HEADERS = ["所属街道", "所属社区", "最近确认"]


def _safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_rows():
    """The header, then one row per station (text cells, Chinese labels)."""
    yield [EXPORT_HEADERS[k] for k in ORDER] + EXTRA_HEADERS
    stations = Station.objects.select_related("community__subdistrict").prefetch_related(
        "offers__amenity", "opening_hours"
    )
    with translation.override("zh-hans"):
        for s in stations.order_by("code"):
            schedule = s.schedule()
            facilities = "、".join(
                o.amenity.name
                for o in sorted(s.offers.all(), key=lambda o: (o.amenity.sort, o.amenity.code))
            )
            confirmed = (
                timezone.localtime(s.confirmed_at).date().isoformat() if s.confirmed_at else ""
            )
            yield [
                s.code,
                _safe(s.name),
                str(s.get_kind_display()),
                _safe(s.address),
                facilities,
                _safe(s.services),
                _safe(s.manager),
                _safe(s.phone),
                f"{s.lng:.6f}",
                f"{s.lat:.6f}",
                "WGS84",
                hours.format_week_text(s.is_24h, schedule.weekly),
                _safe(s.operator),
                "" if s.capacity is None else str(s.capacity),
                s.community.subdistrict.name if s.community_id else "",
                s.community.name if s.community_id else "",
                confirmed,
            ]


def export_csv() -> bytes:
    """UTF-8 with a byte-order mark, which Chinese Excel needs to show the text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in export_rows():
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("驿站")
    for row in export_rows():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
