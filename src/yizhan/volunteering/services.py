"""Volunteer services, top to bottom: teams enrol workers as volunteers with their
credentials and availability; community staff and the coordinator register beneficiaries
(with consent) and book rides, standing rides, exam escorts and meals; the coordinator plans a
day with OR-Tools, pins or overrides, publishes; volunteers accept or decline (a decline
re-plans that trip), pick up, drop off; the beneficiary confirms by SMS reply or the
coordinator records the phone call; a confirmed trip becomes service hours, once, and the
points bank pays for them (`volunteer.hours_logged`).

Every function is one use case in one transaction, with keyword-only arguments; refusals
are `core.errors`.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac
import math
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role, has_role
from yizhan.core import events, idempotency
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.geo import CRS_CHOICES, to_wgs84
from yizhan.core.notifications import notify, notify_many, sms_to_number
from yizhan.core.pii import blind_index
from yizhan.core.validators import validate_mobile
from yizhan.volunteering import dispatch, permissions, planning
from yizhan.volunteering.models import (
    Availability,
    Beneficiary,
    Campaign,
    Credential,
    Duty,
    ExamSession,
    ExamSite,
    HoursRecord,
    MealCentre,
    MealConfirmation,
    MealSubscription,
    Membership,
    Plan,
    Request,
    StandingRide,
    Team,
    Trip,
    TripEvent,
    Volunteer,
)
from yizhan.volunteering.travel import DEFAULT, handling_minutes

BOOKING_LEAD = dt.timedelta(hours=2)  # book at least two hours ahead unless urgent
MEAL_CONFIRM_BY = dt.time(9, 0)
HOURS_MARGIN_MIN = 30  # actual time counts up to the plan plus this margin
URGENT_RADIUS_KM = (3.0, 10.0)  # offer within 3 km first, then within 10 km
URGENT_OFFERS = 3
CONFIRM_WINDOW = dt.timedelta(hours=48)
TEXT_MAX = 200


# --- small helpers ----------------------------------------------------------------------------


def _require_coordinator(user) -> None:
    if not permissions.is_coordinator(user):
        raise NotAllowed()


def _text(value, field: str, *, required=False, limit=TEXT_MAX) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise Invalid(_("Remove the invisible characters."), field=field)
    if required and not value:
        raise Invalid(_("This field is required."), field=field)
    if len(value) > limit:
        raise Invalid(_("Keep it under %(n)s characters.") % {"n": limit}, field=field)
    return value


def _mobile(value, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return validate_mobile(value)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], field=field) from None


def _point_in_city(lat, lng, crs: str, field: str):
    """WGS-84 (lat, lng) and the community that holds it, or Invalid naming the field."""
    from yizhan.places.selectors import community_at

    try:
        lat, lng = float(lat), float(lng)
        if not (
            math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180
        ):
            raise ValueError
        if crs not in CRS_CHOICES:
            raise ValueError
    except (TypeError, ValueError):
        raise Invalid(_("Give a valid position."), field=field) from None
    lng, lat = to_wgs84(lng, lat, crs)
    community = community_at(lat=lat, lng=lng)
    if community is None:
        raise Invalid(_("This address is outside the city."), field=field)
    return round(lat, 6), round(lng, 6), community


def _record(trip: Trip, status: str, actor=None, note: str = "") -> None:
    TripEvent.objects.create(trip=trip, status=status, actor=actor, note=note[:200])


def _move(trip: Trip, *, frm, to: str, actor=None, note="", **fields) -> Trip:
    """A conditional update: the step happens only from the expected state (the row count
    says who won a race), and leaves a history row."""
    frm = (frm,) if isinstance(frm, str) else tuple(frm)
    changed = Trip.objects.filter(pk=trip.pk, status__in=frm).update(status=to, **fields)
    if not changed:
        raise Conflict(_("This trip changed a moment ago. Reload and try again."))
    trip.refresh_from_db()
    _record(trip, to, actor, note)
    return trip


def volunteer_of(user) -> Volunteer:
    volunteer = Volunteer.objects.filter(user=user).first() if user.is_authenticated else None
    if volunteer is None or not has_role(user, Role.WORKER):
        raise NotAllowed(_("Only volunteers enrolled in a team can do this."))
    return volunteer


# --- Teams, volunteers, credentials -----------------------------------------------------------


@transaction.atomic
def team_create(
    *,
    by,
    name: str,
    kind: str,
    parties: str = "",
    starts=None,
    ends=None,
    scope: str = "",
    agreement_file=None,
) -> Team:
    _require_coordinator(by)
    name = _text(name, "name", required=True, limit=80)
    if kind not in Team.Kind.values:
        raise Invalid(_("Choose a kind of team."), field="kind")
    if starts and ends and ends < starts:
        raise Invalid(_("The agreement must end after it starts."), field="agreement_ends")
    if agreement_file is not None and agreement_file.size > 10 * 1024 * 1024:
        raise Invalid(_("The signed agreement must be under 10 MB."), field="agreement_file")
    if Team.objects.filter(name=name).exists():
        raise Invalid(_("A team with this name exists."), field="name")
    team = Team(
        name=name,
        kind=kind,
        agreement_parties=_text(parties, "agreement_parties"),
        agreement_starts=starts,
        agreement_ends=ends,
        agreement_scope=_text(scope, "agreement_scope", limit=300),
    )
    if agreement_file is not None:
        team.agreement_file.save(
            f"agreement-{secrets.token_hex(8)}.pdf", agreement_file, save=False
        )
    team.save()
    return team


@transaction.atomic
def volunteer_enrol(
    *, by, user, team: Team, leader: bool = False, home=None, station=None
) -> Volunteer:
    """A worker joins a team (and becomes a volunteer if they were not one)."""
    _require_coordinator(by)
    if not has_role(user, Role.WORKER):
        raise Invalid(_("Only registered workers can volunteer."), field="user")
    volunteer, _created = Volunteer.objects.get_or_create(user=user)
    if home is not None:
        lat, lng, _c = _point_in_city(home[0], home[1], "wgs84", "home")
        volunteer.home = f"{lat},{lng}"
    if station is not None:
        volunteer.station = station
    volunteer.save()
    Membership.objects.update_or_create(team=team, volunteer=volunteer, defaults={"leader": leader})
    return volunteer


@transaction.atomic
def volunteer_set_home(*, user, lat, lng, crs: str = "wgs84") -> Volunteer:
    volunteer = volunteer_of(user)
    lat, lng, _c = _point_in_city(lat, lng, crs, "home")
    volunteer.home = f"{lat},{lng}"
    volunteer.save(update_fields=["home"])
    return volunteer


@transaction.atomic
def credential_record(
    *,
    by,
    volunteer: Volunteer,
    kind: str,
    valid_until: dt.date,
    licence_class: str = "",
    plate: str = "",
    seats: int = 0,
    wheelchair: bool = False,
    inspected_on=None,
) -> Credential:
    _require_coordinator(by)
    if kind not in Credential.Kind.values:
        raise Invalid(_("Choose a kind of credential."), field="kind")
    if not isinstance(valid_until, dt.date):
        raise Invalid(_("Give the expiry date."), field="valid_until")
    if kind == Credential.Kind.VEHICLE:
        if not (isinstance(seats, int) and 1 <= seats <= 8):
            raise Invalid(_("A car offers 1 to 8 passenger seats."), field="seats")
        _text(plate, "plate", required=True, limit=12)
    return Credential.objects.create(
        volunteer=volunteer,
        kind=kind,
        valid_until=valid_until,
        licence_class=_text(licence_class, "licence_class", limit=4),
        plate=(plate or "").strip().upper(),
        seats=seats if kind == Credential.Kind.VEHICLE else 0,
        wheelchair=bool(wheelchair) and kind == Credential.Kind.VEHICLE,
        inspected_on=inspected_on,
        recorded_by=by,
    )


# --- Availability ------------------------------------------------------------------------------


def _overlaps(volunteer: Volunteer, candidate: Availability) -> bool:
    others = volunteer.availability.exclude(pk=candidate.pk)
    if candidate.kind == Availability.Kind.WEEKLY:
        return others.filter(
            kind=Availability.Kind.WEEKLY,
            weekday=candidate.weekday,
            starts__lt=candidate.ends,
            ends__gt=candidate.starts,
        ).exists()
    return others.filter(
        kind__in=[Availability.Kind.ONCE, Availability.Kind.FREE_NOW],
        starts_at__lt=candidate.ends_at,
        ends_at__gt=candidate.starts_at,
    ).exists()


@transaction.atomic
def availability_add(
    *,
    user,
    kind: str,
    weekday=None,
    starts=None,
    ends=None,
    starts_at=None,
    ends_at=None,
    volunteer: Volunteer | None = None,
) -> Availability:
    """A weekly window (weekday, from, to) or a one-off one (from, to). Windows of one kind
    never overlap: the planner would not know which to believe."""
    volunteer = _locked_volunteer(user, volunteer)
    if kind == Availability.Kind.WEEKLY:
        _check_weekly(weekday, starts, ends)
        slot = Availability(
            volunteer=volunteer, kind=kind, weekday=weekday, starts=starts, ends=ends
        )
    elif kind == Availability.Kind.ONCE:
        if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
            raise Invalid(_("Give both times."), field="starts_at")
        if ends_at <= starts_at:
            raise Invalid(_("The window must end after it starts."), field="ends_at")
        if ends_at - starts_at > dt.timedelta(hours=16):
            raise Invalid(_("A one-off window lasts at most 16 hours."), field="ends_at")
        if ends_at <= timezone.now():
            raise Invalid(_("This window is already over."), field="ends_at")
        slot = Availability(volunteer=volunteer, kind=kind, starts_at=starts_at, ends_at=ends_at)
    else:
        raise Invalid(_("Choose weekly or one-off."), field="kind")
    if _overlaps(volunteer, slot):
        raise Invalid(
            _("This window overlaps one you already gave."),
            field="ends" if kind == "weekly" else "ends_at",
        )
    slot.save()
    return slot


def _locked_volunteer(user, volunteer: Volunteer | None) -> Volunteer:
    """The user's own volunteer record, or another's for a coordinator; locked, so one
    writer at a time changes its windows."""
    if volunteer is None:
        volunteer = volunteer_of(user)
    elif not permissions.is_coordinator(user) and volunteer.user_id != user.pk:
        raise NotAllowed()
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    return volunteer


def _check_weekly(weekday, starts, ends) -> None:
    if weekday not in range(7):
        raise Invalid(_("Choose a day of the week."), field="weekday")
    if not isinstance(starts, dt.time) or not isinstance(ends, dt.time):
        raise Invalid(_("Give both times."), field="starts")
    if ends <= starts:
        raise Invalid(_("The window must end after it starts."), field="ends")


@transaction.atomic
def availability_add_weekly(
    *, user, windows: list[tuple[int, dt.time, dt.time]], volunteer: Volunteer | None = None
) -> list[Availability]:
    """Several weekly windows (weekday, from, to) at once, as a volunteer's week is given at
    enrolment: the same rules as `availability_add` (each window checked, none overlapping
    another or one already given), one overlap query and one INSERT instead of three
    statements a window. Nothing is saved unless every window is right."""
    volunteer = _locked_volunteer(user, volunteer)
    taken = [
        (a.weekday, a.starts, a.ends)
        for a in volunteer.availability.filter(kind=Availability.Kind.WEEKLY)
    ]
    slots = []
    for weekday, starts, ends in windows:
        _check_weekly(weekday, starts, ends)
        if any(day == weekday and s < ends and e > starts for day, s, e in taken):
            raise Invalid(_("This window overlaps one you already gave."), field="ends")
        taken.append((weekday, starts, ends))
        slots.append(
            Availability(
                volunteer=volunteer,
                kind=Availability.Kind.WEEKLY,
                weekday=weekday,
                starts=starts,
                ends=ends,
            )
        )
    return Availability.objects.bulk_create(slots)


@transaction.atomic
def availability_remove(*, user, availability_id: int) -> None:
    slot = Availability.objects.filter(pk=availability_id, volunteer__user=user).first()
    if slot is None:
        raise NotFound()
    slot.delete()


@transaction.atomic
def free_now(*, user, minutes: int = 60, lat=None, lng=None, crs: str = "wgs84") -> Availability:
    """A rider's break (小休): free for the next hour, optionally saying where they are."""
    volunteer = volunteer_of(user)
    if not isinstance(minutes, int) or not 15 <= minutes <= 180:
        raise Invalid(_("Between 15 and 180 minutes."), field="minutes")
    now = timezone.now().replace(microsecond=0)
    if lat is not None and lng is not None:
        lat, lng, _c = _point_in_city(lat, lng, crs, "lat")
    else:
        lat = lng = None
    volunteer.availability.filter(kind=Availability.Kind.FREE_NOW, ends_at__gt=now).delete()
    clash = volunteer.availability.filter(
        kind=Availability.Kind.ONCE,
        starts_at__lt=now + dt.timedelta(minutes=minutes),
        ends_at__gt=now,
    ).exists()
    if clash:
        raise Invalid(_("You already said you are free at this time."), field="minutes")
    return Availability.objects.create(
        volunteer=volunteer,
        kind=Availability.Kind.FREE_NOW,
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=minutes),
        lat=lat,
        lng=lng,
    )


