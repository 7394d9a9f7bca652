"""The life of a hazard report, top to bottom:

submit → (routed to a community, a department or the city; the officers of that queue are told)
→ accept → start → resolve (with an after-photo and a note) → close (the reporter confirms, or
7 days pass) — or reject (invalid, or a duplicate merged into its original), or transfer to the
right owner. The reporter may reopen within 7 days. Every step is a ReportEvent row and a
notification to the followers. Closing a valid report for the first time announces
"report.verified" (see `reports.events`; the points bank pays the reward its rules set).

Refusals are `core.errors`: Invalid (bad input, by field), Conflict (the report's state does
not allow the step), NotAllowed (not your report or queue), NotFound, Throttled (daily limit).
"""

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.accounts.permissions import Role
from yizhan.accounts.selectors import users_holding
from yizhan.core import events, workdays
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled, YizhanError
from yizhan.core.geo import CRS_CHOICES, CRS_WGS84, to_wgs84, validate_lat_lng
from yizhan.core.idempotency import IdempotencyKeyReused, create_once
from yizhan.core.images import ImageRejected, phash_distance, process_photo
from yizhan.core.notifications import notify_many
from yizhan.places import selectors as place_selectors
from yizhan.places.selectors import community_by_code, community_id_at
from yizhan.reports import permissions, selectors
from yizhan.reports.events import REPORT_VERIFIED, ReportVerified
from yizhan.reports.models import (
    OPEN_STATES,
    Category,
    Follower,
    LocationSource,
    Open311Key,
    Photo,
    RejectReason,
    Report,
    ReportEvent,
    State,
)

MAX_PHOTOS = 4
MAX_DESCRIPTION = 500
MAX_CLIENT_KEY = 64
MAX_BULK = 200  # ids in one bulk accept or merge (a console page shows 30)
REUSE_DISTANCE = 6  # bits of a 64-bit perceptual hash
REUSE_RADIUS_M = 2000
REUSE_DAYS = 180

# Notifications: message ids and parameters, put into words in the reader's language.
CHANGED = gettext_lazy("Report #%(id)s (%(category)s): %(state)s")
QUEUED = gettext_lazy("New hazard report #%(id)s (%(category)s) in your queue.")
REOPENED = gettext_lazy("Report #%(id)s (%(category)s) was reopened by its reporter.")
MERGED = gettext_lazy(
    "Report #%(id)s was merged into report #%(original)s; you now follow that one."
)


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool  # False: a retry with the same client key returned the first report


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk step did to each report: the ids it changed, and why it left the others."""

    done: list[int] = field(default_factory=list)
    refused: dict[int, YizhanError] = field(default_factory=dict)


def _due_at(category: Category, start: dt.datetime) -> dt.datetime:
    """End of the Nth working day after the day the report arrived (Asia/Shanghai)."""
    local = timezone.localtime(start)
    day = workdays.add_working_days(local.date(), category.response_days)
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def _url(report: Report) -> str:
    return reverse("reports:detail", args=[report.pk])


def _params(report: Report, **more) -> dict:
    # The category is the city's own name for it (data, not a translatable string).
    return {"id": report.pk, "category": report.category.name, **more}


def _tell_followers(report: Report, *, actor, action: str) -> None:
    """Every follower but the one who acted hears of the step; once a report is no longer
    public (rejected), only its reporter does, as only they may still read it."""
    followers = report.followers.select_related("user").exclude(user_id=getattr(actor, "pk", None))
    if not permissions.is_public(report):
        followers = followers.filter(user_id=report.reporter_id)
    notify_many(
        users=[f.user for f in followers],
        message=CHANGED,
        params=_params(report, state=State(report.state).label),
        url=_url(report),
        verb=f"report.{action}",
    )


def _queue_holders(report: Report):
    """The officers whose queue the report is in: the owning department's, else the grid
    officers of its community, else (outside every community) the city's dispatchers."""
    if report.department_id:
        return users_holding(Role.DEPARTMENT_OFFICER, department_id=report.department_id)
    if report.community_id:
        return users_holding(Role.GRID_OFFICER, community_id=report.community_id)
    return users_holding(Role.DISPATCHER)


def _tell_queue(report: Report, message, *, actor=None) -> None:
    users = [u for u in _queue_holders(report) if u.pk != getattr(actor, "pk", None)]
    notify_many(
        users=users, message=message, params=_params(report), url=_url(report), verb="report.queue"
    )


