"""Training and events: the JSON API (mounted at /api/v1/training/).

Workers list, sign up, cancel, accept offers, check in with the door code and take quizzes;
organisers create courses and events, show the door code on a device and scan workers'
personal codes (the benchmark's path: bench/bench_training.py). Scans are idempotent: a
repeated scan answers 200 with `created: false`. Errors are the house's one shape."""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, StringConstraints

from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import NotAllowed
from yizhan.core.schema import ERRORS, READ_ERRORS, DbId
from yizhan.training import ics, selectors, services, tokens
from yizhan.training import permissions as perms
from yizhan.training.models import Topic

router = Router(tags=["training"], auth=token_or_session)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    return value


def Text(max_length: int):  # noqa: N802 - a type factory, read like a type
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_nul)]


Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Lng = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Percent = Annotated[int, Field(ge=-(2**31), le=2**31)]


# --- schemas ----------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class ActivityOut(Schema):
    id: int
    kind: str
    kind_label: str
    topic: str
    title: str
    description: str
    state: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    signup_deadline: dt.datetime
    place: str
    station_id: int | None
    online: bool
    capacity: int
    places_left: int
    audience: str
    walk_ins: bool
    certificate: bool
    min_attendance_percent: int
    has_quiz: bool
    sessions: list[SessionOut]
    distance_m: float | None = None
    at_usual_station: bool = False
    my_status: str | None = Field(None, description="confirmed, offered, waitlisted, …")
    my_position: int | None = Field(None, description="place on the waiting list")
    offered_until: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    certificate_code: str | None = None
    calendar_url: str


class ActivityIn(Schema):
    kind: Text(12) = Field(description="course, party, ceremony, gathering or symposium")
    title: Text(200)
    description: Text(4000) = ""
    topic: Text(20) = Field("", description="courses: " + ", ".join(Topic.values))
    station_id: DbId | None = None
    online: bool = False
    online_url: Text(300) = ""
    venue: Text(200) = ""
    starts_at: dt.datetime
    ends_at: dt.datetime = Field(description="the end of the first session")
    repeat: Percent = Field(1, description="sessions of a course, or occurrences of an event")
    every: Text(12) = Field("weekly", description="daily, weekly, fortnightly, monthly")
    capacity: Percent
    signup_deadline: dt.datetime | None = None
    offer_hours: Percent = 12
    audience: Text(10) = Field("all", description="all, platform, district, invited")
    audience_platform_id: DbId | None = None
    audience_district_id: DbId | None = None
    walk_ins: bool = False
    certificate: bool = False
    min_attendance_percent: Percent = 0
    quiz_pass_percent: Percent | None = None
    idempotency_key: Text(100) | None = Field(None, description="or the Idempotency-Key header")


class EnrolmentOut(Schema):
    activity_id: int
    status: str
    status_label: str
    position: int | None
    offered_until: dt.datetime | None


class TrainingCheckInIn(Schema):
    token: Text(100) = Field(description="the door code read from the QR on the screen")
    lat: Lat | None = None
    lng: Lng | None = None
    crs: Text(8) = "wgs84"


class ScanIn(Schema):
    code: Text(300) = Field(description="the worker's personal code (or its QR's address)")


class CheckInOut(Schema):
    created: bool = Field(description="false: a repeated scan; nothing changed")
    completed: bool = Field(description="this check-in completed the course or event")
    person: str = Field(description="the worker's masked name")
    attendance_id: int
    session_id: int
    checked_in_at: dt.datetime


class CheckOutIn(Schema):
    enrolment_id: DbId | None = Field(None, description="organisers: whom; workers: omit")


class DoorCodeOut(Schema):
    token: str
    url: str
    seconds_left: int


class QuizIn(Schema):
    answers: dict[str, Percent] = Field(description="question id → index of the chosen answer")


class QuizOut(Schema):
    score: int
    passed: bool


class TrainingWishIn(Schema):
    topic: Text(20)
    note: Text(300) = ""


class TrainingWishOut(Schema):
    id: int
    topic: str
    district_id: int | None


class CertificateOut(Schema):
    code: str
    holder: str = Field(description="masked")
    course: str
    topic: str
    hours: float
    completed_at: dt.datetime
    organiser: str


class PassOut(Schema):
    code: str


class DemandGroupOut(Schema):
    topic: str
    topic_label: str
    district_id: int | None
    district: str
    cases: int
    wishes: int
    workers: int


class HeatOut(Schema):
    days: int
    grid: list[list[int]] = Field(description="7 rows (Monday first) x 24 local hours")
    busiest: list[dict]


# --- presenters -------------------------------------------------------------------------------