# --- Beneficiaries ----------------------------------------------------------------------------


@transaction.atomic
def beneficiary_register(
    *,
    by,
    kind: str,
    name: str,
    address: str,
    lat,
    lng,
    consent: bool,
    consent_note: str = "",
    crs: str = "wgs84",
    mobile: str = "",
    wheelchair: bool = False,
    companion: bool = False,
    contact_name: str = "",
    contact_mobile: str = "",
    health_note: str = "",
    diet_note: str = "",
) -> Beneficiary:
    """Community staff or the coordinator register someone, with their recorded consent."""
    if not permissions.can_register_beneficiaries(by):
        raise NotAllowed()
    errors: dict[str, list] = {}

    def check(field, fn):
        try:
            return fn()
        except Invalid as exc:
            errors.update(exc.fields)
            return None

    if not consent:
        errors["consent"] = [_("Record the person's consent first: without it nothing is stored.")]
    if kind not in Beneficiary.Kind.values:
        errors["kind"] = [_("Choose who this is.")]
    name = check("name", lambda: _text(name, "name", required=True, limit=40))
    address = check("address", lambda: _text(address, "address", required=True))
    mobile = check("mobile", lambda: _mobile(mobile, "mobile"))
    contact_mobile = check("contact_mobile", lambda: _mobile(contact_mobile, "contact_mobile"))
    where = check("address", lambda: _point_in_city(lat, lng, crs, "address"))
    notes = {
        f: check(f, lambda f=f, v=v: _text(v, f))
        for f, v in (
            ("contact_name", contact_name),
            ("health_note", health_note),
            ("diet_note", diet_note),
            ("consent_note", consent_note),
        )
    }
    if not mobile and not contact_mobile and "mobile" not in errors:
        errors["mobile"] = [_("Give the person's mobile or a contact's: confirmations go there.")]
    if where and not permissions.can_register_in(by, where[2].pk):
        errors["address"] = [_("This address is outside your community.")]
    if errors:
        raise Invalid(fields=errors)
    lat, lng, community = where
    return Beneficiary.objects.create(
        kind=kind,
        name=name,
        mobile=mobile,
        mobile_index=blind_index(mobile) if mobile else "",
        address=address,
        home=f"{lat},{lng}",
        community=community,
        wheelchair=bool(wheelchair),
        companion=bool(companion),
        contact_name=notes["contact_name"],
        contact_mobile=contact_mobile,
        contact_index=blind_index(contact_mobile) if contact_mobile else "",
        health_note=notes["health_note"],
        diet_note=notes["diet_note"],
        consent_at=timezone.now(),
        consent_note=notes["consent_note"] or str(_("Consent given to the registering officer")),
        registered_by=by,
    )


