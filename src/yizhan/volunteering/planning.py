"""From the database to the planner and back: a day's requests become jobs, the volunteers'
availability and credentials become shifts, and a plan becomes a document anyone can check.

Times in the planner are whole minutes after the day's local (Asia/Shanghai) midnight.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from yizhan.volunteering import dispatch
from yizhan.volunteering.models import Availability, Credential, Request, Trip, Volunteer
from yizhan.volunteering.travel import DEFAULT

PLANNABLE = (Request.Status.OPEN, Request.Status.PLANNED, Request.Status.ASSIGNED)
LOCKED_TRIPS = (Trip.Status.ACCEPTED, Trip.Status.PICKED_UP)


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def to_minutes(day: dt.date, moment: dt.datetime) -> int:
    return int((moment - day_start(day)).total_seconds() // 60)


def at_minute(day: dt.date, minute: int) -> dt.datetime:
    return day_start(day) + dt.timedelta(minutes=minute)


def vkey(volunteer_id: int) -> str:
    return f"v{volunteer_id}"


def rkey(request_id: int) -> str:
    return f"r{request_id}"


def key_id(key: str) -> int:
    return int(key[1:])


# --- What a volunteer may do on a day --------------------------------------------------------


@dataclass
class Capability:
    can: frozenset
    seats: int
    wheelchair: bool
    credentials: list  # (kind, valid_until)


def capability(volunteer: Volunteer, day: dt.date, credentials=None) -> Capability:
    """Orientation and a background check let a volunteer deliver meals; a valid driving
    licence and a vehicle (inspection valid) on top let them carry passengers."""
    creds = credentials if credentials is not None else list(volunteer.credentials.all())
    valid = [c for c in creds if c.valid_until >= day]
    kinds = {c.kind for c in valid}
    can, seats, wheelchair = set(), 0, False
    if {Credential.Kind.BACKGROUND, Credential.Kind.ORIENTATION} <= kinds:
        can.add(dispatch.MEAL)
        vehicles = [c for c in valid if c.kind == Credential.Kind.VEHICLE and c.seats > 0]
        if Credential.Kind.LICENCE in kinds and vehicles:
            can.add(dispatch.DRIVE)
            seats = max(c.seats for c in vehicles)
            wheelchair = any(c.wheelchair for c in vehicles)
    return Capability(
        frozenset(can), seats, wheelchair, sorted((c.kind, c.valid_until) for c in creds)
    )


def missing_for(volunteer: Volunteer, request: Request, day: dt.date) -> list[str]:
    """What the volunteer lacks for this request (empty when qualified)."""
    cap = capability(volunteer, day)
    needs = dispatch.MEAL if request.kind == Request.Kind.MEAL else dispatch.DRIVE
    missing = []
    if needs not in cap.can:
        kinds = {k for k, until in cap.credentials if until >= day}
        wanted = [Credential.Kind.BACKGROUND, Credential.Kind.ORIENTATION]
        if needs == dispatch.DRIVE:
            wanted += [Credential.Kind.LICENCE, Credential.Kind.VEHICLE]
        missing = [str(Credential.Kind(k).label) for k in wanted if k not in kinds]
        return missing or [str(Credential.Kind.VEHICLE.label)]
    if needs == dispatch.DRIVE and cap.seats < request.passengers:
        missing.append(str(Credential._meta.get_field("seats").verbose_name))
    if needs == dispatch.DRIVE and request.wheelchair and not cap.wheelchair:
        missing.append(str(Credential._meta.get_field("wheelchair").verbose_name))
    return missing


# --- Shifts ----------------------------------------------------------------------------------


def windows_on(
    volunteer: Volunteer, day: dt.date, rows=None
) -> list[tuple[int, int, tuple | None]]:
    """The volunteer's windows that day, merged where they touch: (opens, closes, place),
    `place` being where a 'free now' volunteer said they are (when they opted in)."""
    rows = rows if rows is not None else list(volunteer.availability.all())
    spans = []
    for a in rows:
        if a.kind == Availability.Kind.WEEKLY:
            if a.weekday == day.weekday():
                spans.append(
                    (a.starts.hour * 60 + a.starts.minute, a.ends.hour * 60 + a.ends.minute, None)
                )
        else:
            opens = max(0, to_minutes(day, a.starts_at))
            closes = min(24 * 60, to_minutes(day, a.ends_at))
            if opens < closes:
                place = (a.lat, a.lng) if a.lat is not None and a.lng is not None else None
                spans.append((opens, closes, place))
    spans.sort(key=lambda s: s[0])
    merged: list[list] = []
    for opens, closes, place in spans:
        if merged and opens <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], closes)
            merged[-1][2] = merged[-1][2] or place
        else:
            merged.append([opens, closes, place])
    return [tuple(m) for m in merged]


@dataclass
class DayInput:
    day: dt.date
    jobs: list
    shifts: list
    requests: dict  # key → Request
    volunteers: dict  # key → (Volunteer, Capability, windows)


def volunteers_for_day(day: dt.date):
    return (
        Volunteer.objects.filter(user__is_active=True)
        .select_related("user", "station")
        .prefetch_related("credentials", "availability")
        .order_by("id")
    )


def requests_for_day(day: dt.date, *, campaign=None):
    start = day_start(day)
    qs = Request.objects.filter(
        earliest__gte=start, earliest__lt=start + dt.timedelta(days=1), status__in=PLANNABLE
    ).select_related("standing", "beneficiary", "centre")
    if campaign is not None:
        qs = qs.filter(session__site__campaign=campaign)
    return qs.order_by("earliest", "id")


def build_input(day: dt.date, *, campaign=None, exclude_volunteers=()) -> DayInput:
    shifts, vols = [], {}
    for v in volunteers_for_day(day):
        if v.pk in exclude_volunteers:
            continue
        cap = capability(v, day, list(v.credentials.all()))
        windows = windows_on(v, day, list(v.availability.all()))
        start = v.start_point
        if not cap.can or not windows:
            continue
        vols[vkey(v.pk)] = (v, cap, windows)
        for opens, closes, place in windows:
            origin = place or start
            if origin is None:
                continue
            shifts.append(
                dispatch.Shift(
                    vkey(v.pk), origin, opens, closes, cap.can, cap.seats, cap.wheelchair
                )
            )
    requests, jobs = {}, []
    locked = {
        t.request_id: t
        for t in Trip.objects.filter(
            status__in=LOCKED_TRIPS, request__in=requests_for_day(day, campaign=campaign)
        )
    }
    for r in requests_for_day(day, campaign=campaign):
        key = rkey(r.pk)
        requests[key] = r
        trip = locked.get(r.pk)
        preferred = r.standing.preferred_id if r.standing_id and r.standing.preferred_id else None
        jobs.append(
            dispatch.Job(
                key=key,
                pickup=r.pickup,
                dropoff=r.dropoff,
                earliest=to_minutes(day, r.earliest),
                latest=to_minutes(day, r.latest),
                needs=dispatch.MEAL if r.kind == Request.Kind.MEAL else dispatch.DRIVE,
                passengers=r.passengers if r.kind != Request.Kind.MEAL else 0,
                wheelchair=r.wheelchair,
                preferred=vkey(preferred) if preferred else None,
                pinned=vkey(trip.volunteer_id)
                if trip
                else (vkey(r.pinned_id) if r.pinned_id else None),
                locked_at=to_minutes(day, trip.pickup_at) if trip else None,
            )
        )
    return DayInput(day, jobs, shifts, requests, vols)


# --- The document anyone can check ------------------------------------------------------------


def _point(p) -> dict:
    return {"lat": round(p[0], 6), "lng": round(p[1], 6)}


def _iso(day, minute) -> str:
    return timezone.localtime(at_minute(day, minute)).isoformat(timespec="minutes")


def plan_document(inp: DayInput, plans: dict[str, dispatch.Plan]) -> dict:
    day = inp.day
    volunteers = []
    for key, (_v, cap, windows) in sorted(inp.volunteers.items()):
        volunteers.append(
            {
                "id": key,
                "qualified_for": sorted("ride" if c == dispatch.DRIVE else "meal" for c in cap.can),
                "seats": cap.seats,
                "wheelchair": cap.wheelchair,
                "credentials": [
                    {"kind": k, "valid_until": u.isoformat()} for k, u in cap.credentials
                ],
                "windows": [{"from": _iso(day, o), "to": _iso(day, c)} for o, c, _place in windows],
            }
        )
    requests = [
        {
            "id": j.key,
            "kind": inp.requests[j.key].kind,
            "needs": "ride" if j.needs == dispatch.DRIVE else "meal",
            "passengers": j.passengers,
            "wheelchair": j.wheelchair,
            "pickup": _point(j.pickup),
            "dropoff": _point(j.dropoff),
            "window": {
                "earliest_pickup": _iso(day, j.earliest),
                "latest_dropoff": _iso(day, j.latest),
            },
            "locked_to": j.pinned if j.locked_at is not None else None,
        }
        for j in inp.jobs
    ]
    doc = {
        "day": day.isoformat(),
        "timezone": "Asia/Shanghai",
        "travel_model": DEFAULT.describe(),
        "volunteers": volunteers,
        "requests": requests,
    }
    for name, plan in plans.items():
        trips = []
        for leg in sorted(plan.legs, key=lambda leg: (leg.volunteer, leg.pickup_at)):
            shift = inp.shifts[leg.shift]
            trips.append(
                {
                    "request": leg.job,
                    "volunteer": leg.volunteer,
                    "start": _point(shift.start),
                    "window": {"from": _iso(day, shift.opens), "to": _iso(day, shift.closes)},
                    "leave_at": _iso(day, leg.leave_at),
                    "pickup_at": _iso(day, leg.pickup_at),
                    "dropoff_at": _iso(day, leg.dropoff_at),
                    "empty_km": round(leg.empty_km, 3),
                    "late": leg.job in plan.late,
                }
            )
        doc[name] = {**plan.figures(), "trips": trips, "unserved_requests": sorted(plan.unserved)}
    return doc


def busiest_upcoming_day(now: dt.datetime | None = None) -> dt.date | None:
    """The day the demo planned for: the coming day with the most requests to plan."""
    today = timezone.localdate(now)
    days: dict[dt.date, int] = {}
    for earliest in Request.objects.filter(
        Q(earliest__gte=day_start(today)), status__in=PLANNABLE
    ).values_list("earliest", flat=True):
        d = timezone.localdate(earliest)
        days[d] = days.get(d, 0) + 1
    if not days:
        return None
    return max(sorted(days), key=lambda d: days[d])