def _record(report, *, actor, action, from_state="", note="", notify_followers=True):
    ReportEvent.objects.create(
        report=report,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=report.state,
        note=note[:MAX_DESCRIPTION],
    )
    if notify_followers:
        _tell_followers(report, actor=actor, action=action)


def _route(category: Category, lat: float, lng: float) -> dict:
    return {
        "department_id": category.department_id,
        "community_id": community_id_at(lat=lat, lng=lng),
    }


def _photo_seen_before(phash: str, *, lat: float, lng: float, now) -> bool:
    if Photo.objects.filter(phash=phash, kind=Photo.Kind.BEFORE).exists():
        return True
    min_lat, max_lat, min_lng, max_lng = selectors.box(lat, lng, REUSE_RADIUS_M)
    nearby = Photo.objects.filter(
        kind=Photo.Kind.BEFORE,
        report__lat__range=(min_lat, max_lat),
        report__lng__range=(min_lng, max_lng),
        created_at__gte=now - dt.timedelta(days=REUSE_DAYS),
    ).values_list("phash", flat=True)[:2000]
    return any(phash_distance(phash, other) <= REUSE_DISTANCE for other in nearby)


def _text_errors(value: str, *, limit: int) -> list[str]:
    if "\x00" in value:
        return [_("This text contains a character that is not allowed.")]
    if len(value) > limit:
        return [_("Write at most %(n)d characters.") % {"n": limit}]
    return []


def _client_key_errors(client_key: str) -> list[str]:
    if len(client_key) > MAX_CLIENT_KEY or not client_key.isascii() or not client_key.isprintable():
        return [
            _("The idempotency key must be at most %(n)d printable ASCII characters.")
            % {"n": MAX_CLIENT_KEY}
        ]
    return []


def _same_request(report, category, description, lat, lng, processed) -> bool:
    """Whether a retry carrying `report`'s key asks for the same report: same category, text,
    spot and photos (by perceptual hash)."""
    photos = sorted(p.phash for p in report.photos.all() if p.kind == Photo.Kind.BEFORE)
    return (
        report.category_id == category.pk
        and report.description == description
        and abs(report.lat - round(lat, 7)) < 1e-6
        and abs(report.lng - round(lng, 7)) < 1e-6
        and photos == sorted(p.phash for p in processed)
    )


def _check_daily_limit(reporter, now) -> None:
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    limit = settings.REPORTS_DAILY_LIMIT
    if Report.objects.filter(reporter=reporter, created_at__gte=midnight).count() >= limit:
        tomorrow = midnight + dt.timedelta(days=1)
        raise Throttled(
            _(
                "You have sent %(n)d reports today, the daily limit. Thank you — please send more tomorrow."
            )
            % {"n": limit},
            retry_after=max(1, int((tomorrow - local).total_seconds())),
        )


MAX_ADDRESS = 200


def _named_place(name: str) -> tuple[tuple[float, float] | None, list[str]]:
    """The position of a place named by the reporter (a landmark, a station, a community),
    or why it cannot be used."""
    hits = place_selectors.search_places(q=name, limit=6)
    exact = [h for h in hits if h.name == name]
    if exact or len(hits) == 1:
        hit = (exact or hits)[0]
        return (hit.lat, hit.lng), []
    if hits:
        names = "、".join(h.name for h in hits[:5])
        return None, [
            _("Several places match “%(name)s”: %(names)s. Type the whole name.")
            % {"name": name, "names": names}
        ]
    return None, [
        _("No place is called “%(name)s”. Choose the community instead.") % {"name": name}
    ]


def _locate(*, lat, lng, crs, processed, use_photo_location, place, community_code):
    """Where the report is, in WGS-84, and how the reporter said it; or the errors, by field.

    A point (the phone or the map) first; else the photo's GPS if the reporter agreed; else a
    named place; else the centre of the community chosen from the list."""
    if lat is not None and lng is not None:
        if crs not in CRS_CHOICES:
            return None, {"crs": [_("Choose wgs84, gcj02 or bd09.")]}
        try:
            validate_lat_lng(lat, lng)
        except ValueError:
            return None, {"location": [_("This spot is not a place on the map. Pick it again.")]}
        lng, lat = to_wgs84(lng, lat, crs)
        return (lat, lng, LocationSource.POINT), {}
    gps = next((p.gps for p in processed if p.gps), None)
    if use_photo_location and gps:
        return (gps[0], gps[1], LocationSource.PHOTO), {}
    if place:
        point, errors = _named_place(place)
        return ((*point, LocationSource.PLACE), {}) if point else (None, {"place": errors})
    if community_code:
        hit = place_selectors.community_point(code=community_code)
        if hit is None:
            return None, {"community": [_("Choose a community from the list.")]}
        return (hit.lat, hit.lng, LocationSource.COMMUNITY), {}
    return None, {
        "location": [
            _(
                "We need the spot: allow location, pick it on the map, choose the community, "
                "or use the photo's location."
            )
        ]
    }


