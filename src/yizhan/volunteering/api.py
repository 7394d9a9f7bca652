"""Volunteer services: the JSON API (mounted at /api/v1/volunteering/).

Volunteers: their trips (accept, decline, picked up, dropped off), availability, a break
("free now"), hours. Coordinators and community staff: beneficiaries (masked), bookings
(retry-safe with an idempotency key), plans. The SMS gateway: the beneficiary's reply code.
Refusals are the house's error shape (401/403/404/409/422), never a 500.
"""

import datetime as dt
import hmac

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status

from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import Invalid, NotAllowed, NotFound
from yizhan.core.schema import ERRORS, READ_ERRORS, DbId
from yizhan.volunteering import permissions, selectors, services
from yizhan.volunteering.models import Beneficiary, Plan, Request

router = Router(tags=["volunteering"])
MAX_DAYS_AWAY = 400


def _user(request):
    user = request.auth
    if not permissions.is_volunteer(user):
        raise NotAllowed(_("Only volunteers enrolled in a team can do this."))
    return user


def _day(day: dt.date) -> dt.date:
    if abs((day - timezone.localdate()).days) > MAX_DAYS_AWAY:
        raise Invalid(_("Choose a day within a year of today."), field="day")
    return day


# --- Schemas ------------------------------------------------------------------------------------


class VolunteeringPointOut(Schema):
    label: str
    lat: float
    lng: float


class TripOut(Schema):
    id: int
    status: str
    kind: str
    passenger: str = Field(description="masked name")
    wheelchair: bool
    passengers: int
    leave_at: dt.datetime
    pickup_at: dt.datetime
    dropoff_at: dt.datetime
    pickup: VolunteeringPointOut
    dropoff: VolunteeringPointOut
    empty_km: float


def trip_out(trip) -> dict:
    r = trip.request
    return {
        "id": trip.pk,
        "status": trip.status,
        "kind": r.kind,
        "passenger": r.beneficiary.masked_name,
        "wheelchair": r.wheelchair,
        "passengers": r.passengers,
        "leave_at": trip.leave_at,
        "pickup_at": trip.pickup_at,
        "dropoff_at": trip.dropoff_at,
        "pickup": {"label": r.pickup_label, "lat": r.pickup_lat, "lng": r.pickup_lng},
        "dropoff": {"label": r.dropoff_label, "lat": r.dropoff_lat, "lng": r.dropoff_lng},
        "empty_km": trip.empty_km,
    }


class DeclineIn(Schema):
    reason: str = Field("", max_length=200)


class AvailabilityIn(Schema):
    kind: str = Field(description="weekly or once")
    weekday: int | None = Field(None, ge=0, le=6, description="0 = Monday (weekly)")
    starts: dt.time | None = Field(None, description="HH:MM (weekly)")
    ends: dt.time | None = None
    starts_at: dt.datetime | None = Field(None, description="ISO date-time with offset (once)")
    ends_at: dt.datetime | None = None


class AvailabilityOut(Schema):
    id: int
    kind: str
    weekday: int | None
    starts: dt.time | None
    ends: dt.time | None
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None


class FreeNowIn(Schema):
    minutes: int = Field(60, ge=15, le=180)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lng: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    crs: str = Field("wgs84", description="wgs84, gcj02 or bd09")


class VolunteeringHoursOut(Schema):
    total_hours: float
    trips: int
    points: int


class BeneficiaryIn(Schema):
    kind: str = Field(description="elderly, patient, student or meals")
    name: str = Field(min_length=1, max_length=40)
    address: str = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    crs: str = "wgs84"
    consent: bool = Field(description="the person's consent is recorded (required)")
    consent_note: str = Field("", max_length=200)
    mobile: str = Field("", max_length=20)
    wheelchair: bool = False
    companion: bool = False
    contact_name: str = Field("", max_length=40)
    contact_mobile: str = Field("", max_length=20)
    health_note: str = Field("", max_length=200)
    diet_note: str = Field("", max_length=200)


class BeneficiaryOut(Schema):
    id: int
    kind: str
    name: str = Field(description="masked")
    mobile: str = Field(description="masked")
    community: str
    wheelchair: bool
    companion: bool