def _erase_beneficiary(b: Beneficiary) -> int:
    """Clear what identifies the person; keep the trips' times for the hours already served,
    with places blurred to about a kilometre. Future requests are cancelled."""
    if b.erased_at is not None:
        return 0
    now = timezone.now()
    home = b.home_point
    open_requests = b.requests.filter(status__in=planning.PLANNABLE)
    Trip.objects.filter(request__in=open_requests, status__in=Trip.OPEN).update(
        status=Trip.Status.CANCELLED
    )
    open_requests.update(status=Request.Status.CANCELLED)
    for r in b.requests.all():
        r.pickup_lat, r.pickup_lng = round(r.pickup_lat, 2), round(r.pickup_lng, 2)
        r.dropoff_lat, r.dropoff_lng = round(r.dropoff_lat, 2), round(r.dropoff_lng, 2)
        if home and (r.pickup_label == b.address or r.pickup_label.startswith(b.address[:10])):
            r.pickup_label = "—"
        if home and r.dropoff_label == b.address:
            r.dropoff_label = "—"
        r.ticket = ""
        r.save()
    b.meals.update(active=False)
    b.standing_rides.update(ends_on=timezone.localdate(now) - dt.timedelta(days=1))
    Beneficiary.objects.filter(pk=b.pk).update(
        name="—",
        mobile="",
        mobile_index="",
        address="",
        home="",
        contact_name="",
        contact_mobile="",
        contact_index="",
        health_note="",
        diet_note="",
        erased_at=now,
        user=None,
    )
    return 1 + b.requests.count()


@transaction.atomic
def beneficiary_erase(*, by, beneficiary: Beneficiary) -> int:
    """The person (or their family) asks to be forgotten; staff who may see them do it."""
    if not permissions.can_view_beneficiary(by, beneficiary):
        raise NotAllowed()
    return _erase_beneficiary(beneficiary)


# --- Requests ---------------------------------------------------------------------------------


def _check_window(earliest, latest, *, urgent: bool, now=None) -> None:
    if not isinstance(earliest, dt.datetime) or timezone.is_naive(earliest):
        raise Invalid(_("Give the earliest pick-up time."), field="earliest")
    if not isinstance(latest, dt.datetime) or timezone.is_naive(latest):
        raise Invalid(_("Give the latest drop-off time."), field="latest")
    if latest <= earliest:
        raise Invalid(_("The latest drop-off must be after the earliest pick-up."), field="latest")
    if latest - earliest > dt.timedelta(hours=12):
        raise Invalid(_("A window lasts at most 12 hours."), field="latest")
    now = now or timezone.now()
    if not urgent and earliest < now + BOOKING_LEAD:
        raise Invalid(
            _("Book at least 2 hours ahead, or mark the request urgent."), field="earliest"
        )
    if urgent and latest < now:
        raise Invalid(_("This window is already over."), field="latest")


def _check_ride_fits(pickup, dropoff, earliest, latest, *, wheelchair: bool, max_ride: int) -> None:
    ride = DEFAULT.minutes(pickup, dropoff)
    if ride > max_ride:
        raise Invalid(
            _("The direct ride takes %(m)s minutes, more than the maximum of %(max)s.")
            % {"m": ride, "max": max_ride},
            field="dropoff",
        )
    if earliest + dt.timedelta(minutes=ride + handling_minutes(wheelchair=wheelchair)) > latest:
        raise Invalid(_("The window is too short for the ride itself."), field="latest")


def _new_request(
    *,
    by,
    beneficiary,
    kind,
    channel,
    pickup,
    pickup_label,
    dropoff,
    dropoff_label,
    earliest,
    latest,
    appointment_at=None,
    urgent=False,
    note="",
    standing=None,
    session=None,
    centre=None,
    ticket="",
    client_key="",
    passengers=None,
    max_ride=60,
) -> Request:
    wheelchair = beneficiary.wheelchair if kind != Request.Kind.MEAL else False
    return Request.objects.create(
        kind=kind,
        channel=channel,
        beneficiary=beneficiary,
        standing=standing,
        session=session,
        centre=centre,
        pickup_label=pickup_label[:120],
        pickup_lat=pickup[0],
        pickup_lng=pickup[1],
        dropoff_label=dropoff_label[:120],
        dropoff_lat=dropoff[0],
        dropoff_lng=dropoff[1],
        earliest=earliest,
        latest=latest,
        appointment_at=appointment_at,
        passengers=passengers if passengers is not None else beneficiary.passengers,
        wheelchair=wheelchair,
        max_ride_minutes=max_ride,
        urgent=urgent,
        note=note,
        ticket=ticket,
        booked_by=by,
        client_key=client_key,
    )


def _channel_of(by) -> str:
    return Request.Channel.PHONE if permissions.is_coordinator(by) else Request.Channel.COMMUNITY