def _activity_out(activity, enrolment=None, listing=None) -> dict:
    sessions = selectors.sessions_of(activity)
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "kind_label": str(activity.get_kind_display()),
        "topic": activity.topic,
        "title": activity.title,
        "description": activity.description,
        "state": activity.state,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "signup_deadline": activity.signup_deadline,
        "place": activity.place_label,
        "station_id": activity.station_id,
        "online": activity.online,
        "capacity": activity.capacity,
        "places_left": activity.places_left,
        "audience": activity.audience,
        "walk_ins": activity.walk_ins,
        "certificate": activity.certificate,
        "min_attendance_percent": activity.min_attendance_percent,
        "has_quiz": activity.quiz_pass_percent is not None,
        "sessions": [
            {"id": s.pk, "number": s.number, "starts_at": s.starts_at, "ends_at": s.ends_at}
            for s in sessions
        ],
        "distance_m": round(listing.distance_m)
        if listing and listing.distance_m is not None
        else None,
        "at_usual_station": bool(listing and listing.usual),
        "my_status": enrolment.status if enrolment else None,
        "my_position": selectors.waitlist_position(enrolment) if enrolment else None,
        "offered_until": enrolment.offered_until if enrolment else None,
        "completed_at": enrolment.completed_at if enrolment else None,
        "certificate_code": (enrolment.display_certificate_code or None) if enrolment else None,
        "calendar_url": reverse("api:training_calendar", args=[activity.pk]),
    }


def _enrolment_out(enrolment) -> dict:
    return {
        "activity_id": enrolment.activity_id,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        "position": selectors.waitlist_position(enrolment),
        "offered_until": enrolment.offered_until,
    }


def _check_in_out(result) -> dict:
    a = result.attendance
    return {
        "created": result.created,
        "completed": result.completed,
        "person": result.person,
        "attendance_id": a.pk,
        "session_id": a.session_id,
        "checked_in_at": a.checked_in_at,
    }


# --- the worker -------------------------------------------------------------------------------


@router.get("/activities", response={200: list[ActivityOut], **READ_ERRORS})
def list_activities(request, lat: Lat | None = None, lng: Lng | None = None, kind: Text(10) = ""):
    """Upcoming courses and events the caller may join: at their usual stations first,
    then the rest (nearest first when lat/lng are given, WGS-84)."""
    if lat is None or lng is None:
        lat = lng = None
    found = selectors.upcoming_for_worker(worker=request.auth, lat=lat, lng=lng, kind=kind)
    return [
        _activity_out(item.activity, item.enrolment, item)
        for item in found["usual"] + found["others"]
    ]


@router.get("/activities/{id}", response={200: ActivityOut, **READ_ERRORS})
def get_activity(request, id: DbId):  # noqa: A002 - the path's name
    activity, enrolment = selectors.activity_for_viewer(user=request.auth, activity_id=id)
    return _activity_out(activity, enrolment)