def beneficiary_out(b: Beneficiary) -> dict:
    return {
        "id": b.pk,
        "kind": b.kind,
        "name": b.masked_name,
        "mobile": b.masked_mobile,
        "community": b.community.name,
        "wheelchair": b.wheelchair,
        "companion": b.companion,
    }


class RideIn(Schema):
    beneficiary_id: DbId
    dropoff_label: str = Field(min_length=1, max_length=120)
    dropoff_lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    dropoff_lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    crs: str = "wgs84"
    earliest: dt.datetime = Field(description="earliest pick-up, ISO with offset")
    latest: dt.datetime = Field(description="latest drop-off, ISO with offset")
    appointment_at: dt.datetime | None = None
    return_earliest: dt.datetime | None = Field(None, description="ride home from")
    urgent: bool = False
    to_home: bool = False
    note: str = Field("", max_length=200)
    idempotency_key: str | None = Field(None, max_length=100)


class RequestOut(Schema):
    id: int
    kind: str
    status: str
    beneficiary: str = Field(description="masked")
    earliest: dt.datetime
    latest: dt.datetime
    pickup: VolunteeringPointOut
    dropoff: VolunteeringPointOut
    urgent: bool
    return_id: int | None


def request_out(r) -> dict:
    back = Request.objects.filter(return_of=r).only("id").first()
    return {
        "id": r.pk,
        "kind": r.kind,
        "status": r.status,
        "beneficiary": r.beneficiary.masked_name,
        "earliest": r.earliest,
        "latest": r.latest,
        "pickup": {"label": r.pickup_label, "lat": r.pickup_lat, "lng": r.pickup_lng},
        "dropoff": {"label": r.dropoff_label, "lat": r.dropoff_lat, "lng": r.dropoff_lng},
        "urgent": r.urgent,
        "return_id": back.pk if back else None,
    }


class PlanIn(Schema):
    day: dt.date
    time_limit_s: float = Field(5.0, gt=0, le=10, allow_inf_nan=False)


class PlanOut(Schema):
    id: int
    day: dt.date
    published: bool
    figures: dict
    baseline: dict = Field(description="the greedy nearest-free-volunteer baseline")


def plan_out(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "day": plan.day,
        "published": plan.published_at is not None,
        "figures": plan.figures,
        "baseline": plan.baseline,
    }


class SmsReplyIn(Schema):
    mobile: str = Field(max_length=20)
    text: str = Field(max_length=160)


class SmsReplyOut(Schema):
    confirmed: bool


# --- The volunteer ------------------------------------------------------------------------------


@router.get("/trips", response={200: list[TripOut], **READ_ERRORS}, auth=token_or_session)
def my_trips(request):
    """The volunteer's offered and upcoming trips."""
    return [trip_out(t) for t in selectors.my_trips(_user(request))]


@router.post("/trips/{id}/decline", response={200: TripOut, **ERRORS}, auth=token_or_session)
def trip_decline(request, id: DbId, body: DeclineIn):
    """No thanks: the trip is re-planned to someone else at once."""
    user = _user(request)
    trip = selectors.trip_for_volunteer(user, id)
    services.trip_decline(user=user, trip_id=id, reason=body.reason)
    trip.refresh_from_db()
    return trip_out(trip)


STEPS = {
    "accept": services.trip_accept,
    "pickup": services.trip_pick_up,
    "dropoff": services.trip_drop_off,
    "noshow": services.trip_no_show,
}


@router.post("/trips/{id}/{step}", response={200: TripOut, **ERRORS}, auth=token_or_session)
def trip_step(request, id: DbId, step: str):
    """One step: accept, pickup, dropoff (the volunteer's "done") or noshow."""
    user = _user(request)
    if step not in STEPS:
        raise NotFound()
    return trip_out(STEPS[step](user=user, trip_id=id))


@router.get(
    "/availability", response={200: list[AvailabilityOut], **READ_ERRORS}, auth=token_or_session
)
def availability_list(request):
    return list(selectors.my_availability(_user(request)))