def report_submit(
    *,
    reporter,
    category: Category | None,
    lat: float | None,
    lng: float | None,
    crs: str = CRS_WGS84,
    description: str = "",
    photos=(),
    use_photo_location: bool = False,
    client_key: str = "",
    media_url: str = "",
    source: str = "app",
    address: str = "",
    place: str = "",
    community_code: str = "",
    now=None,
) -> Submitted:
    """Create a report from what the phone sent; retries with the same client key are safe.

    Where: `lat`/`lng` in `crs` (wgs84, gcj02 or bd09; converted to WGS-84 here), or the
    photo's GPS when `use_photo_location`, or a `place` by name, or a `community_code` from
    the list; `address` is the street address or spot the reporter typed. A point outside the
    city is refused, and nothing is stored."""
    now = now or timezone.now()
    description = (description or "").strip()
    address = (address or "").strip()
    place = (place or "").strip()
    errors: dict[str, list[str]] = {}
    if client_key and (key_errors := _client_key_errors(client_key)):
        raise Invalid(fields={"idempotency_key": key_errors})
    if category is None:
        errors["category"] = [_("Choose what kind of hazard it is.")]
    elif not category.active:
        errors["category"] = [_("This category is no longer in use.")]
    if text_errors := _text_errors(description, limit=MAX_DESCRIPTION):
        errors["description"] = text_errors
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Send at most %(n)d photos.") % {"n": MAX_PHOTOS}]
    if category is not None and category.photo_required and not photos and not media_url:
        errors["photos"] = [_("This category needs a photo.")]
    processed = []
    for upload in photos[:MAX_PHOTOS]:
        try:
            processed.append(process_photo(upload))
        except ImageRejected as exc:
            errors.setdefault("photos", []).append(str(exc))
    if text_errors := _text_errors(address, limit=MAX_ADDRESS):
        errors["address"] = text_errors
    if text_errors := _text_errors(place, limit=40):
        errors["place"] = text_errors
    located, location_errors = _locate(
        lat=lat,
        lng=lng,
        crs=crs,
        processed=processed,
        use_photo_location=use_photo_location,
        place=place,
        community_code=(community_code or "").strip()[:32],
    )
    errors.update(location_errors)
    if located:
        lat, lng, location_source = located
        if problem := place_selectors.check_point(lat=lat, lng=lng):
            errors["location"] = [problem]
    if errors:
        raise Invalid(fields=errors)
    if reporter is not None and client_key:
        existing = Report.objects.filter(reporter=reporter, client_key=client_key).first()
        if existing:  # a retry: the first report, if it is the same request
            if not _same_request(existing, category, description, lat, lng, processed):
                raise IdempotencyKeyReused()
            return Submitted(existing, created=False)
    if reporter is not None:
        _check_daily_limit(reporter, now)

    def create() -> Report:
        report = Report.objects.create(
            reporter=reporter,
            source=source,
            client_key=client_key,
            category=category,
            description=description,
            media_url=media_url,
            lat=round(lat, 7),
            lng=round(lng, 7),
            location_source=location_source,
            address=address,
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
        _tell_queue(report, QUEUED)
        return report

    if reporter is None or not client_key:
        with transaction.atomic():
            return Submitted(create(), created=True)
    # Two retries racing past the check above: the unique (reporter, client_key) lets one win.
    report, created = create_once(
        model=Report, lookup={"reporter": reporter, "client_key": client_key}, create=create
    )
    return Submitted(report, created=created)


# --- Officer steps --------------------------------------------------------------------


def _locked(report_ids) -> dict[int, Report]:
    """The reports, locked for this transaction in id order (so two bulk steps over
    overlapping reports wait for each other instead of deadlocking). Only the report rows are
    locked, not their categories."""
    rows = (
        Report.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=report_ids)
        .order_by("id")
    )
    return {r.pk: r for r in rows}


