"""The life of a station, top to bottom: created (by hand or from a city's file), kept up
to date by its keeper (temporary status, amenities, hours, confirmation), visited by
workers (check-in), and imported in bulk.

Every write is one function with keyword-only arguments and its own transaction; writes
bump `Station.updated_at` so every process's finder index picks them up.
"""

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yizhan.core import events
from yizhan.core.errors import Invalid, NotAllowed
from yizhan.core.geo import CRS_CHOICES, haversine_m, to_wgs84, validate_lat_lng
from yizhan.places.selectors import community_id_at
from yizhan.stations import hours
from yizhan.stations.events import STATION_VISITED, StationVisited
from yizhan.stations.models import (
    Amenity,
    HoursException,
    ImportJob,
    OpeningHours,
    Station,
    StationAmenity,
    StationPhoto,
    StationVisit,
)
from yizhan.stations.permissions import can_check_in, require_manage_station
from yizhan.stations.selectors import invalidate_index

MAX_TEMP_STATUS_DAYS = 14


def check_in_radius_m() -> int:
    """How close a worker must be to check in without the QR code (settings.py:
    `YIZHAN_STATIONS_CHECK_IN_RADIUS_M`)."""
    return settings.STATIONS_CHECK_IN_RADIUS_M


def _after_commit_refresh() -> None:
    transaction.on_commit(invalidate_index)


def _touch(station: Station, *, confirm: bool = True) -> None:
    """Record that the station changed (and that its keeper vouched for its data)."""
    now = timezone.now()
    station.updated_at = now
    fields = ["updated_at"]
    if confirm:
        station.confirmed_at = now
        fields.append("confirmed_at")
    Station.objects.filter(pk=station.pk).update(**{f: getattr(station, f) for f in fields})
    _after_commit_refresh()


# --- creating stations ----------------------------------------------------------------


@dataclass
class StationData:
    """What is needed to create or update a station (coordinates already WGS-84)."""

    name: str
    kind: str
    lat: float
    lng: float
    code: str = ""
    address: str = ""
    operator: str = ""
    services: str = ""
    manager: str = ""
    phone: str = ""
    capacity: int | None = None
    is_24h: bool = False
    weekly: tuple = ((),) * 7  # intervals per weekday, Monday first
    amenities: list[str] = field(default_factory=list)


def next_station_code() -> str:
    codes = Station.objects.filter(code__regex=r"^LZ[0-9]+$").values_list("code", flat=True)
    serial = max((int(c[2:]) for c in codes), default=0) + 1
    return f"LZ{serial:05d}"


def _apply(station: Station, data: StationData, amenity_ids: dict[str, int]) -> None:
    OpeningHours.objects.filter(station=station).delete()
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(station=station, weekday=day, opens=_time(start), closes=_time(end))
            for day in range(7)
            if not data.is_24h
            for start, end in data.weekly[day]
        ]
    )
    StationAmenity.objects.filter(station=station).delete()
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=station, amenity_id=amenity_ids[c]) for c in data.amenities]
    )


def _station_fields(data: StationData) -> dict:
    return {
        "name": data.name,
        "kind": data.kind,
        "lat": data.lat,
        "lng": data.lng,
        "address": data.address,
        "operator": data.operator,
        "services": data.services,
        "manager": data.manager,
        "phone": data.phone,
        "capacity": data.capacity,
        "is_24h": data.is_24h,
        "community_id": community_id_at(lat=data.lat, lng=data.lng),
    }


@transaction.atomic
def station_create(*, data: StationData) -> Station:
    validate_lat_lng(data.lat, data.lng)
    amenity_ids = dict(Amenity.objects.values_list("code", "id"))
    unknown = [c for c in data.amenities if c not in amenity_ids]
    if unknown:
        raise Invalid(fields={"amenities": [_("Unknown amenity: %s") % ", ".join(unknown)]})
    station = Station.objects.create(
        code=data.code or next_station_code(), confirmed_at=timezone.now(), **_station_fields(data)
    )
    _apply(station, data, amenity_ids)
    _after_commit_refresh()
    return station


@transaction.atomic
def stations_import(*, rows: list[StationData]) -> tuple[int, int]:
    """Create or update (by code) every station, all or nothing. Returns (created, updated)."""
    amenity_ids = dict(Amenity.objects.values_list("code", "id"))
    existing = {
        s.code: s for s in Station.objects.filter(code__in=[r.code for r in rows if r.code])
    }
    created = updated = 0
    serial = int(next_station_code()[2:])
    now = timezone.now()
    for data in rows:
        station = existing.get(data.code) if data.code else None
        if station is None:
            if not data.code:
                data.code = f"LZ{serial:05d}"
                serial += 1
            station = Station.objects.create(
                code=data.code, confirmed_at=now, **_station_fields(data)
            )
            created += 1
        else:
            for name, value in _station_fields(data).items():
                setattr(station, name, value)
            station.confirmed_at = now
            station.save()
            updated += 1
        _apply(station, data, amenity_ids)
    _after_commit_refresh()
    return created, updated


