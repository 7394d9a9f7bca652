"""The life of a hazard report, top to bottom:

submit → (routed to a community, a department or the city) → accept → start → resolve (with an
after-photo and a note) → close (the reporter confirms, or 7 days pass) — or reject (invalid,
or a duplicate linked to its original), or transfer to the right owner. The reporter may reopen
within 7 days. Every step is a ReportEvent row and a notification to every follower. Closing a
valid report for the first time announces "report.verified" (the points module awards it).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.core import events, workdays
from yizhan.core.geo import CRS_WGS84, haversine_m, to_wgs84, validate_lat_lng
from yizhan.core.idempotency import create_once
from yizhan.core.images import ImageRejected, phash_distance, process_photo
from yizhan.core.notifications import notify
from yizhan.places.selectors import community_id_at
from yizhan.reports import selectors
from yizhan.reports.models import (
    OPEN_STATES,
    Category,
    Follower,
    Photo,
    RejectReason,
    Report,
    ReportEvent,
    State,
)

MAX_PHOTOS = 4
REUSE_DISTANCE = 6  # bits of a 64-bit perceptual hash
REUSE_RADIUS_M = 2000
REUSE_DAYS = 180


class ReportError(ValidationError):
    """A refused step, with a message for the person who tried it."""


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool  # False: a retry with the same client key returned the first report


def _due_at(category: Category, start: dt.datetime) -> dt.datetime:
    """End of the Nth working day after the day the report arrived (Asia/Shanghai)."""
    local = timezone.localtime(start)
    day = workdays.add_working_days(local.date(), category.response_days)
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def _record(report, *, actor, action, from_state="", note="", notify_followers=True):
    ReportEvent.objects.create(
        report=report,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=report.state,
        note=note[:500],
    )
    if notify_followers:
        url = reverse("reports:detail", args=[report.pk])
        text = _("Report #%(id)s (%(category)s): %(state)s") % {
            "id": report.pk,
            "category": report.category.label,
            "state": report.get_state_display(),
        }
        for follower in report.followers.select_related("user"):
            if follower.user_id != getattr(actor, "pk", None):
                notify(user=follower.user, text=text, url=url, verb=f"report.{action}")


def _route(category: Category, lat: float, lng: float) -> dict:
    if category.department_id:
        return {
            "department_id": category.department_id,
            "community_id": community_id_at(lat=lat, lng=lng),
        }
    return {"department_id": None, "community_id": community_id_at(lat=lat, lng=lng)}


def _photo_seen_before(phash: str, *, lat: float, lng: float, now) -> bool:
    if Photo.objects.filter(phash=phash, kind=Photo.Kind.BEFORE).exists():
        return True
    box = selectors._box(lat, lng, REUSE_RADIUS_M)
    nearby = Photo.objects.filter(
        kind=Photo.Kind.BEFORE,
        report__lat__range=box[:2],
        report__lng__range=box[2:],
        created_at__gte=now - dt.timedelta(days=REUSE_DAYS),
    ).values_list("phash", flat=True)[:2000]
    return any(phash_distance(phash, other) <= REUSE_DISTANCE for other in nearby)


def report_submit(
    *,
    reporter,
    category: Category,
    lat: float | None,
    lng: float | None,
    crs: str = CRS_WGS84,
    description: str = "",
    photos=(),
    use_photo_location: bool = False,
    client_key: str = "",
    media_url: str = "",
    source: str = "app",
    now=None,
) -> Submitted:
    """Create a report from what the phone sent; retries with the same client key are safe."""
    now = now or timezone.now()
    if reporter is not None and client_key:
        existing = Report.objects.filter(reporter=reporter, client_key=client_key).first()
        if existing:
            return Submitted(existing, created=False)
    errors: dict[str, list[str]] = {}
    if not category.active:
        errors["category"] = [_("This category is no longer in use.")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Send at most %(n)d photos.") % {"n": MAX_PHOTOS}]
    if category.photo_required and not photos and not media_url:
        errors["photos"] = [_("This category needs a photo.")]
    processed = []
    for upload in photos[:MAX_PHOTOS]:
        try:
            processed.append(process_photo(upload))
        except ImageRejected as exc:
            errors.setdefault("photos", []).append(str(exc))
    if lat is None or lng is None:
        gps = next((p.gps for p in processed if p.gps), None)
        if use_photo_location and gps:
            lat, lng, crs = gps[0], gps[1], CRS_WGS84
        else:
            errors["location"] = [
                _(
                    "We need the spot: allow location, pick it on the map, or use the photo's location."
                )
            ]
    if lat is not None and lng is not None:
        try:
            validate_lat_lng(lat, lng)
            lng, lat = to_wgs84(lng, lat, crs)
        except ValueError as exc:
            errors["location"] = [str(exc)]
    if reporter is not None and "location" not in errors:
        today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        if (
            Report.objects.filter(reporter=reporter, created_at__gte=today).count()
            >= settings.REPORTS_DAILY_LIMIT
        ):
            errors["__all__"] = [
                _(
                    "You have sent %(n)d reports today, the daily limit. Thank you — please send more tomorrow."
                )
                % {"n": settings.REPORTS_DAILY_LIMIT}
            ]
    if errors:
        raise ReportError(errors)

    def create() -> Report:
        report = Report.objects.create(
            reporter=reporter,
            source=source,
            client_key=client_key[:64],
            category=category,
            description=description.strip()[:500],
            media_url=media_url,
            lat=round(lat, 7),
            lng=round(lng, 7),
            due_at=_due_at(category, now),
            photo_reused=any(
                _photo_seen_before(p.phash, lat=lat, lng=lng, now=now) for p in processed
            ),
            **_route(category, lat, lng),
        )
        for p in processed:
            photo = Photo(
                report=report, kind=Photo.Kind.BEFORE, phash=p.phash, width=p.width, height=p.height
            )
            photo.image.save(f"{report.token.hex}.jpg", ContentFile(p.content), save=False)
            photo.save()
        if reporter is not None:
            Follower.objects.create(report=report, user=reporter)
        _record(report, actor=reporter, action="submitted", notify_followers=False)
        return report

    if reporter is None or not client_key:
        with transaction.atomic():
            return Submitted(create(), created=True)
    # Two retries racing past the check above: the unique (reporter, client_key) lets one win.
    report, created = create_once(
        model=Report, lookup={"reporter": reporter, "client_key": client_key[:64]}, create=create
    )
    return Submitted(report, created=created)


# --- Officer steps --------------------------------------------------------------------


def _lock(report_id: int) -> Report:
    return Report.objects.select_for_update().select_related("category").get(pk=report_id)


def _check_officer(user, report):
    if not selectors.can_handle(user, report):
        raise PermissionDenied


def _move(report, *, user, to_state, allowed_from, action, note="", **changes):
    if report.state not in allowed_from:
        raise ReportError(
            _("This step is not possible for a report that is %(state)s.")
            % {"state": report.get_state_display()}
        )
    from_state = report.state
    report.state = to_state
    for key, value in changes.items():
        setattr(report, key, value)
    report.save()
    _record(report, actor=user, action=action, from_state=from_state, note=note)
    return report


@transaction.atomic
def report_accept(*, user, report_id: int, note: str = "") -> Report:
    report = _lock(report_id)
    _check_officer(user, report)
    return _move(
        report,
        user=user,
        to_state=State.ACCEPTED,
        allowed_from=(State.SUBMITTED,),
        action="accepted",
        note=note,
    )


def reports_bulk_accept(*, user, report_ids) -> int:
    done = 0
    for report_id in report_ids:
        try:
            report_accept(user=user, report_id=report_id)
            done += 1
        except (ReportError, PermissionDenied, Report.DoesNotExist):
            continue
    return done


@transaction.atomic
def report_start(*, user, report_id: int, note: str = "") -> Report:
    report = _lock(report_id)
    _check_officer(user, report)
    return _move(
        report,
        user=user,
        to_state=State.IN_PROGRESS,
        allowed_from=(State.ACCEPTED,),
        action="started",
        note=note,
    )


@transaction.atomic
def report_resolve(*, user, report_id: int, note: str, after_photo, now=None) -> Report:
    """Mark fixed, with a photo of the fix and a note for the reporter."""
    report = _lock(report_id)
    _check_officer(user, report)
    errors = {}
    if not note.strip():
        errors["note"] = [_("Say what was done.")]
    processed = None
    if after_photo is None:
        errors["after_photo"] = [_("Add a photo of the fixed spot.")]
    else:
        try:
            processed = process_photo(after_photo)
        except ImageRejected as exc:
            errors["after_photo"] = [str(exc)]
    if errors:
        raise ReportError(errors)
    report = _move(
        report,
        user=user,
        to_state=State.RESOLVED,
        allowed_from=(State.ACCEPTED, State.IN_PROGRESS),
        action="resolved",
        note=note,
        resolved_at=now or timezone.now(),
    )
    photo = Photo(
        report=report,
        kind=Photo.Kind.AFTER,
        phash=processed.phash,
        width=processed.width,
        height=processed.height,
    )
    photo.image.save(f"{report.token.hex}-after.jpg", ContentFile(processed.content), save=False)
    photo.save()
    return report


@transaction.atomic
def report_reject(
    *, user, report_id: int, reason: str, note: str = "", duplicate_of_id=None
) -> Report:
    report = _lock(report_id)
    _check_officer(user, report)
    if reason not in RejectReason.values:
        raise ReportError({"reason": [_("Choose why the report is rejected.")]})
    original = None
    if reason == RejectReason.DUPLICATE:
        original = Report.objects.filter(pk=duplicate_of_id).first() if duplicate_of_id else None
        if original is None or original.pk == report.pk:
            raise ReportError({"duplicate_of": [_("Give the number of the original report.")]})
        if original.duplicate_of_id:
            original = original.duplicate_of
    elif not note.strip():
        raise ReportError({"note": [_("Say why the report is not valid.")]})
    report = _move(
        report,
        user=user,
        to_state=State.REJECTED,
        allowed_from=OPEN_STATES,
        action="rejected",
        note=note or (_("Duplicate of report #%(id)s") % {"id": original.pk}),
        reject_reason=reason,
        duplicate_of=original,
    )
    if original is not None:
        # Whoever followed the duplicate now follows the original and hears of its fix.
        for follower in report.followers.all():
            Follower.objects.get_or_create(report=original, user=follower.user)
        _record(
            original,
            actor=user,
            action="merged",
            from_state=original.state,
            note=_("Report #%(id)s merged into this one") % {"id": report.pk},
            notify_followers=False,
        )
    return report


def reports_merge(*, user, original_id: int, duplicate_ids) -> int:
    merged = 0
    for report_id in duplicate_ids:
        if int(report_id) == int(original_id):
            continue
        report_reject(
            user=user,
            report_id=report_id,
            reason=RejectReason.DUPLICATE,
            duplicate_of_id=original_id,
        )
        merged += 1
    return merged


@transaction.atomic
def report_transfer(*, user, report_id: int, note: str, community=None, department=None) -> Report:
    """Not ours: hand the report to another community, a department, or (neither) the city."""
    report = _lock(report_id)
    _check_officer(user, report)
    if not note.strip():
        raise ReportError({"note": [_("Say why the report belongs elsewhere.")]})
    if report.state not in OPEN_STATES:
        raise ReportError(_("Only an open report can be transferred."))
    target = department or community or _("the city dispatcher")
    return _move(
        report,
        user=user,
        to_state=State.SUBMITTED,
        allowed_from=OPEN_STATES,
        action="transferred",
        note=f"→ {target}: {note}",
        community=community
        if community is not None
        else (None if department else report.community),
        department=department,
    )


# --- Reporter steps -------------------------------------------------------------------


def _announce_verified(report: Report, now) -> None:
    """Publish "report.verified" the first time a valid report closes (at most once)."""
    if report.photo_reused:
        return  # a recycled photo earns nothing; the officer saw the flag
    claimed = Report.objects.filter(pk=report.pk, verified_at=None).update(verified_at=now)
    if claimed:
        events.publish(
            "report.verified",
            report_id=report.pk,
            reporter_id=report.reporter_id,
            category=report.category.code,
            points=report.category.points,
        )


@transaction.atomic
def report_confirm(*, user, report_id: int, now=None) -> Report:
    now = now or timezone.now()
    report = _lock(report_id)
    if report.reporter_id != user.pk:
        raise PermissionDenied
    report = _move(
        report,
        user=user,
        to_state=State.CLOSED,
        allowed_from=(State.RESOLVED,),
        action="closed",
        note=_("Confirmed fixed by the reporter"),
        closed_at=now,
    )
    _announce_verified(report, now)
    return report


@transaction.atomic
def report_reopen(*, user, report_id: int, note: str, now=None) -> Report:
    now = now or timezone.now()
    report = _lock(report_id)
    if report.reporter_id != user.pk:
        raise PermissionDenied
    if report.state not in (State.RESOLVED, State.CLOSED):
        raise ReportError(_("Only a resolved or closed report can be reopened."))
    since = report.resolved_at or report.closed_at
    if since and now - since > dt.timedelta(days=settings.REPORTS_AUTOCLOSE_DAYS):
        raise ReportError(_("A report can be reopened within 7 days of its fix."))
    if not note.strip():
        raise ReportError({"note": [_("Say what is still wrong.")]})
    return _move(
        report,
        user=user,
        to_state=State.ACCEPTED,
        allowed_from=(State.RESOLVED, State.CLOSED),
        action="reopened",
        note=note,
        closed_at=None,
        due_at=_due_at(report.category, now),
    )


def report_follow(*, user, report_id: int) -> bool:
    report = Report.objects.get(pk=report_id)
    _, created = Follower.objects.get_or_create(report=report, user=user)
    return created


def reports_autoclose(*, now=None) -> int:
    """Close reports resolved more than 7 days ago that nobody confirmed (claimed one by one)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.REPORTS_AUTOCLOSE_DAYS)
    closed = 0
    ids = list(
        Report.objects.filter(state=State.RESOLVED, resolved_at__lt=cutoff).values_list(
            "id", flat=True
        )[:5000]
    )
    for report_id in ids:
        with transaction.atomic():
            # Conditional update: of two sweeps running at once only one closes each report.
            if not Report.objects.filter(pk=report_id, state=State.RESOLVED).update(
                state=State.CLOSED, closed_at=now
            ):
                continue
            report = Report.objects.select_related("category").get(pk=report_id)
            _record(
                report,
                actor=None,
                action="closed",
                from_state=State.RESOLVED,
                note=_("Closed automatically 7 days after the fix"),
            )
            _announce_verified(report, now)
            closed += 1
    return closed


def distance_to(report: Report, *, lat: float, lng: float) -> float:
    return haversine_m(lat, lng, report.lat, report.lng)