def _lock(report_id: int) -> Report:
    report = _locked([report_id]).get(report_id)
    if report is None:
        raise NotFound(_("No report has this number."))
    return report


def _check_officer(user, report):
    if not permissions.can_handle(user, report):
        raise NotAllowed(_("This report is not in your queue."))


def _move(report, *, user, to_state, allowed_from, action, note="", notify=True, **changes):
    if report.state not in allowed_from:
        raise Conflict(
            _("This step is not possible for a report that is %(state)s.")
            % {"state": report.get_state_display()}
        )
    from_state = report.state
    report.state = to_state
    for key, value in changes.items():
        setattr(report, key, value)
    report.save()
    _record(
        report, actor=user, action=action, from_state=from_state, note=note, notify_followers=notify
    )
    return report


def _accept(user, report, note=""):
    _check_officer(user, report)
    return _move(
        report,
        user=user,
        to_state=State.ACCEPTED,
        allowed_from=(State.SUBMITTED,),
        action="accepted",
        note=note,
    )


def _note_errors(note: str, *, required_message=None) -> list[str]:
    if required_message and not note.strip():
        return [required_message]
    return _text_errors(note, limit=MAX_DESCRIPTION)


def _clean_note(note: str, required_message=None) -> str:
    note = note or ""
    if errors := _note_errors(note, required_message=required_message):
        raise Invalid(fields={"note": errors})
    return note.strip()


@transaction.atomic
def report_accept(*, user, report_id: int, note: str = "") -> Report:
    note = _clean_note(note)
    return _accept(user, _lock(report_id), note)


def _bulk_ids(report_ids) -> list[int]:
    ids = sorted({int(i) for i in report_ids})
    if len(ids) > MAX_BULK:
        raise Invalid(
            fields={"ids": [_("Choose at most %(n)d reports at once.") % {"n": MAX_BULK}]}
        )
    return ids


@transaction.atomic
def reports_bulk_accept(*, user, report_ids) -> BulkOutcome:
    """Accept the chosen reports in one transaction, locked in id order; each one the officer
    may not accept (not in their queue, already accepted) is left as it is, with the reason."""
    ids = _bulk_ids(report_ids)
    locked = _locked(ids)
    return _each(ids, locked, lambda report: _accept(user, report))


def _each(ids, locked: dict[int, Report], step) -> BulkOutcome:
    """Apply `step` to each locked report in id order; a refusal leaves that report as it is
    (a step checks before it writes) and is kept as its outcome."""
    outcome = BulkOutcome()
    for report_id in ids:
        try:
            if report_id not in locked:
                raise NotFound(_("No report has this number."))
            step(locked[report_id])
        except YizhanError as exc:
            outcome.refused[report_id] = exc
        else:
            outcome.done.append(report_id)
    return outcome