# --- the keeper's console -------------------------------------------------------------


@transaction.atomic
def station_set_temp_status(
    *, station: Station, actor, status: str, until: dt.datetime | None = None, note: str = ""
) -> Station:
    """Set (or clear, with status "") the keeper's temporary status until a moment."""
    require_manage_station(actor, station)
    now = timezone.now()
    if status not in Station.TempStatus.values:
        raise Invalid(fields={"status": [_("Choose open, closed or full.")]})
    if status:
        if until is None or until <= now:
            raise Invalid(fields={"until": [_("The status must end in the future.")]})
        if until > now + dt.timedelta(days=MAX_TEMP_STATUS_DAYS):
            raise Invalid(
                fields={
                    "until": [_("A temporary status lasts at most %d days.") % MAX_TEMP_STATUS_DAYS]
                }
            )
    station.temp_status = status
    station.temp_status_since = now if status else None
    station.temp_status_until = until if status else None
    station.temp_status_note = note.strip()[:120] if status else ""
    station.confirmed_at = now
    station.save()
    _after_commit_refresh()
    return station


@transaction.atomic
def station_set_amenities(*, station: Station, actor, offered: dict[str, bool]) -> None:
    """Replace what the station offers: {amenity code: out of order?}."""
    require_manage_station(actor, station)
    amenity_ids = dict(Amenity.objects.values_list("code", "id"))
    unknown = sorted(set(offered) - set(amenity_ids))
    if unknown:
        raise Invalid(fields={"amenities": [_("Unknown amenity: %s") % ", ".join(unknown)]})
    StationAmenity.objects.filter(station=station).delete()
    StationAmenity.objects.bulk_create(
        [
            StationAmenity(station=station, amenity_id=amenity_ids[code], out_of_order=broken)
            for code, broken in offered.items()
        ]
    )
    _touch(station)


def parse_weekly_text(texts: dict[int, str]) -> dict[int, tuple]:
    """{weekday: "08:00-22:00"} → {weekday: intervals}; blank means closed that day."""
    weekly, errors = {}, {}
    for day in range(7):
        text = (texts.get(day) or "").strip()
        if not text or text in {"-", "休息", "关闭"}:
            weekly[day] = ()
            continue
        if hours.is_all_day(text):
            weekly[day] = hours.FULL_DAY
            continue
        try:
            weekly[day] = hours.parse_intervals(text)
        except ValueError:
            errors[f"day{day}"] = [_("Write hours like 08:00-22:00 (several separated by commas).")]
    if errors:
        raise Invalid(fields=errors)
    return weekly


def _time(minutes: int) -> dt.time:
    return dt.time((minutes // 60) % 24, minutes % 60)


@transaction.atomic
def station_set_hours(*, station: Station, actor, is_24h: bool, weekly: dict[int, tuple]) -> None:
    """Replace the weekly hours; `weekly` maps weekday (Monday 0) to intervals in minutes."""
    require_manage_station(actor, station)
    OpeningHours.objects.filter(station=station).delete()
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(station=station, weekday=day, opens=_time(start), closes=_time(end))
            for day, intervals in sorted(weekly.items())
            for start, end in intervals
        ]
    )
    station.is_24h = is_24h
    Station.objects.filter(pk=station.pk).update(is_24h=is_24h)
    _touch(station)


@transaction.atomic
def station_add_exception(
    *,
    station: Station,
    actor,
    date: dt.date | None,
    on_holidays: bool,
    closed: bool,
    intervals: tuple = (),
    note: str = "",
) -> None:
    """Close the station (or give special hours) on a date or on every statutory holiday."""
    require_manage_station(actor, station)
    if on_holidays == (date is not None):
        raise Invalid(fields={"date": [_("Give a date, or choose statutory holidays.")]})
    if not closed and not intervals:
        raise Invalid(fields={"hours": [_("Give the special hours, or mark it closed.")]})
    target = HoursException.objects.filter(station=station)
    target = target.filter(on_holidays=True) if on_holidays else target.filter(date=date)
    target.delete()
    if closed:
        HoursException.objects.create(
            station=station, date=date, on_holidays=on_holidays, closed=True, note=note
        )
    for start, end in intervals if not closed else ():
        HoursException.objects.create(
            station=station,
            date=date,
            on_holidays=on_holidays,
            closed=False,
            opens=_time(start),
            closes=_time(end),
            note=note,
        )
    _touch(station)


@transaction.atomic
def station_remove_exception(*, station: Station, actor, exception_id: int) -> None:
    require_manage_station(actor, station)
    HoursException.objects.filter(station=station, pk=exception_id).delete()
    _touch(station)


@transaction.atomic
def station_confirm(*, station: Station, actor) -> None:
    """The keeper vouches that the station's data is still right (clears the stale flag)."""
    require_manage_station(actor, station)
    _touch(station, confirm=True)


# --- check-in -------------------------------------------------------------------------