def ride_book(
    *,
    by,
    beneficiary: Beneficiary,
    dropoff_label: str,
    dropoff_lat,
    dropoff_lng,
    earliest,
    latest,
    appointment_at=None,
    return_earliest=None,
    urgent: bool = False,
    note: str = "",
    crs: str = "wgs84",
    to_home: bool = False,
    max_ride_minutes: int = 60,
    key: str = "",
) -> Request:
    """A one-off free ride from home (or, with `to_home`, from the given place home), with a
    return ride when `return_earliest` is given. Retry-safe with `key`."""
    if key:
        key = idempotency.clean_key(key)
        found, _created = idempotency.create_once(
            model=Request,
            lookup={"booked_by": by, "client_key": key},
            create=lambda: _ride_book(
                by=by,
                beneficiary=beneficiary,
                dropoff_label=dropoff_label,
                dropoff_lat=dropoff_lat,
                dropoff_lng=dropoff_lng,
                earliest=earliest,
                latest=latest,
                appointment_at=appointment_at,
                return_earliest=return_earliest,
                urgent=urgent,
                note=note,
                crs=crs,
                to_home=to_home,
                max_ride_minutes=max_ride_minutes,
                key=key,
            ),
        )
        return found
    return _ride_book(
        by=by,
        beneficiary=beneficiary,
        dropoff_label=dropoff_label,
        dropoff_lat=dropoff_lat,
        dropoff_lng=dropoff_lng,
        earliest=earliest,
        latest=latest,
        appointment_at=appointment_at,
        return_earliest=return_earliest,
        urgent=urgent,
        note=note,
        crs=crs,
        to_home=to_home,
        max_ride_minutes=max_ride_minutes,
        key="",
    )


@transaction.atomic
def _ride_book(
    *,
    by,
    beneficiary,
    dropoff_label,
    dropoff_lat,
    dropoff_lng,
    earliest,
    latest,
    appointment_at,
    return_earliest,
    urgent,
    note,
    crs,
    to_home,
    max_ride_minutes,
    key,
):
    if not permissions.can_book_for(by, beneficiary):
        raise NotAllowed()
    label = _text(dropoff_label, "dropoff_label", required=True, limit=120)
    note = _text(note, "note")
    lat, lng, _c = _point_in_city(dropoff_lat, dropoff_lng, crs, "dropoff")
    if not isinstance(max_ride_minutes, int) or not 10 <= max_ride_minutes <= 180:
        raise Invalid(_("Between 10 and 180 minutes."), field="max_ride_minutes")
    _check_window(earliest, latest, urgent=urgent)
    home, place = beneficiary.home_point, (lat, lng)
    pickup, dropoff = (place, home) if to_home else (home, place)
    p_label, d_label = (label, beneficiary.address) if to_home else (beneficiary.address, label)
    _check_ride_fits(
        pickup,
        dropoff,
        earliest,
        latest,
        wheelchair=beneficiary.wheelchair,
        max_ride=max_ride_minutes,
    )
    request = _new_request(
        by=by,
        beneficiary=beneficiary,
        kind=Request.Kind.RIDE,
        channel=_channel_of(by),
        pickup=pickup,
        pickup_label=p_label,
        dropoff=dropoff,
        dropoff_label=d_label,
        earliest=earliest,
        latest=latest,
        appointment_at=appointment_at,
        urgent=urgent,
        note=note,
        client_key=key,
        max_ride=max_ride_minutes,
    )
    if return_earliest is not None:
        if not isinstance(return_earliest, dt.datetime) or return_earliest < latest:
            raise Invalid(
                _("The return ride starts after the first one ends."), field="return_earliest"
            )
        back = _new_request(
            by=by,
            beneficiary=beneficiary,
            kind=Request.Kind.RIDE,
            channel=request.channel,
            pickup=dropoff,
            pickup_label=d_label,
            dropoff=pickup,
            dropoff_label=p_label,
            earliest=return_earliest,
            latest=return_earliest + dt.timedelta(hours=2),
            note=note,
            max_ride=max_ride_minutes,
        )
        back.return_of = request
        back.save(update_fields=["return_of"])
    return request


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


@transaction.atomic
def standing_ride_book(
    *,
    by,
    beneficiary: Beneficiary,
    dropoff_label: str,
    dropoff_lat,
    dropoff_lng,
    weekdays,
    appointment: dt.time,
    starts_on: dt.date,
    days: int = 30,
    return_at: dt.time | None = None,
    lead_minutes: int = 60,
    crs: str = "wgs84",
) -> StandingRide:
    """A standing ride (dialysis Tue/Thu/Sat 07:30 for 30 days): one request per session,
    arriving by the appointment, and a ride home at `return_at`."""
    if not permissions.can_book_for(by, beneficiary):
        raise NotAllowed()
    label = _text(dropoff_label, "dropoff_label", required=True, limit=120)
    lat, lng, _c = _point_in_city(dropoff_lat, dropoff_lng, crs, "dropoff")
    weekdays = sorted({int(w) for w in weekdays if str(w).strip().isdigit() and 0 <= int(w) <= 6})
    if not weekdays:
        raise Invalid(_("Choose at least one day of the week."), field="weekdays")
    if not isinstance(days, int) or not 1 <= days <= 92:
        raise Invalid(_("A standing ride runs 1 to 92 days."), field="days")
    if not isinstance(appointment, dt.time):
        raise Invalid(_("Give the appointment time."), field="appointment")
    if return_at is not None and return_at <= appointment:
        raise Invalid(_("The ride home starts after the appointment."), field="return_at")
    ends_on = starts_on + dt.timedelta(days=days - 1)
    standing = StandingRide.objects.create(
        beneficiary=beneficiary,
        weekdays=",".join(map(str, weekdays)),
        appointment=appointment,
        starts_on=starts_on,
        ends_on=ends_on,
        return_at=return_at,
        booked_by=by,
    )
    home, place = beneficiary.home_point, (lat, lng)
    made = 0
    day = starts_on
    while day <= ends_on:
        latest = _local(day, appointment)
        earliest = latest - dt.timedelta(minutes=lead_minutes)
        if day.weekday() in weekdays and earliest >= timezone.now() + BOOKING_LEAD:
            _check_ride_fits(
                home, place, earliest, latest, wheelchair=beneficiary.wheelchair, max_ride=60
            )
            there = _new_request(
                by=by,
                beneficiary=beneficiary,
                kind=Request.Kind.RIDE,
                channel=_channel_of(by),
                pickup=home,
                pickup_label=beneficiary.address,
                dropoff=place,
                dropoff_label=label,
                earliest=earliest,
                latest=latest,
                appointment_at=latest,
                standing=standing,
            )
            made += 1
            if return_at is not None:
                back_from = _local(day, return_at)
                back = _new_request(
                    by=by,
                    beneficiary=beneficiary,
                    kind=Request.Kind.RIDE,
                    channel=there.channel,
                    pickup=place,
                    pickup_label=label,
                    dropoff=home,
                    dropoff_label=beneficiary.address,
                    earliest=back_from,
                    latest=back_from + dt.timedelta(minutes=90),
                    standing=standing,
                )
                back.return_of = there
                back.save(update_fields=["return_of"])
        day += dt.timedelta(days=1)
    if not made:
        raise Invalid(
            _("No session falls in these days at least 2 hours from now."), field="weekdays"
        )
    return standing


