"""Volunteer services: the readers. Staff see beneficiaries masked; unmasking is audited."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from yizhan.core import audit
from yizhan.core.errors import NotAllowed, NotFound
from yizhan.core.pii import mask_mobile, mask_name
from yizhan.volunteering import dispatch, links, permissions, planning
from yizhan.volunteering.models import (
    Availability,
    Beneficiary,
    Campaign,
    Credential,
    HoursRecord,
    Plan,
    Request,
    Team,
    Trip,
    Volunteer,
)
from yizhan.volunteering.travel import DEFAULT

EXPIRY_WARNING_DAYS = 30
PALETTE = ["#c8102e", "#0a5bd3", "#1a7f37", "#8a5300", "#6f42c1", "#d63384", "#0f766e", "#b45309"]
TIMELINE_FROM, TIMELINE_TO = 6 * 60, 21 * 60


# --- The volunteer's own pages -----------------------------------------------------------------


def volunteer_for(user) -> Volunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).select_related("station").first()


def my_trips(user, *, upcoming: bool = True):
    qs = Trip.objects.filter(volunteer__user=user).select_related("request__beneficiary")
    if upcoming:
        qs = qs.filter(
            status__in=[Trip.Status.OFFERED, *Trip.ACTIVE[:3]],
            pickup_at__gte=timezone.now() - dt.timedelta(hours=12),
        )
    return qs.order_by("pickup_at")


def trip_for_volunteer(user, trip_id: int) -> Trip:
    trip = (
        Trip.objects.select_related("request__beneficiary", "volunteer__user")
        .filter(pk=trip_id)
        .first()
    )
    if trip is None or not permissions.can_act_on_trip(user, trip):
        raise NotFound()
    return trip


def trip_card(trip: Trip) -> dict:
    """What the volunteer sees: the person masked, the places, directions, the steps."""
    r = trip.request
    b = r.beneficiary
    riding = r.kind == Request.Kind.MEAL
    return {
        "trip": trip,
        "request": r,
        "who": b.masked_name,
        "phone": b.mobile or b.contact_mobile,
        "phone_masked": mask_mobile(b.mobile or b.contact_mobile),
        "needs": [
            label
            for flag, label in ((r.wheelchair, "wheelchair"), (r.passengers > 1, "companion"))
            if flag
        ],
        "pickup_links": links.directions(
            name=r.pickup_label, lat=r.pickup_lat, lng=r.pickup_lng, riding=riding
        ),
        "dropoff_links": links.directions(
            name=r.dropoff_label, lat=r.dropoff_lat, lng=r.dropoff_lng, riding=riding
        ),
        "ride_km": round(DEFAULT.km(r.pickup, r.dropoff), 1),
        "events": list(trip.events.all()),
    }


def my_availability(user):
    return Availability.objects.filter(
        Q(kind=Availability.Kind.WEEKLY) | Q(ends_at__gt=timezone.now()), volunteer__user=user
    ).order_by("kind", "weekday", "starts", "starts_at")


def my_hours(user) -> dict:
    records = HoursRecord.objects.filter(volunteer__user=user).select_related("trip__request")
    total = records.aggregate(h=Sum("hours"))["h"] or Decimal("0")
    return {"records": records, "total": total, "trips": records.count()}


def hours_rows(*, user=None):
    """Rows for the Excel hours record (志愿时长): one per confirmed trip."""
    qs = HoursRecord.objects.select_related("trip__request", "volunteer__user").order_by(
        "created_at"
    )
    if user is not None:
        qs = qs.filter(volunteer__user=user)
    for h in qs:
        yield {
            "date": timezone.localtime(h.trip.pickup_at).strftime("%Y-%m-%d"),
            "volunteer": mask_name(h.volunteer.user.name)
            if user is None
            else h.volunteer.user.name,
            "kind": str(h.trip.request.get_kind_display()),
            "from": h.trip.request.pickup_label if user is not None else "",
            "to": h.trip.request.dropoff_label if user is not None else "",
            "minutes": h.minutes,
            "hours": float(h.hours),
            "confirmed_via": h.trip.confirmed_via,
        }


def points_balance(user) -> int:
    from yizhan.points.selectors import worker_balance

    return worker_balance(user)["balance"]


# --- Beneficiaries (masked, scoped) ------------------------------------------------------------


def beneficiaries_for(user, *, kind: str = ""):
    if not permissions.can_register_beneficiaries(user):
        raise NotAllowed()
    qs = Beneficiary.objects.filter(erased_at=None).select_related("community")
    if not permissions.is_coordinator(user):
        qs = qs.filter(community_id__in=permissions.community_ids(user))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def beneficiary_for(user, beneficiary_id: int) -> Beneficiary:
    b = Beneficiary.objects.select_related("community").filter(pk=beneficiary_id).first()
    if b is None or not permissions.can_view_beneficiary(user, b):
        raise NotFound()
    return b


def beneficiary_reveal(*, user, beneficiary: Beneficiary, reason: str, request=None) -> dict:
    """The unmasked record, for staff with a reason; the read lands in the audit log."""
    if not permissions.can_view_beneficiary(user, beneficiary):
        raise NotAllowed()
    fields = ("name", "mobile", "address", "contact_mobile", "health_note")
    audit.record(
        actor=user,
        action="volunteering.beneficiary.reveal",
        subject=beneficiary,
        fields=fields,
        reason=reason,
        request=request,
    )
    return {f: getattr(beneficiary, f) for f in (*fields, "contact_name", "diet_note")}


# --- The coordinator's console -----------------------------------------------------------------


def requests_on(day: dt.date, *, campaign=None):
    start = planning.day_start(day)
    qs = Request.objects.filter(earliest__gte=start, earliest__lt=start + dt.timedelta(days=1))
    if campaign is not None:
        qs = qs.filter(session__site__campaign=campaign)
    return qs.select_related("beneficiary", "pinned__user", "standing").order_by("earliest", "id")


def latest_plan(day: dt.date) -> Plan | None:
    return Plan.objects.filter(day=day).order_by("-created_at", "-id").first()


def day_trips(day: dt.date):
    start = planning.day_start(day)
    return (
        Trip.objects.filter(
            request__earliest__gte=start,
            request__earliest__lt=start + dt.timedelta(days=1),
        )
        .exclude(status__in=[Trip.Status.WITHDRAWN, Trip.Status.DECLINED, Trip.Status.CANCELLED])
        .select_related("request__beneficiary", "volunteer__user")
        .order_by("volunteer_id", "pickup_at")
    )


def _pct(minute: int) -> float:
    span = TIMELINE_TO - TIMELINE_FROM
    return round(max(0, min(span, minute - TIMELINE_FROM)) / span * 100, 2)


def day_board(day: dt.date) -> dict:
    """Requests, the plan's trips on a map and a timeline (with a table alternative)."""
    requests = list(requests_on(day))
    trips = list(day_trips(day))
    by_request = {}
    for t in trips:
        by_request.setdefault(t.request_id, t)
    colours, rows, routes = {}, [], []
    for t in trips:
        colour = colours.setdefault(t.volunteer_id, PALETTE[len(colours) % len(PALETTE)])
        if not rows or rows[-1]["volunteer"].pk != t.volunteer_id:
            rows.append({"volunteer": t.volunteer, "colour": colour, "blocks": []})
            routes.append(
                {
                    "colour": colour,
                    "name": mask_name(t.volunteer.user.name),
                    "start": [t.start_lat, t.start_lng],
                    "stops": [],
                }
            )
        leave, pick = planning.to_minutes(day, t.leave_at), planning.to_minutes(day, t.pickup_at)
        drop = planning.to_minutes(day, t.dropoff_at)
        rows[-1]["blocks"].append(
            {
                "trip": t,
                "approach_left": _pct(leave),
                "approach_width": max(0.3, _pct(pick) - _pct(leave)),
                "left": _pct(pick),
                "width": max(0.6, _pct(drop) - _pct(pick)),
            }
        )
        r = t.request
        routes[-1]["stops"].append(
            {
                "pickup": [r.pickup_lat, r.pickup_lng],
                "dropoff": [r.dropoff_lat, r.dropoff_lng],
                "label": f"#{r.pk} {timezone.localtime(t.pickup_at):%H:%M}-{timezone.localtime(t.dropoff_at):%H:%M}",
                "status": t.status,
            }
        )
    waiting = [
        {"pickup": [r.pickup_lat, r.pickup_lng], "label": f"#{r.pk}"}
        for r in requests
        if r.pk not in by_request and r.status == Request.Status.OPEN
    ]
    hours = [
        {"label": f"{h:02d}:00", "left": _pct(h * 60)}
        for h in range(TIMELINE_FROM // 60, TIMELINE_TO // 60 + 1, 2)
    ]
    for r in requests:
        r.trip = by_request.get(r.pk)
    return {
        "requests": requests,
        "trips": trips,
        "rows": rows,
        "hours": hours,
        "map": {"routes": routes, "waiting": waiting},
        "plan": latest_plan(day),
        "counts": {
            "requests": len(requests),
            "open": sum(r.status == Request.Status.OPEN for r in requests),
            "accepted": sum(t.status in Trip.ACTIVE for t in trips),
        },
    }


def pinnable_volunteers():
    return Volunteer.objects.filter(user__is_active=True).select_related("user").order_by("id")


def teams():
    return Team.objects.annotate(members=Count("memberships")).order_by("name")


def team_members(team: Team):
    return team.memberships.select_related("volunteer__user").order_by("-leader", "id")


def expiring_credentials(*, within_days: int = EXPIRY_WARNING_DAYS):
    """Credentials that lapse within 30 days (or have lapsed): the member is offered fewer
    trips until they are renewed."""
    today = timezone.localdate()
    return (
        Credential.objects.filter(valid_until__lte=today + dt.timedelta(days=within_days))
        .select_related("volunteer__user")
        .order_by("valid_until")
    )


def volunteer_roster(day: dt.date | None = None) -> list[dict]:
    day = day or timezone.localdate()
    out = []
    for v in planning.volunteers_for_day(day):
        cap = planning.capability(v, day, list(v.credentials.all()))
        out.append(
            {
                "volunteer": v,
                "can_drive": dispatch.DRIVE in cap.can,
                "can_meal": dispatch.MEAL in cap.can,
                "seats": cap.seats,
                "wheelchair": cap.wheelchair,
                "windows": [
                    f"{o // 60:02d}:{o % 60:02d}-{c // 60:02d}:{c % 60:02d}"
                    for o, c, _p in planning.windows_on(v, day, list(v.availability.all()))
                ],
            }
        )
    return out


def campaigns():
    return Campaign.objects.order_by("-starts_on")


def campaign_board(campaign: Campaign) -> dict:
    sites = []
    for site in campaign.sites.prefetch_related("sessions", "duties__volunteer__user"):
        requests = Request.objects.filter(session__site=site).exclude(
            status=Request.Status.CANCELLED
        )
        sites.append(
            {
                "site": site,
                "sessions": list(site.sessions.all()),
                "students": requests.count(),
                "covered": requests.filter(
                    status__in=[Request.Status.ASSIGNED, Request.Status.DONE]
                ).count(),
                "planned": requests.filter(status=Request.Status.PLANNED).count(),
                "duties": list(site.duties.all()),
            }
        )
    return {"campaign": campaign, "sites": sites}


def plan_document_for_day(day: dt.date, *, time_limit_s: float = 5.0) -> dict:
    """Solve a day without storing anything and describe both plans (the `volunteer plan`
    command prints this)."""
    inp = planning.build_input(day)
    best = dispatch.solve(inp.jobs, inp.shifts, time_limit_s=time_limit_s)
    baseline = dispatch.greedy(inp.jobs, inp.shifts)
    return planning.plan_document(inp, {"or_tools": best, "greedy": baseline})


def demo_day() -> dt.date | None:
    return planning.busiest_upcoming_day()