@transaction.atomic
def report_start(*, user, report_id: int, note: str = "") -> Report:
    note = _clean_note(note)
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
    """Mark fixed, with a photo of the fix and a note for the reporter (and the public)."""
    report = _lock(report_id)
    _check_officer(user, report)
    errors = {}
    if note_errors := _note_errors(note or "", required_message=_("Say what was done.")):
        errors["note"] = note_errors
    processed = None
    if after_photo is None:
        errors["after_photo"] = [_("Add a photo of the fixed spot.")]
    else:
        try:
            processed = process_photo(after_photo)
        except ImageRejected as exc:
            errors["after_photo"] = [str(exc)]
    if errors:
        raise Invalid(fields=errors)
    report = _move(
        report,
        user=user,
        to_state=State.RESOLVED,
        allowed_from=(State.ACCEPTED, State.IN_PROGRESS),
        action="resolved",
        note=note.strip(),
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


def _root_id(report_id: int) -> int:
    """Follow a rejected duplicate to the report it was merged into."""
    current = report_id
    for _hop in range(10):
        parent = Report.objects.filter(pk=current).values_list("duplicate_of_id", flat=True).first()
        if parent is None:
            return current
        current = parent
    return current


def _merge_one(*, user, report, original, note="") -> None:
    """Reject `report` as a duplicate of `original` (both locked): its followers now follow the
    original and hear of its fix."""
    _check_officer(user, report)
    if not permissions.can_merge_into(user, report, original):
        raise NotAllowed(
            _(
                "Report #%(original)s is in another queue: a report is merged only into one of "
                "the same community. Transfer it there first."
            )
            % {"original": original.pk}
        )
    _move(
        report,
        user=user,
        to_state=State.REJECTED,
        allowed_from=OPEN_STATES,
        action="rejected",
        note=note or _("Duplicate of report #%(id)s") % {"id": original.pk},
        notify=False,
        reject_reason=RejectReason.DUPLICATE,
        duplicate_of=original,
    )
    users = [f.user for f in report.followers.select_related("user")]
    Follower.objects.bulk_create(
        [Follower(report=original, user=u) for u in users], ignore_conflicts=True
    )
    _record(
        original,
        actor=user,
        action="merged",
        from_state=original.state,
        note=_("Report #%(id)s merged into this one") % {"id": report.pk},
        notify_followers=False,
    )
    notify_many(
        users=users,
        message=MERGED,
        params={"id": report.pk, "original": original.pk},
        url=_url(original),
        verb="report.merged",
    )


def _merge(*, user, original_id: int, duplicate_ids, note="") -> BulkOutcome:
    """Merge duplicates into an original in one transaction, every row locked in id order."""
    root_id = _root_id(int(original_id))
    ids = _bulk_ids([*duplicate_ids, root_id])
    locked = _locked(ids)
    original = locked.get(root_id)
    if original is None or not permissions.can_view(user, original):
        raise Invalid(
            _("No report has the number #%(id)s.") % {"id": original_id}, field="duplicate_of"
        )
    if not permissions.can_handle(user, original):
        raise NotAllowed(
            _("Report #%(id)s is not in your queue: merge only into a report you handle.")
            % {"id": original.pk}
        )
    if original.state == State.REJECTED:
        raise Conflict(
            _("Report #%(id)s was rejected: choose the original report.") % {"id": original.pk}
        )
    return _each(
        [i for i in ids if i != root_id],
        locked,
        lambda report: _merge_one(user=user, report=report, original=original, note=note),
    )


@transaction.atomic
def reports_merge(*, user, original_id: int, duplicate_ids) -> BulkOutcome:
    """Merge the chosen reports into an original (a report of the same queue)."""
    return _merge(
        user=user,
        original_id=original_id,
        duplicate_ids=[i for i in duplicate_ids if int(i) != int(original_id)],
    )


@transaction.atomic
def report_reject(
    *, user, report_id: int, reason: str, note: str = "", duplicate_of_id=None
) -> Report:
    """Not valid (say why), or a duplicate of another report (merged into it)."""
    if reason not in RejectReason.values:
        raise Invalid(fields={"reason": [_("Choose why the report is rejected.")]})
    if reason == RejectReason.DUPLICATE:
        note = _clean_note(note)
        if not duplicate_of_id or int(duplicate_of_id) == int(report_id):
            raise Invalid(fields={"duplicate_of": [_("Give the number of the original report.")]})
        outcome = _merge(
            user=user, original_id=duplicate_of_id, duplicate_ids=[report_id], note=note
        )
        if outcome.refused:
            raise outcome.refused[int(report_id)]
        return Report.objects.get(pk=report_id)
    note = _clean_note(note, _("Say why the report is not valid."))
    report = _lock(report_id)
    _check_officer(user, report)
    return _move(
        report,
        user=user,
        to_state=State.REJECTED,
        allowed_from=OPEN_STATES,
        action="rejected",
        note=note,
        reject_reason=reason,
    )


@transaction.atomic
def report_transfer(
    *, user, report_id: int, note: str, community=None, community_code: str = "", department=None
) -> Report:
    """Not ours: hand the report to another community, a department, or (neither) the city's
    dispatchers. The officers of the new queue are told."""
    note = _clean_note(note, _("Say why the report belongs elsewhere."))
    code = (community_code or "").strip()
    if community is None and code:
        community = community_by_code(code)
        if community is None:
            raise Invalid(fields={"community_code": [_("No community has this code.")]})
    report = _lock(report_id)
    _check_officer(user, report)
    if report.state not in OPEN_STATES:
        raise Conflict(_("Only an open report can be transferred."))
    if department is not None:
        target, changes = department, {"department": department}
    elif community is not None:
        target, changes = community, {"community": community, "department": None}
    else:
        target, changes = _("the city dispatcher"), {"community": None, "department": None}
    report = _move(
        report,
        user=user,
        to_state=State.SUBMITTED,
        allowed_from=OPEN_STATES,
        action="transferred",
        note=f"→ {target}: {note}",
        **changes,
    )
    _tell_queue(report, QUEUED, actor=user)
    return report


# --- Reporter steps -------------------------------------------------------------------


def _announce_verified(report: Report, now) -> None:
    """Publish "report.verified" the first time a valid report closes (at most once)."""
    if report.photo_reused:
        return  # a recycled photo earns nothing; the officer saw the flag
    claimed = Report.objects.filter(pk=report.pk, verified_at=None).update(verified_at=now)
    if claimed:
        payload = ReportVerified(
            report_id=report.pk, reporter_id=report.reporter_id, category=report.category.code
        )
        events.publish(REPORT_VERIFIED, **payload)


def _check_reporter(user, report) -> None:
    if not permissions.can_confirm_or_reopen(user, report):
        raise NotAllowed(_("Only the person who sent the report may do this."))


@transaction.atomic
def report_confirm(*, user, report_id: int, now=None) -> Report:
    now = now or timezone.now()
    report = _lock(report_id)
    _check_reporter(user, report)
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
    _check_reporter(user, report)
    if report.state not in (State.RESOLVED, State.CLOSED):
        raise Conflict(_("Only a resolved or closed report can be reopened."))
    days = settings.REPORTS_AUTOCLOSE_DAYS
    since = report.resolved_at or report.closed_at
    if since and now - since > dt.timedelta(days=days):
        raise Conflict(
            _("A report can be reopened within %(days)d days of its fix.") % {"days": days}
        )
    note = _clean_note(note, _("Say what is still wrong."))
    report = _move(
        report,
        user=user,
        to_state=State.ACCEPTED,
        allowed_from=(State.RESOLVED, State.CLOSED),
        action="reopened",
        note=note,
        closed_at=None,
        due_at=_due_at(report.category, now),
    )
    _tell_queue(report, REOPENED)
    return report


def report_follow(*, user, report_id: int) -> bool:
    """Follow a public report (a worker who saw the same hazard); True if newly following."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None or not permissions.can_view(user, report):
        raise NotFound(_("No report has this number."))
    if not permissions.can_follow(user, report):
        raise NotAllowed(_("Only workers can follow a report that is open to the public."))
    _follower, created = Follower.objects.get_or_create(report=report, user=user)
    return created


def reports_autoclose(*, now=None) -> int:
    """Close reports resolved more than 7 days ago that nobody confirmed (claimed one by one)."""
    now = now or timezone.now()
    days = settings.REPORTS_AUTOCLOSE_DAYS
    cutoff = now - dt.timedelta(days=days)
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
                note=_("Closed automatically %(days)d days after the fix") % {"days": days},
            )
            _announce_verified(report, now)
            closed += 1
    return closed


# --- Open311 partner keys -----------------------------------------------------------------


def open311_key_create(*, name: str) -> str:
    """A new API key for a partner system; only its hash is stored, so it is shown once."""
    name = (name or "").strip()
    if not name or "\x00" in name or len(name) > 80:
        raise Invalid(fields={"name": [_("Give the partner a name of at most 80 characters.")]})
    if Open311Key.objects.filter(name=name).exists():
        raise Conflict(_("A key with this name exists already."))
    key = "o311_" + secrets.token_urlsafe(24)
    Open311Key.objects.create(name=name, digest=selectors.open311_key_digest(key), prefix=key[:8])
    return key


def open311_key_revoke(*, name: str) -> bool:
    return bool(Open311Key.objects.filter(name=name).update(active=False))


# --- The person's data (PIPL erasure) ---------------------------------------------------------


@transaction.atomic
def personal_data_erase(user) -> int:
    """Detach the person from what they reported and clear what they wrote; the reports stay,
    anonymous, with their photos of the public space (the hazard was real, the fix was made).
    Idempotent: a second run finds nothing left to change."""
    mine = Report.objects.filter(reporter=user)
    report_ids = list(mine.values_list("id", flat=True))
    # What they wrote when reopening ("still broken, the cover is gone") is their own text.
    touched = (
        ReportEvent.objects.filter(report_id__in=report_ids, actor=user, action="reopened")
        .exclude(note="")
        .update(note="")
    )
    touched += ReportEvent.objects.filter(report_id__in=report_ids, actor=user).update(actor=None)
    touched += mine.update(reporter=None, description="", client_key="")
    touched += Follower.objects.filter(user=user).delete()[0]
    return touched