@transaction.atomic
def request_cancel(*, by, request: Request, reason: str = "") -> Request:
    if not permissions.can_book_for(by, request.beneficiary):
        raise NotAllowed()
    if request.status in (Request.Status.DONE, Request.Status.CANCELLED):
        raise Conflict(_("This request is already closed."))
    for trip in request.trips.filter(status__in=Trip.OPEN):
        _move(trip, frm=trip.status, to=Trip.Status.CANCELLED, actor=by, note=reason)
        if trip.status != Trip.Status.PLANNED:
            notify(
                user=trip.volunteer.user,
                message=_("Trip on %(when)s was cancelled."),
                params={"when": _when(trip.pickup_at)},
                url=_trip_url(trip),
                verb="volunteering.cancelled",
                sms=True,
            )
    request.status = Request.Status.CANCELLED
    request.note = (request.note + " " + _text(reason, "reason"))[:200].strip()
    request.save(update_fields=["status", "note"])
    return request


@transaction.atomic
def request_pin(*, by, request: Request, volunteer: Volunteer | None) -> Request:
    """The coordinator's override: only this volunteer may take the request (None unpins).
    Refused when the volunteer lacks what the request needs."""
    _require_coordinator(by)
    if volunteer is not None:
        missing = planning.missing_for(volunteer, request, timezone.localdate(request.earliest))
        if missing:
            raise Invalid(
                _("This volunteer lacks what the request needs: %(what)s.")
                % {"what": "、".join(missing)},
                field="volunteer",
            )
    if request.trips.filter(status__in=Trip.ACTIVE).exclude(volunteer=volunteer).exists():
        raise Conflict(_("A volunteer has already accepted this request."))
    request.pinned = volunteer
    request.save(update_fields=["pinned"])
    return request


# --- Exam escort campaigns --------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, by, name: str, starts_on: dt.date, ends_on: dt.date) -> Campaign:
    _require_coordinator(by)
    if ends_on < starts_on:
        raise Invalid(_("The campaign must end after it starts."), field="ends_on")
    return Campaign.objects.create(
        name=_text(name, "name", required=True, limit=80), starts_on=starts_on, ends_on=ends_on
    )


@transaction.atomic
def exam_site_add(
    *, by, campaign: Campaign, name: str, lat, lng, standby_cars: int = 1
) -> ExamSite:
    _require_coordinator(by)
    lat, lng, _c = _point_in_city(lat, lng, "wgs84", "lat")
    return ExamSite.objects.create(
        campaign=campaign,
        name=_text(name, "name", required=True, limit=80),
        lat=lat,
        lng=lng,
        standby_cars=max(0, min(int(standby_cars), 20)),
    )


@transaction.atomic
def exam_session_add(
    *, by, site: ExamSite, starts_at: dt.datetime, subject: str = ""
) -> ExamSession:
    _require_coordinator(by)
    if not site.campaign.starts_on <= timezone.localdate(starts_at) <= site.campaign.ends_on:
        raise Invalid(_("The session falls outside the campaign's days."), field="starts_at")
    return ExamSession.objects.create(
        site=site, starts_at=starts_at, subject=_text(subject, "subject", limit=40)
    )


@transaction.atomic
def exam_escort_book(*, by, student: Beneficiary, session: ExamSession, ticket: str) -> Request:
    """A student's ride to the exam: at the gate 30 minutes before the session."""
    if not permissions.can_book_for(by, student):
        raise NotAllowed()
    ticket = _text(ticket, "ticket", required=True, limit=20)
    latest = session.starts_at - dt.timedelta(minutes=30)
    earliest = latest - dt.timedelta(minutes=60)
    _check_window(earliest, latest, urgent=False)
    site = session.site
    _check_ride_fits(
        student.home_point,
        (site.lat, site.lng),
        earliest,
        latest,
        wheelchair=student.wheelchair,
        max_ride=60,
    )
    return _new_request(
        by=by,
        beneficiary=student,
        kind=Request.Kind.EXAM,
        channel=Request.Channel.CAMPAIGN,
        pickup=student.home_point,
        pickup_label=student.address,
        dropoff=(site.lat, site.lng),
        dropoff_label=site.name,
        earliest=earliest,
        latest=latest,
        appointment_at=session.starts_at,
        session=session,
        ticket=ticket,
        passengers=2 if student.companion else 1,
    )


@transaction.atomic
def standby_assign(*, by, site: ExamSite, volunteer: Volunteer, backup: bool = False) -> list[Duty]:
    """A car stands by at the site through each session (or is the site's backup car)."""
    _require_coordinator(by)
    sessions = list(site.sessions.all())
    if not sessions:
        raise Invalid(_("Add the site's sessions first."), field="site")
    day = timezone.localdate(sessions[0].starts_at)
    if dispatch.DRIVE not in planning.capability(volunteer, day).can:
        raise Invalid(
            _("This volunteer lacks what the request needs: %(what)s.")
            % {"what": _("a car and a driving licence")},
            field="volunteer",
        )
    kind = Duty.Kind.BACKUP if backup else Duty.Kind.STANDBY
    if backup:
        site.backup = volunteer
        site.save(update_fields=["backup"])
    duties = []
    for s in sessions:
        duty, _c = Duty.objects.get_or_create(
            site=site,
            volunteer=volunteer,
            kind=kind,
            starts_at=s.starts_at - dt.timedelta(minutes=60),
            defaults={"ends_at": s.starts_at + dt.timedelta(minutes=150)},
        )
        duties.append(duty)
    return duties


@transaction.atomic
def rehearsal_schedule(*, by, campaign: Campaign) -> int:
    """The day before the first session, at the exam hour, every standby and backup car
    drives to its site: the route, the parking, the gate."""
    _require_coordinator(by)
    made = 0
    for site in campaign.sites.prefetch_related("sessions", "duties"):
        first = site.sessions.order_by("starts_at").first()
        if first is None:
            continue
        at = first.starts_at - dt.timedelta(days=1, minutes=60)
        for volunteer_id in {
            d.volunteer_id for d in site.duties.all() if d.kind != Duty.Kind.REHEARSAL
        }:
            _d, created = Duty.objects.get_or_create(
                site=site,
                volunteer_id=volunteer_id,
                kind=Duty.Kind.REHEARSAL,
                starts_at=at,
                defaults={"ends_at": at + dt.timedelta(minutes=90)},
            )
            if created:
                made += 1
                volunteer = Volunteer.objects.select_related("user").get(pk=volunteer_id)
                notify(
                    user=volunteer.user,
                    message=_("Exam-escort rehearsal at %(site)s on %(when)s."),
                    params={"site": site.name, "when": _when(at)},
                    url="/volunteering/",
                    verb="volunteering.rehearsal",
                )
    return made


# --- Meal rounds ------------------------------------------------------------------------------


@transaction.atomic
def meal_centre_create(
    *, by, name: str, lat, lng, round_starts=dt.time(10, 30), round_ends=dt.time(12, 0)
) -> MealCentre:
    _require_coordinator(by)
    lat, lng, community = _point_in_city(lat, lng, "wgs84", "lat")
    if round_ends <= round_starts:
        raise Invalid(_("The round must end after it starts."), field="round_ends")
    return MealCentre.objects.create(
        name=_text(name, "name", required=True, limit=80),
        lat=lat,
        lng=lng,
        community=community,
        round_starts=round_starts,
        round_ends=round_ends,
    )