def check_in_token(station: Station) -> str:
    """The secret printed in the station's QR code: proves the scan happened on site."""
    key = hashlib.sha256(f"yizhan.stations.check-in:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, station.code.encode(), hashlib.sha256).hexdigest()[:20]


@transaction.atomic
def visit_check_in(
    *,
    worker,
    station: Station,
    method: str,
    token: str = "",
    lat: float | None = None,
    lng: float | None = None,
    crs: str = "wgs84",
    at: dt.datetime | None = None,
) -> tuple[StationVisit, bool]:
    """Record a worker's visit: once per worker, station and hour. Returns (visit, created)
    and, for a new visit, publishes `station.visited` (see stations/events.py)."""
    if not can_check_in(worker):
        raise NotAllowed
    if method == StationVisit.Method.QR:
        if not hmac.compare_digest(token or "", check_in_token(station)):
            raise Invalid(fields={"token": [_("This QR code is not valid for this station.")]})
    elif method == StationVisit.Method.NEARBY:
        if lat is None or lng is None or crs not in CRS_CHOICES:
            raise Invalid(fields={"location": [_("Share your location to check in.")]})
        try:
            validate_lat_lng(lat, lng)
        except ValueError as exc:
            raise Invalid(fields={"location": [str(exc)]}) from None
        lng, lat = to_wgs84(lng, lat, crs)
        distance = haversine_m(lat, lng, station.lat, station.lng)
        radius = check_in_radius_m()
        if distance > radius:
            raise Invalid(
                fields={
                    "location": [
                        _("You are %(d)d m from the station; check in within %(r)d m.")
                        % {"d": round(distance), "r": radius}
                    ]
                }
            )
    else:
        raise Invalid(fields={"method": [_("Unknown check-in method.")]})
    at = at or timezone.now()
    hour = at.replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            visit = StationVisit.objects.create(
                station=station, worker=worker, at=at, method=method
            )
    except IntegrityError:  # a double tap, or a second check-in within the hour
        return StationVisit.objects.get(station=station, worker=worker, hour=hour), False
    events.publish(
        STATION_VISITED,
        **StationVisited(station_id=station.pk, worker_id=worker.pk, visit_id=visit.pk),
    )
    return visit, True


@transaction.atomic
def visits_forget_worker(*, worker) -> int:
    """Erasure of a person's data: their check-ins stay in the stations' usage figures but
    no longer name them. Returns the visits detached (0 when run again)."""
    return StationVisit.objects.filter(worker=worker).update(worker=None)


# --- import ---------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor, filename: str, content: bytes) -> ImportJob:
    """Accept an uploaded file (already sniffed) and queue its import in the background."""
    from yizhan.stations.importing import sniff_format
    from yizhan.stations.permissions import can_run_network
    from yizhan.stations.tasks import import_stations

    if not can_run_network(actor):
        raise NotAllowed
    file_format = sniff_format(content)
    job = ImportJob.objects.create(
        created_by=actor, filename=filename[:200], file_format=file_format, content=content
    )
    transaction.on_commit(lambda: import_stations.enqueue(job_id=job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Check every row first (saving progress), then import all of them or none.

    Row errors are written in the language of the person who uploaded the file.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return job
    language = job.created_by.language if job.created_by else settings.LANGUAGE_CODE
    with translation.override(language):
        return _import_job_run(job)


def _import_job_run(job: ImportJob) -> ImportJob:
    from yizhan.stations.importing import read_rows, validate_rows

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.VALIDATING, processed_rows=done, total_rows=total
        )

    try:
        raw = read_rows(bytes(job.content), job.file_format)
        rows, errors = validate_rows(raw, progress=progress)
    except Invalid as exc:
        rows, errors = [], [{"row": 0, "column": "", "message": m} for _f, m in exc.field_errors()]
    job.refresh_from_db()
    job.errors = errors
    if errors or not rows:
        if not errors:
            job.errors = [{"row": 0, "column": "", "message": _("The file has no station rows.")}]
        job.status = ImportJob.Status.FAILED
    else:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.SAVING)
        job.created_count, job.updated_count = stations_import(rows=rows)
        job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.content = b""  # the file is no longer needed once it is in (or refused)
    job.save()
    return job


# --- photos ---------------------------------------------------------------------------

MAX_PHOTO_SIDE = 1600


@transaction.atomic
def photo_add(*, station: Station, actor, upload, caption: str = "") -> StationPhoto:
    """Keep a station photo through the one photo pipeline (core.images): refused above the
    byte and pixel limits before it is decoded, turned upright, at most 1600 px, no EXIF."""
    from yizhan.core.images import ImageRejected, process_photo

    require_manage_station(actor, station)
    try:
        processed = process_photo(upload, max_side=MAX_PHOTO_SIDE)
    except ImageRejected as exc:
        raise Invalid(fields={"image": [str(exc)]}) from None
    photo = StationPhoto(station=station, caption=caption.strip()[:120])
    photo.image.save("photo.jpg", ContentFile(processed.content), save=False)
    photo.save()
    _touch(station)
    return photo