@router.post("/availability", response={201: AvailabilityOut, **ERRORS}, auth=token_or_session)
def availability_add(request, body: AvailabilityIn):
    slot = services.availability_add(user=_user(request), **body.dict())
    return Status(201, slot)


@router.post("/free-now", response={201: AvailabilityOut, **ERRORS}, auth=token_or_session)
def free_now(request, body: FreeNowIn):
    """A break (小休): free for the next minutes, optionally where (opt-in)."""
    return Status(201, services.free_now(user=_user(request), **body.dict()))


@router.get("/hours", response={200: VolunteeringHoursOut, **READ_ERRORS}, auth=token_or_session)
def my_hours(request):
    user = _user(request)
    hours = selectors.my_hours(user)
    return {
        "total_hours": float(hours["total"]),
        "trips": hours["trips"],
        "points": selectors.points_balance(user),
    }


# --- Coordinators and community staff -----------------------------------------------------------


@router.get(
    "/beneficiaries", response={200: list[BeneficiaryOut], **READ_ERRORS}, auth=token_or_session
)
def beneficiary_list(request):
    """Masked; grid officers see their community's only."""
    return [beneficiary_out(b) for b in selectors.beneficiaries_for(request.auth)[:500]]


@router.post("/beneficiaries", response={201: BeneficiaryOut, **ERRORS}, auth=token_or_session)
def beneficiary_register(request, body: BeneficiaryIn):
    b = services.beneficiary_register(by=request.auth, **body.dict())
    return Status(201, beneficiary_out(b))


@router.post("/requests", response={201: RequestOut, **ERRORS}, auth=token_or_session)
def ride_book(request, body: RideIn, idempotency_key: str | None = Header(None)):
    """Book a free ride (with a ride home when `return_earliest` is given). Send an
    `Idempotency-Key` header (or `idempotency_key`): a retry returns the first booking."""
    data = body.dict()
    beneficiary = selectors.beneficiary_for(request.auth, data.pop("beneficiary_id"))
    key = idempotency_key or data.pop("idempotency_key") or ""
    data.pop("idempotency_key", None)
    r = services.ride_book(by=request.auth, beneficiary=beneficiary, key=key, **data)
    return Status(201, request_out(r))


@router.get("/requests", response={200: list[RequestOut], **READ_ERRORS}, auth=token_or_session)
def request_list(request, day: dt.date):
    """A day's requests (coordinator)."""
    if not permissions.is_coordinator(request.auth):
        raise NotAllowed()
    return [request_out(r) for r in selectors.requests_on(_day(day))]


@router.post("/plans", response={201: PlanOut, **ERRORS}, auth=token_or_session)
def plan_solve(request, body: PlanIn):
    """Solve a day with OR-Tools (and the greedy baseline for comparison); store the trips."""
    plan = services.plan_solve(by=request.auth, day=_day(body.day), time_limit_s=body.time_limit_s)
    return Status(201, plan_out(plan))


@router.post("/plans/{id}/publish", response={200: PlanOut, **ERRORS}, auth=token_or_session)
def plan_publish(request, id: DbId):
    plan = Plan.objects.filter(pk=id).first()
    if plan is None or not permissions.is_coordinator(request.auth):
        raise NotFound()
    services.plan_publish(by=request.auth, plan=plan)
    plan.refresh_from_db()
    return plan_out(plan)


# --- The SMS gateway ----------------------------------------------------------------------------


def _inbound_key() -> str:
    return settings.SMS_INBOUND_KEY


@router.post("/sms-reply", response={200: SmsReplyOut, **ERRORS})
def sms_reply(request, body: SmsReplyIn, x_source_key: str = Header("")):
    """The SMS gateway forwards a beneficiary's reply (their code confirms the trip).
    Authenticate with the `X-Source-Key` header (YIZHAN_SMS_INBOUND_KEY)."""
    key = _inbound_key()
    if not key or not hmac.compare_digest(key.encode(), (x_source_key or "").encode()):
        raise NotAllowed()
    services.trip_confirm_by_code(mobile=body.mobile, code=body.text)
    return {"confirmed": True}