@transaction.atomic
def meal_subscribe(*, by, centre: MealCentre, beneficiary: Beneficiary) -> MealSubscription:
    if not permissions.can_book_for(by, beneficiary):
        raise NotAllowed()
    sub, _c = MealSubscription.objects.update_or_create(
        centre=centre, beneficiary=beneficiary, defaults={"active": True}
    )
    return sub


@transaction.atomic
def meal_confirm(*, by, subscription: MealSubscription, day: dt.date) -> MealConfirmation:
    """Yes to today's meal, by 09:00 (the centre cooks to the count)."""
    if not permissions.can_book_for(by, subscription.beneficiary):
        raise NotAllowed()
    if timezone.now() > _local(day, MEAL_CONFIRM_BY):
        raise Conflict(_("Meals are confirmed by 09:00 on the day."))
    conf, _c = MealConfirmation.objects.get_or_create(subscription=subscription, day=day)
    return conf


@transaction.atomic
def meal_round_build(*, by, centre: MealCentre, day: dt.date) -> int:
    """One delivery request per recipient who confirmed, in the centre's off-peak round."""
    _require_coordinator(by)
    made = 0
    earliest, latest = _local(day, centre.round_starts), _local(day, centre.round_ends)
    for sub in centre.subscriptions.filter(active=True, confirmations__day=day).select_related(
        "beneficiary"
    ):
        b = sub.beneficiary
        if Request.objects.filter(centre=centre, beneficiary=b, earliest=earliest).exists():
            continue
        _new_request(
            by=by,
            beneficiary=b,
            kind=Request.Kind.MEAL,
            channel=Request.Channel.MEALS,
            pickup=(centre.lat, centre.lng),
            pickup_label=centre.name,
            dropoff=b.home_point,
            dropoff_label=b.address,
            earliest=earliest,
            latest=latest,
            centre=centre,
            passengers=0,
            note=(b.diet_note or "")[:200],
        )
        made += 1
    return made


# --- Planning -----------------------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


def _trip_url(trip: Trip) -> str:
    return f"/volunteering/trips/{trip.pk}/"


@transaction.atomic
def plan_solve(
    *,
    by,
    day: dt.date,
    campaign: Campaign | None = None,
    time_limit_s: float = 5.0,
    solution_limit: int | None = None,
) -> Plan:
    """Solve the day (or a campaign's requests that day) and store the plan's trips.

    Accepted and started trips stay exactly as they are (their volunteer and time are fixed
    in the solve); planned or offered trips that were not accepted are replaced. A request the
    plan cannot serve goes back to 'waiting'; an accepted trip that no longer fits is reported
    in the plan's figures, never dropped."""
    _require_coordinator(by)
    inp = planning.build_input(day, campaign=campaign)
    best = dispatch.solve(
        inp.jobs, inp.shifts, time_limit_s=time_limit_s, solution_limit=solution_limit
    )
    baseline = dispatch.greedy(inp.jobs, inp.shifts)
    plan = Plan.objects.create(
        day=day,
        campaign=campaign,
        created_by=by,
        figures={**best.figures(), "requests": len(inp.jobs), "conflicts": best.conflicts},
        baseline=baseline.figures(),
    )
    ids = [r.pk for r in inp.requests.values()]
    for trip in Trip.objects.filter(
        request_id__in=ids, status__in=[Trip.Status.PLANNED, Trip.Status.OFFERED]
    ):
        _move(trip, frm=trip.status, to=Trip.Status.WITHDRAWN, actor=by, note="re-planned")
    locked = set(
        Trip.objects.filter(request_id__in=ids, status__in=planning.LOCKED_TRIPS).values_list(
            "request_id", flat=True
        )
    )
    served = set()
    for leg in best.legs:
        request = inp.requests[leg.job]
        served.add(request.pk)
        if request.pk in locked:
            continue
        shift = inp.shifts[leg.shift]
        trip = Trip.objects.create(
            request=request,
            volunteer_id=planning.key_id(leg.volunteer),
            plan=plan,
            start_lat=shift.start[0],
            start_lng=shift.start[1],
            leave_at=planning.at_minute(day, leg.leave_at),
            pickup_at=planning.at_minute(day, leg.pickup_at),
            dropoff_at=planning.at_minute(day, leg.dropoff_at),
            empty_km=leg.empty_km,
        )
        _record(trip, Trip.Status.PLANNED, by)
    Request.objects.filter(pk__in=served - locked).update(status=Request.Status.PLANNED)
    Request.objects.filter(pk__in=set(ids) - served - locked).update(status=Request.Status.OPEN)
    return plan


@transaction.atomic
def plan_publish(*, by, plan: Plan) -> int:
    """Planned trips become offers: each volunteer gets one notice (and SMS) with one-tap
    accept or decline on their trips page."""
    _require_coordinator(by)
    trips = list(plan.trips.filter(status=Trip.Status.PLANNED).select_related("volunteer__user"))
    per_volunteer: dict[int, list[Trip]] = {}
    for trip in trips:
        _move(trip, frm=Trip.Status.PLANNED, to=Trip.Status.OFFERED, actor=by)
        per_volunteer.setdefault(trip.volunteer_id, []).append(trip)
    for mine in per_volunteer.values():
        notify(
            user=mine[0].volunteer.user,
            message=_("%(n)s volunteer trips offered for %(day)s: accept or decline."),
            params={"n": len(mine), "day": plan.day.strftime("%m-%d")},
            url="/volunteering/",
            verb="volunteering.offered",
            sms=True,
        )
    plan.published_at = timezone.now()
    plan.save(update_fields=["published_at"])
    return len(trips)


def _trip_for(user, trip_id: int) -> Trip:
    trip = (
        Trip.objects.select_related("request__beneficiary", "volunteer__user", "request__standing")
        .filter(pk=trip_id)
        .first()
    )
    if trip is None or not permissions.can_act_on_trip(user, trip):
        raise NotFound()
    return trip


@transaction.atomic
def trip_accept(*, user, trip_id: int) -> Trip:
    trip = _trip_for(user, trip_id)
    try:
        with transaction.atomic():
            trip = _move(trip, frm=Trip.Status.OFFERED, to=Trip.Status.ACCEPTED, actor=user)
    except IntegrityError:  # another volunteer accepted the same request first
        raise Conflict(
            _("Another volunteer took this trip first. Thank you all the same!")
        ) from None
    request = trip.request
    for other in request.trips.filter(
        status__in=[Trip.Status.OFFERED, Trip.Status.PLANNED]
    ).exclude(pk=trip.pk):
        _move(other, frm=other.status, to=Trip.Status.WITHDRAWN, note="taken by another volunteer")
    Request.objects.filter(pk=request.pk).update(status=Request.Status.ASSIGNED)
    if request.standing_id and request.standing.preferred_id is None:
        StandingRide.objects.filter(pk=request.standing_id, preferred=None).update(
            preferred=trip.volunteer
        )
    return trip