@router.get(
    "/activities/{id}/calendar.ics",
    response={200: None, **READ_ERRORS},
    url_name="training_calendar",
    summary="The activity's sessions as an iCalendar file",
)
def activity_calendar(request, id: DbId):  # noqa: A002
    activity, _enrolment = selectors.activity_for_viewer(user=request.auth, activity_id=id)
    body = ics.calendar_file(
        selectors.sessions_of(activity),
        name=activity.title,
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@router.post("/activities/{id}/signup", response={201: EnrolmentOut, **ERRORS})
def sign_up(request, id: DbId):  # noqa: A002
    """One tap: a place, or the waiting list when it is full. Signing up twice is a 409."""
    return Status(201, _enrolment_out(services.signup(worker=request.auth, activity_id=id)))


@router.post("/activities/{id}/cancel", response={200: EnrolmentOut, **ERRORS})
def cancel(request, id: DbId):  # noqa: A002
    return _enrolment_out(services.signup_cancel(worker=request.auth, activity_id=id))


@router.post("/activities/{id}/offer/accept", response={200: EnrolmentOut, **ERRORS})
def accept_offer(request, id: DbId):  # noqa: A002
    return _enrolment_out(services.offer_accept(worker=request.auth, activity_id=id))


@router.post("/activities/{id}/offer/decline", response={200: EnrolmentOut, **ERRORS})
def decline_offer(request, id: DbId):  # noqa: A002
    return _enrolment_out(services.offer_decline(worker=request.auth, activity_id=id))


@router.post("/activities/{id}/quiz", response={200: QuizOut, **ERRORS})
def take_quiz(request, id: DbId, payload: QuizIn):  # noqa: A002
    score = services.quiz_submit(worker=request.auth, activity_id=id, answers=payload.answers)
    activity, _enrolment = selectors.activity_for_viewer(user=request.auth, activity_id=id)
    return {"score": score, "passed": score >= (activity.quiz_pass_percent or 0)}


@router.get("/me/enrolments", response={200: list[EnrolmentOut], **READ_ERRORS})
def my_enrolments(request):
    mine = selectors.my_enrolments(worker=request.auth)
    return [_enrolment_out(e) for e in mine["offers"] + mine["upcoming"] + mine["completed"]]


@router.get("/me/pass", response={200: PassOut, **READ_ERRORS})
def my_pass(request):
    """The worker's personal check-in code, shown as a QR code for the organiser to scan."""
    if not perms.is_worker(request.auth):
        raise NotAllowed
    return {"code": tokens.personal_code(request.auth.pk)}


@router.post("/check-in", response={200: CheckInOut, **ERRORS})
def check_in(request, payload: TrainingCheckInIn):
    """The worker scanned the rotating door code (valid 30-60 s); within 300 m of the venue
    when lat/lng are sent. A repeated check-in answers `created: false`."""
    result = services.check_in_with_door_code(
        worker=request.auth, token=payload.token, lat=payload.lat, lng=payload.lng, crs=payload.crs
    )
    return _check_in_out(result)


@router.post("/wishes", response={201: TrainingWishOut, **ERRORS})
def make_wish(request, payload: TrainingWishIn):
    wish = services.wish_create(worker=request.auth, topic=payload.topic, note=payload.note)
    return Status(201, {"id": wish.pk, "topic": wish.topic, "district_id": wish.district_id})


# --- the organiser -----------------------------------------------------------------------------


@router.post("/activities", response={201: ActivityOut, **ERRORS})
def create_activity(request, payload: ActivityIn):
    """Publish a course or an event (a recurring event answers with its first occurrence).
    A retry with the same idempotency key (field or `Idempotency-Key` header) answers the
    first activity again."""
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")
    data = payload.dict(exclude={"idempotency_key"})
    activity = services.activity_create(
        organiser=request.auth, data=services.ActivityData(**data), idempotency_key=key
    )
    return Status(201, _activity_out(activity))


@router.get("/sessions/{id}/door-code", response={200: DoorCodeOut, **READ_ERRORS})
def door_code(request, id: DbId):  # noqa: A002
    """The door code now, for a device at the door to draw as a QR code and refresh."""
    session = selectors.session_for_manager(user=request.auth, session_id=id)
    token = tokens.door_token(session.pk)
    return {
        "token": token,
        "url": request.build_absolute_uri(reverse("training:scan") + f"?t={token}"),
        "seconds_left": tokens.seconds_left(),
    }


@router.post("/sessions/{id}/scan", response={200: CheckInOut, **ERRORS})
def scan(request, id: DbId, payload: ScanIn):  # noqa: A002
    """The organiser scanned a worker's personal code: checked in once, however often
    scanned, from however many door devices."""
    result = services.check_in_by_code(organiser=request.auth, session_id=id, code=payload.code)
    return _check_in_out(result)


@router.post("/sessions/{id}/check-out", response={200: dict, **ERRORS})
def check_out(request, id: DbId, payload: CheckOutIn):  # noqa: A002
    changed = services.check_out(
        actor=request.auth, session_id=id, enrolment_id=payload.enrolment_id
    )
    return {"changed": changed}


@router.get("/demand", response={200: list[DemandGroupOut], **READ_ERRORS})
def demand(request):
    """Training-need cases and course wishes by topic and district, largest first."""
    if not perms.uses_console(request.auth):
        raise NotAllowed
    return [
        {
            "topic": g.topic,
            "topic_label": str(g.topic_label),
            "district_id": g.district_id,
            "district": g.district,
            "cases": len(g.case_ids),
            "wishes": len(g.wish_ids),
            "workers": len(g.worker_ids),
        }
        for g in selectors.demand_groups()
    ]


@router.get("/stations/{id}/visits", response={200: HeatOut, **READ_ERRORS})
def station_visits(request, id: DbId):  # noqa: A002
    """A station's check-ins by weekday and hour over eight weeks, and its busiest slots."""
    if not perms.uses_console(request.auth):
        raise NotAllowed
    heat = selectors.station_heat(station_id=id)
    return {
        "days": heat["days"],
        "grid": heat["grid"],
        "busiest": [
            {"weekday": b["weekday_index"], "hour": b["hour"], "visits": b["n"]}
            for b in heat["busiest"]
        ],
    }


# --- the public ---------------------------------------------------------------------------------


@router.get("/certificates/{code}", auth=None, response={200: CertificateOut, **READ_ERRORS})
def verify_certificate(request, code: Text(40)):
    """Anyone holding a certificate checks it here (the holder's name masked)."""
    from yizhan.core.errors import NotFound

    found = selectors.certificate_lookup(code=code)
    if found is None:
        raise NotFound
    return {**found, "topic": str(found["topic"])}