def _offer(
    request: Request, volunteer_id: int, pickup_at: dt.datetime, start, extra_km: float, note: str
) -> Trip:
    dur = handling_minutes(wheelchair=request.wheelchair) + DEFAULT.minutes(
        request.pickup, request.dropoff
    )
    trip = Trip.objects.create(
        request=request,
        volunteer_id=volunteer_id,
        status=Trip.Status.OFFERED,
        start_lat=start[0],
        start_lng=start[1],
        leave_at=pickup_at - dt.timedelta(minutes=DEFAULT.minutes(start, request.pickup)),
        pickup_at=pickup_at,
        dropoff_at=pickup_at + dt.timedelta(minutes=dur),
        empty_km=round(extra_km, 3),
    )
    _record(trip, Trip.Status.OFFERED, None, note)
    volunteer = Volunteer.objects.select_related("user").get(pk=volunteer_id)
    notify(
        user=volunteer.user,
        message=_("A volunteer trip at %(when)s needs you: accept or decline."),
        params={"when": _when(pickup_at)},
        url=_trip_url(trip),
        verb="volunteering.offered",
        sms=True,
    )
    return trip


def _replan_one(request: Request, *, exclude_volunteers=()) -> Trip | None:
    """Offer one request to the volunteer it fits best without moving anyone else's trips."""
    day = timezone.localdate(request.earliest)
    inp = planning.build_input(day, exclude_volunteers=exclude_volunteers)
    key = planning.rkey(request.pk)
    job = next((j for j in inp.jobs if j.key == key), None)
    if job is None:
        return None
    excluded = {planning.vkey(v) for v in exclude_volunteers}
    job = dataclasses.replace(
        job, pinned=None if job.pinned in excluded else job.pinned, locked_at=None
    )
    jobs = {j.key: j for j in inp.jobs}
    legs = []
    start = planning.day_start(day)
    busy = Trip.objects.filter(
        status__in=Trip.OPEN, pickup_at__gte=start, pickup_at__lt=start + dt.timedelta(days=1)
    ).exclude(request=request)
    for t in busy:
        tk = planning.rkey(t.request_id)
        if tk not in jobs:
            continue
        pick, drop = planning.to_minutes(day, t.pickup_at), planning.to_minutes(day, t.dropoff_at)
        for v, s in enumerate(inp.shifts):
            if (
                s.volunteer == planning.vkey(t.volunteer_id)
                and s.opens <= pick
                and drop <= s.closes
            ):
                legs.append(dispatch.Leg(tk, s.volunteer, v, pick, drop, 0.0, pick))
                break
    found = dispatch.best_insertion(job, inp.shifts, legs, jobs)
    if found is None:
        return None
    v, pickup_minute, extra = found
    shift = inp.shifts[v]
    return _offer(
        request,
        planning.key_id(shift.volunteer),
        planning.at_minute(day, pickup_minute),
        shift.start,
        extra,
        "re-planned",
    )


def _tell_coordinators(message, params, url="/volunteering/console/") -> None:
    from yizhan.accounts.selectors import users_holding

    notify_many(
        users=users_holding(Role.VOLUNTEER_COORDINATOR),
        message=message,
        params=params,
        url=url,
        verb="volunteering.unserved",
    )


@transaction.atomic
def trip_decline(*, user, trip_id: int, reason: str = "") -> Trip | None:
    """No thanks: the request is re-planned at once to the best other volunteer (offered to
    them), or the coordinator is told nobody fits. Returns the new offer, if any."""
    trip = _trip_for(user, trip_id)
    _move(
        trip,
        frm=Trip.Status.OFFERED,
        to=Trip.Status.DECLINED,
        actor=user,
        note=_text(reason, "reason"),
    )
    request = trip.request
    if request.trips.filter(status__in=Trip.OPEN).exists():
        return None  # an urgent request offered to several: the others may still take it
    Request.objects.filter(pk=request.pk).update(status=Request.Status.OPEN)
    if request.pinned_id == trip.volunteer_id:
        Request.objects.filter(pk=request.pk).update(pinned=None)
    request.refresh_from_db()
    declined = set(
        request.trips.filter(status=Trip.Status.DECLINED).values_list("volunteer_id", flat=True)
    )
    offer = _replan_one(request, exclude_volunteers=declined)
    if offer is None:
        _tell_coordinators(
            _("Nobody else fits the request of %(when)s: please call around."),
            {"when": _when(request.earliest)},
        )
    else:
        Request.objects.filter(pk=request.pk).update(status=Request.Status.PLANNED)
    return offer


@transaction.atomic
def urgent_offer(*, by, request: Request) -> list[Trip]:
    """An urgent request goes to the nearest qualified volunteers who are free now: within
    3 km first, then within 10 km; the first to accept takes it."""
    if not permissions.can_book_for(by, request.beneficiary):
        raise NotAllowed()
    if request.status not in (Request.Status.OPEN, Request.Status.PLANNED):
        raise Conflict(_("This request is already in a volunteer's hands."))
    now = timezone.now()
    day = timezone.localdate(now)
    minute = planning.to_minutes(day, now)
    needs = dispatch.MEAL if request.kind == Request.Kind.MEAL else dispatch.DRIVE
    job = dispatch.Job(
        "u",
        request.pickup,
        request.dropoff,
        max(minute, planning.to_minutes(day, request.earliest)),
        planning.to_minutes(day, request.latest),
        needs,
        request.passengers,
        request.wheelchair,
    )
    busy = set(
        Trip.objects.filter(
            status__in=Trip.ACTIVE[:2],
            pickup_at__lte=now + dt.timedelta(hours=1),
            dropoff_at__gte=now,
        ).values_list("volunteer_id", flat=True)
    )
    candidates = []
    for v in planning.volunteers_for_day(day):
        if v.pk in busy:
            continue
        cap = planning.capability(v, day)
        for opens, closes, place in planning.windows_on(v, day):
            where = place or v.start_point
            if where is None or not opens <= minute < closes:
                continue
            shift = dispatch.Shift(
                planning.vkey(v.pk), where, minute, closes, cap.can, cap.seats, cap.wheelchair
            )
            if dispatch.qualified(job, shift):
                candidates.append((DEFAULT.km(where, request.pickup) / DEFAULT.detour, v.pk, where))
    candidates.sort()
    chosen = []
    for radius in URGENT_RADIUS_KM:
        chosen = [c for c in candidates if c[0] <= radius][:URGENT_OFFERS]
        if chosen:
            break
    if not chosen:
        _tell_coordinators(
            _("Nobody qualified is free near the urgent request of %(when)s."),
            {"when": _when(request.earliest)},
        )
        return []
    request.trips.filter(status__in=[Trip.Status.PLANNED, Trip.Status.OFFERED]).update(
        status=Trip.Status.WITHDRAWN
    )
    offers = []
    for _dist, volunteer_id, where in chosen:
        travel = DEFAULT.minutes(where, request.pickup)
        pickup_at = max(request.earliest, now + dt.timedelta(minutes=travel)).replace(
            second=0, microsecond=0
        )
        offers.append(
            _offer(
                request, volunteer_id, pickup_at, where, DEFAULT.km(where, request.pickup), "urgent"
            )
        )
    Request.objects.filter(pk=request.pk).update(status=Request.Status.PLANNED, urgent=True)
    return offers


# --- On the road ------------------------------------------------------------------------------


def _code_digest(trip_id: int, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{trip_id}:{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def trip_pick_up(*, user, trip_id: int) -> Trip:
    trip = _trip_for(user, trip_id)
    return _move(
        trip,
        frm=Trip.Status.ACCEPTED,
        to=Trip.Status.PICKED_UP,
        actor=user,
        picked_up_at=timezone.now(),
    )


@transaction.atomic
def trip_drop_off(*, user, trip_id: int) -> Trip:
    """The volunteer taps done. The beneficiary (or their contact) gets a text with a code to
    reply with; the coordinator may record a phone call instead."""
    trip = _trip_for(user, trip_id)
    code = f"{secrets.randbelow(10**6):06d}"
    trip = _move(
        trip,
        frm=Trip.Status.PICKED_UP,
        to=Trip.Status.DROPPED_OFF,
        actor=user,
        dropped_off_at=timezone.now(),
        confirm_code=_code_digest(trip.pk, code),
    )
    b = trip.request.beneficiary
    Request.objects.filter(pk=trip.request_id).update(status=Request.Status.DONE)
    sms_to_number(
        mobile=b.mobile or b.contact_mobile,
        message=_(
            "Yizhan volunteers: did your trip of %(when)s go well? Reply %(code)s to confirm."
        ),
        params={"when": _when(trip.pickup_at), "code": code},
    )
    return trip


@transaction.atomic
def trip_no_show(*, user, trip_id: int, note: str = "") -> Trip:
    trip = _trip_for(user, trip_id)
    trip = _move(
        trip, frm=Trip.Status.ACCEPTED, to=Trip.Status.NO_SHOW, actor=user, note=_text(note, "note")
    )
    Request.objects.filter(pk=trip.request_id).update(status=Request.Status.NO_SHOW)
    return trip


def service_minutes(trip: Trip) -> int:
    """The approach as planned plus the ride as it happened, capped at the plan plus a margin."""
    planned = trip.planned_minutes
    approach = round((trip.pickup_at - trip.leave_at).total_seconds() / 60)
    actual = approach + round((trip.dropped_off_at - trip.picked_up_at).total_seconds() / 60)
    actual += handling_minutes(wheelchair=trip.request.wheelchair)
    return max(1, min(actual, planned + HOURS_MARGIN_MIN))


def credited_hours(minutes: int) -> int:
    """Whole hours for the points bank, which pays per hour: rounded half up, at least one."""
    return max(1, int((Decimal(minutes) / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _confirm(trip: Trip, *, via: str, actor=None, note: str = "") -> Trip:
    trip = _move(
        trip,
        frm=Trip.Status.DROPPED_OFF,
        to=Trip.Status.CONFIRMED,
        actor=actor,
        note=note,
        confirmed_at=timezone.now(),
        confirmed_via=via,
        confirm_code="",
    )
    minutes = service_minutes(trip)
    record = HoursRecord.objects.create(
        trip=trip,
        volunteer=trip.volunteer,
        minutes=minutes,
        hours=(Decimal(minutes) / 60).quantize(Decimal("0.01")),
        credited_hours=credited_hours(minutes),
    )
    events.publish(
        "volunteer.hours_logged",
        record_id=record.pk,
        worker_id=trip.volunteer.user_id,
        hours=record.credited_hours,
    )
    notify(
        user=trip.volunteer.user,
        message=_("Thank you! %(hours)s service hours recorded for your trip."),
        params={"hours": str(record.hours)},
        url="/volunteering/hours/",
        verb="volunteering.hours",
    )
    return trip


@transaction.atomic
def trip_confirm_by_code(*, mobile: str, code: str) -> Trip:
    """The beneficiary's SMS reply (or the same code typed on the confirmation page)."""
    try:
        mobile = validate_mobile(mobile)
    except ValidationError:
        raise Invalid(_("Enter the mobile number the text came to."), field="mobile") from None
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        raise Invalid(_("Enter the 6-digit code from the text."), field="code")
    index = blind_index(mobile)
    since = timezone.now() - CONFIRM_WINDOW
    candidates = Trip.objects.filter(
        status=Trip.Status.DROPPED_OFF, dropped_off_at__gte=since
    ).filter(
        Q(request__beneficiary__mobile_index=index) | Q(request__beneficiary__contact_index=index)
    )
    for trip in candidates.select_related("request__beneficiary", "volunteer__user"):
        if hmac.compare_digest(trip.confirm_code, _code_digest(trip.pk, code)):
            return _confirm(trip, via="sms")
    raise Invalid(_("This code does not match a trip waiting for confirmation."), field="code")


@transaction.atomic
def trip_confirm_by_phone(*, by, trip_id: int, note: str = "") -> Trip:
    """The coordinator called the beneficiary (or the contact) and records what they said."""
    if not permissions.can_confirm_by_phone(by):
        raise NotAllowed()
    trip = (
        Trip.objects.select_related("request__beneficiary", "volunteer__user")
        .filter(pk=trip_id)
        .first()
    )
    if trip is None:
        raise NotFound()
    return _confirm(
        trip, via="phone", actor=by, note=_text(note, "note") or str(_("Confirmed by phone"))
    )


# --- Personal data ----------------------------------------------------------------------------


def export_for(user) -> dict:
    """What the app holds about a person: as a volunteer, and as a beneficiary with an account."""
    data: dict = {}
    v = Volunteer.objects.filter(user=user).first()
    if v is not None:
        data["volunteer"] = {
            "home": v.home,
            "teams": [m.team.name for m in v.memberships.select_related("team")],
            "credentials": [
                {
                    "kind": c.kind,
                    "valid_until": c.valid_until.isoformat(),
                    "plate": c.plate,
                    "seats": c.seats,
                }
                for c in v.credentials.all()
            ],
            "availability": [str(a) for a in v.availability.all()],
            "trips": [
                {"id": t.pk, "status": t.status, "pickup_at": t.pickup_at.isoformat()}
                for t in v.trips.all()
            ],
            "hours": [{"trip": h.trip_id, "hours": str(h.hours)} for h in v.hours.all()],
        }
    data["beneficiary"] = [
        {
            "name": b.name,
            "address": b.address,
            "mobile": b.mobile,
            "contact": b.contact_name,
            "health_note": b.health_note,
            "consent_at": b.consent_at.isoformat(),
        }
        for b in Beneficiary.objects.filter(user=user, erased_at=None)
    ]
    return data


def erase_for(user) -> int:
    """Erase with the person: their home point, plates and located availability as a
    volunteer; everything identifying if they are a beneficiary. Hours stay (they are the
    volunteer's record and pay no one else), without places."""
    touched = 0
    v = Volunteer.objects.filter(user=user).first()
    if v is not None:
        touched += Volunteer.objects.filter(pk=v.pk).exclude(home="").update(home="")
        touched += v.credentials.exclude(plate="").update(plate="")
        touched += v.availability.all().delete()[0]
        for t in v.trips.all():
            t.start_lat, t.start_lng = round(t.start_lat, 2), round(t.start_lng, 2)
            t.save(update_fields=["start_lat", "start_lng"])
    for b in Beneficiary.objects.filter(user=user):
        touched += _erase_beneficiary(b)
    return touched
