"""Training and events: the readers — what a worker may join, an organiser's console and
door, the demand grouped by topic and district, certificates and calendars."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import NotAllowed, NotFound
from yizhan.core.geo import haversine_m
from yizhan.core.pii import mask_mobile, mask_name
from yizhan.training import permissions as perms
from yizhan.training.models import (
    Activity,
    Attendance,
    CourseWish,
    Enrolment,
    Invitation,
    Session,
    Topic,
)

Status = Enrolment.Status
NEAR_M = 15_000


# --- what a worker sees ----------------------------------------------------------------------


def _visible_q(worker) -> Q:
    profile = getattr(worker, "worker", None)
    q = (
        Q(audience=Activity.Audience.ALL)
        | Q(invitations__worker=worker)
        | Q(enrolments__worker=worker)
    )
    if profile is not None:
        if profile.platform_id:
            q |= Q(audience=Activity.Audience.PLATFORM, audience_platform_id=profile.platform_id)
        q |= Q(audience=Activity.Audience.DISTRICT, audience_district_id=profile.home_district_id)
    return q


@dataclass
class Listing:
    activity: Activity
    enrolment: Enrolment | None = None
    distance_m: float | None = None
    usual: bool = False


def upcoming_for_worker(*, worker, lat=None, lng=None, kind: str = "", now=None) -> dict:
    """Upcoming courses and events a worker may join: those at their usual stations first,
    then the rest — nearest first when the phone shares its location (within 15 km, and
    the online ones), else soonest first."""
    from yizhan.stations import selectors as stations

    now = now or timezone.now()
    qs = (
        Activity.objects.filter(state=Activity.State.PUBLISHED, ends_at__gt=now)
        .filter(_visible_q(worker))
        .select_related("station")
        .distinct()
        .order_by("starts_at", "id")
    )
    if kind == "course":
        qs = qs.filter(kind=Activity.Kind.COURSE)
    elif kind == "event":
        qs = qs.exclude(kind=Activity.Kind.COURSE)
    activities = list(qs[:200])
    mine = {
        e.activity_id: e for e in Enrolment.objects.filter(worker=worker, activity__in=activities)
    }
    usual_ids = set(stations.usual_station_ids(worker_id=worker.pk))
    usual, others = [], []
    for a in activities:
        item = Listing(a, mine.get(a.pk), usual=a.station_id in usual_ids)
        if lat is not None and lng is not None and a.lat is not None:
            item.distance_m = haversine_m(lat, lng, a.lat, a.lng)
        if item.usual:
            usual.append(item)
        elif lat is None or item.distance_m is None or item.distance_m <= NEAR_M:
            others.append(item)
    if lat is not None:
        others.sort(key=lambda i: (i.distance_m is None, i.distance_m or 0, i.activity.starts_at))
    return {"usual": usual, "others": others}


def activity_for_viewer(*, user, activity_id: int) -> tuple[Activity, Enrolment | None]:
    """One activity and the viewer's sign-up, if the viewer may see it (404 otherwise)."""
    activity = (
        Activity.objects.select_related("station", "audience_platform", "audience_district")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None or not getattr(user, "is_authenticated", False):
        raise NotFound
    enrolment = Enrolment.objects.filter(activity=activity, worker=user).first()
    invited = Invitation.objects.filter(activity=activity, worker=user).exists()
    if not perms.can_see(user, activity, invited=invited, enrolled=enrolment is not None):
        raise NotFound
    return activity, enrolment


def waitlist_position(enrolment: Enrolment) -> int | None:
    if enrolment.status != Status.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(
        activity_id=enrolment.activity_id, status=Status.WAITLISTED
    ).filter(
        Q(queued_at__lt=enrolment.queued_at) | Q(queued_at=enrolment.queued_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


def my_enrolments(*, worker, now=None) -> dict:
    now = now or timezone.now()
    rows = list(
        Enrolment.objects.filter(worker=worker)
        .select_related("activity__station")
        .order_by("activity__starts_at", "id")
    )
    for e in rows:
        e.position = waitlist_position(e)
    return {
        "offers": [e for e in rows if e.status == Status.OFFERED and e.activity.ends_at > now],
        "upcoming": [
            e
            for e in rows
            if e.status in (Status.CONFIRMED, Status.WAITLISTED)
            and e.activity.ends_at > now
            and e.completed_at is None
        ],
        "completed": sorted(
            (e for e in rows if e.completed_at is not None),
            key=lambda e: e.completed_at,
            reverse=True,
        ),
    }


def sessions_of(activity: Activity) -> list[Session]:
    return list(activity.sessions.order_by("starts_at", "number"))


def attendance_of(enrolment: Enrolment | None) -> dict[int, Attendance]:
    if enrolment is None:
        return {}
    return {a.session_id: a for a in enrolment.attendances.all()}


def quiz_questions(activity: Activity) -> list:
    return list(activity.questions.order_by("position", "id"))


def open_session(activity: Activity, now=None) -> Session | None:
    """The session whose door is open now (or next), for the worker's check-out button."""
    now = now or timezone.now()
    return activity.sessions.filter(ends_at__gte=now).order_by("starts_at").first()


def symposium_demands(*, activity: Activity, viewer=None) -> list[dict]:
    """What became of each demand raised at a symposium (never who raised it, except to
    the person themselves)."""
    from yizhan.training import services

    if not activity.is_symposium or activity.case_symposium_id is None:
        return []
    rows = services.cases_symposium_demands(symposium_id=activity.case_symposium_id)
    viewer_id = getattr(viewer, "pk", None)
    for row in rows:
        owner = row.pop("worker_id", None)
        row["mine"] = viewer_id is not None and owner == viewer_id
    return rows


# --- certificates and calendars ---------------------------------------------------------------


def certificate_for_owner(*, user, code: str) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("activity__station", "worker")
        .filter(certificate_code=_clean_code(code), worker=user)
        .first()
    )
    if enrolment is None:
        raise NotFound
    return enrolment


def _clean_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]


def certificate_lookup(*, code: str) -> dict | None:
    """The public check of a certificate: what it certifies, the name masked."""
    enrolment = (
        Enrolment.objects.select_related("activity", "worker")
        .filter(certificate_code=_clean_code(code) or "-")
        .first()
    )
    if enrolment is None or enrolment.completed_at is None:
        return None
    activity = enrolment.activity
    return {
        "code": enrolment.display_certificate_code,
        "holder": mask_name(enrolment.worker.name),
        "course": activity.title,
        "topic": activity.get_topic_display(),
        "hours": course_hours(activity),
        "completed_at": enrolment.completed_at,
        "organiser": organiser_label(activity),
    }


def course_hours(activity: Activity) -> float:
    minutes = sum(s.minutes for s in activity.sessions.all())
    return round(minutes / 60, 1)


def organiser_label(activity: Activity) -> str:
    for owner in (activity.owner_station, activity.owner_department, activity.owner_platform):
        if owner is not None:
            return str(owner)
    return str(_("Lanzhou social work department"))


def feed_sessions(*, worker, now=None) -> list[Session]:
    """The sessions of everything the worker holds a place in, from a month ago on."""
    now = now or timezone.now()
    return list(
        Session.objects.filter(
            activity__enrolments__worker=worker,
            activity__enrolments__status__in=Enrolment.HOLDS_PLACE,
            ends_at__gte=now - dt.timedelta(days=31),
        )
        .select_related("activity__station")
        .order_by("starts_at")
    )


# --- the organiser's console --------------------------------------------------------------------


def _managed_q(user) -> Q | None:
    """Activities the user manages (None: all of them)."""
    if perms.is_city_wide(user):
        return None
    q = Q(organiser=user)
    if perms.keeper_station_ids(user):
        q |= Q(owner_station_id__in=perms.keeper_station_ids(user))
    if perms.department_ids(user):
        q |= Q(owner_department_id__in=perms.department_ids(user))
    if perms.platform_ids(user):
        q |= Q(owner_platform_id__in=perms.platform_ids(user))
    from yizhan.accounts.permissions import Role, has_role

    if has_role(user, Role.DISPATCHER):
        q |= Q(kind=Activity.Kind.SYMPOSIUM)
    return q


def console_activities(*, user, past: bool = False, now=None):
    if not perms.uses_console(user):
        raise NotAllowed
    now = now or timezone.now()
    qs = Activity.objects.select_related("station")
    q = _managed_q(user)
    if q is not None:
        qs = qs.filter(q)
    qs = qs.filter(ends_at__lte=now) if past else qs.filter(ends_at__gt=now)
    return qs.annotate(
        n_waiting=Count(
            "enrolments", filter=Q(enrolments__status=Status.WAITLISTED), distinct=True
        ),
        n_done=Count("enrolments", filter=Q(enrolments__completed_at__isnull=False), distinct=True),
    ).order_by("-starts_at" if past else "starts_at", "id")


def activity_for_manager(*, user, activity_id: int) -> Activity:
    activity = (
        Activity.objects.select_related("station", "audience_platform", "audience_district")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound
    if not perms.can_manage(user, activity):
        raise NotAllowed
    return activity


def session_for_manager(*, user, session_id: int) -> Session:
    session = Session.objects.select_related("activity__station").filter(pk=session_id).first()
    if session is None:
        raise NotFound
    if not perms.can_manage(user, session.activity):
        raise NotAllowed
    return session


@dataclass
class RosterRow:
    enrolment_id: int
    name: str  # masked
    mobile: str  # masked
    status: str
    status_label: str
    walk_in: bool
    completed: bool
    checked_in: dict = field(default_factory=dict)  # session id -> Attendance


def roster(*, activity: Activity) -> list[RosterRow]:
    """Everyone signed up or waiting, names and numbers masked, with their check-ins."""
    enrolments = list(
        activity.enrolments.exclude(status__in=[Status.CANCELLED])
        .select_related("worker")
        .order_by("status", "queued_at", "signed_up_at", "id")
    )
    seen = defaultdict(dict)
    for a in Attendance.objects.filter(enrolment__activity=activity):
        seen[a.enrolment_id][a.session_id] = a
    order = {Status.CONFIRMED: 0, Status.OFFERED: 1, Status.WAITLISTED: 2}
    enrolments.sort(key=lambda e: (order.get(e.status, 3), e.queued_at or e.signed_up_at, e.pk))
    return [
        RosterRow(
            enrolment_id=e.pk,
            name=mask_name(e.worker.name) or "—",
            mobile=mask_mobile(e.worker.mobile),
            status=e.status,
            status_label=e.get_status_display(),
            walk_in=e.walk_in,
            completed=e.completed_at is not None,
            checked_in=seen.get(e.pk, {}),
        )
        for e in enrolments
    ]


def attendee_choices(activity: Activity) -> list[tuple[int, str]]:
    """(worker id, masked name and mobile) of everyone with a place, for the demand form."""
    rows = activity.enrolments.filter(status__in=Enrolment.HOLDS_PLACE).select_related("worker")
    return [
        (e.worker_id, f"{mask_name(e.worker.name) or '—'} {mask_mobile(e.worker.mobile)}")
        for e in rows.order_by("signed_up_at", "id")
    ]


def roster_search(*, activity: Activity, q: str, limit: int = 10) -> list[RosterRow]:
    """Find a signed-up worker by part of their name or the last digits of their mobile:
    names are encrypted, so the few hundred rows of one activity are searched in memory;
    the results stay masked."""
    q = (q or "").strip()
    if not q:
        return []
    found = []
    for e in activity.enrolments.filter(status__in=Enrolment.HOLDS_PLACE).select_related("worker"):
        name, mobile = e.worker.name or "", e.worker.mobile or ""
        if (q in name) or (q.isdigit() and len(q) >= 4 and mobile.endswith(q)):
            found.append(e)
        if len(found) >= limit:
            break
    checked = set(
        Attendance.objects.filter(enrolment__in=found).values_list("enrolment_id", "session_id")
    )
    return [
        RosterRow(
            enrolment_id=e.pk,
            name=mask_name(e.worker.name) or "—",
            mobile=mask_mobile(e.worker.mobile),
            status=e.status,
            status_label=e.get_status_display(),
            walk_in=e.walk_in,
            completed=e.completed_at is not None,
            checked_in={s: True for (en, s) in checked if en == e.pk},
        )
        for e in found
    ]


def door_counts(session: Session) -> dict:
    attendances = Attendance.objects.filter(session=session)
    return {
        "places": session.activity.enrolments.filter(status__in=Enrolment.HOLDS_PLACE).count(),
        "in": attendances.count(),
        "out": attendances.filter(checked_out_at__isnull=False).count(),
    }


def recent_check_ins(session: Session, limit: int = 8) -> list[dict]:
    rows = (
        Attendance.objects.filter(session=session)
        .select_related("enrolment__worker")
        .order_by("-checked_in_at", "-id")[:limit]
    )
    return [
        {
            "name": mask_name(a.enrolment.worker.name) or "—",
            "at": a.checked_in_at,
            "out": a.checked_out_at,
            "method": a.get_method_display(),
            "enrolment_id": a.enrolment_id,
        }
        for a in rows
    ]


def station_choices(*, user) -> list[tuple[int, str]]:
    """The stations an organiser may hold something at: a keeper's own, else all."""
    from yizhan.stations import selectors as stations

    own = perms.keeper_station_ids(user)
    if own and not perms.can_hold_at(user, -1):
        rows = stations.stations_by_ids(sorted(own))
        return [(s.pk, s.name) for s in rows]
    hits = stations.filtered_stations()
    centres = [h for h in hits if h.entry.kind in ("regional", "business")]
    rest = [h for h in hits if h.entry.kind not in ("regional", "business")]
    return [(h.entry.id, f"{h.entry.name} ({h.entry.code})") for h in centres + rest]


WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def station_heat(*, station_id: int, days: int = 56, top: int = 3) -> dict:
    """A station's visitors by weekday and hour (from check-ins) and its busiest slots."""
    from yizhan.stations import selectors as stations

    grid = stations.visits_by_weekday_hour(station_id=station_id, days=days)
    slots = sorted(
        ((n, wd, h) for wd, row in enumerate(grid) for h, n in enumerate(row) if n),
        key=lambda t: (-t[0], t[1], t[2]),
    )[:top]
    top_n = max((max(row) for row in grid), default=0)
    return {
        "days": days,
        "grid": grid,
        "chart": {"grid": grid, "max": top_n, "weekdays": [str(w) for w in WEEKDAYS]},
        "rows": [
            {
                "weekday": WEEKDAYS[wd],
                "cells": [(n, -(-5 * n // top_n) if top_n else 0) for n in row],
            }
            for wd, row in enumerate(grid)
        ],
        "max": top_n,
        "total": sum(sum(row) for row in grid),
        "busiest": [
            {"weekday": WEEKDAYS[wd], "weekday_index": wd, "hour": h, "n": n} for n, wd, h in slots
        ],
    }


# --- the demand: course wishes and training-need cases by topic and district ---------------------

TOPIC_WORDS = [
    # Most specific first: "电工" before the "电" of e-bikes.
    (Topic.ELECTRICIAN, ("电工", "electrician")),
    (Topic.FIRST_AID, ("急救", "心肺复苏", "救护", "first aid", "cpr")),
    (Topic.EBIKE_SAFETY, ("电动车", "电瓶车", "电池", "充电", "骑行安全", "e-bike", "ebike")),
    (Topic.TRAFFIC_RULES, ("交通", "交规", "驾驶", "违章", "traffic")),
    (Topic.LABOUR_RIGHTS, ("劳动", "权益", "合同", "法律", "维权", "labour", "law")),
    (Topic.DIGITAL, ("电脑", "手机", "数字", "直播", "电商", "computer", "digital")),
    (Topic.CAREER, ("技能", "学历", "职业", "证书", "考证", "skill")),
]


def topic_of(text: str) -> str:
    lowered = (text or "").lower()
    for topic, words in TOPIC_WORDS:
        if any(w in lowered for w in words):
            return topic
    return Topic.OTHER


@dataclass
class DemandGroup:
    topic: str
    district_id: int | None
    district: str = ""
    case_ids: list = field(default_factory=list)
    wish_ids: list = field(default_factory=list)
    worker_ids: list = field(default_factory=list)
    samples: list = field(default_factory=list)
    answered_by: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.case_ids) + len(self.wish_ids)

    @property
    def topic_label(self):
        return Topic(self.topic).label


def demand_groups(*, since=None, include_answered: bool = False) -> list[DemandGroup]:
    """Training-need cases and open course wishes, grouped by topic and district, the
    largest group first. A case or a wish that a course already cites is left out."""
    from yizhan.places import selectors as places
    from yizhan.training import services

    since = since or timezone.now() - dt.timedelta(days=365)
    cited = set()
    for cites in Activity.objects.exclude(cites={}).values_list("cites", flat=True):
        cited.update(cites.get("case_ids") or [])
    groups: dict[tuple, DemandGroup] = {}

    def group(topic, district_id):
        key = (topic, district_id)
        if key not in groups:
            groups[key] = DemandGroup(topic=topic, district_id=district_id)
        return groups[key]

    for case in services.cases_training_needs(since=since):
        if case["id"] in cited and not include_answered:
            continue
        g = group(topic_of(case["description"]), case["district_id"])
        g.case_ids.append(case["id"])
        if case["worker_id"]:
            g.worker_ids.append(case["worker_id"])
        if len(g.samples) < 3:
            g.samples.append(case["description"][:80])
    wishes = CourseWish.objects.filter(created_at__gte=since)
    if not include_answered:
        wishes = wishes.filter(answered_by=None)
    for wish in wishes.order_by("id"):
        g = group(wish.topic, wish.district_id)
        g.wish_ids.append(wish.pk)
        g.worker_ids.append(wish.worker_id)
        if wish.note and len(g.samples) < 3:
            g.samples.append(wish.note[:80])
    names = {d.pk: d.name for d in places.districts()}
    for g in groups.values():
        g.district = names.get(g.district_id, "") if g.district_id else ""
        g.worker_ids = sorted(set(g.worker_ids))
    return sorted(groups.values(), key=lambda g: (-g.count, g.topic, g.district_id or 0))


def demand_group(*, topic: str, district_id: int | None) -> DemandGroup | None:
    for g in demand_groups():
        if g.topic == topic and g.district_id == district_id:
            return g
    return None


# --- the door, for pages --------------------------------------------------------------------------


def session_brief(*, session_id: int) -> Session:
    session = Session.objects.select_related("activity__station").filter(pk=session_id).first()
    if session is None:
        raise NotFound
    return session


def worker_attendance(*, worker, session: Session) -> Attendance | None:
    return Attendance.objects.filter(session=session, enrolment__worker=worker).first()


def feed_owner(*, token: str):
    from django.contrib.auth import get_user_model

    from yizhan.training import tokens

    user_id = tokens.read_feed_token(token)
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def worker_ids_by_mobile(text: str) -> list[int]:
    """Workers named by mobile number, one a line (unknown numbers are skipped)."""
    from yizhan.accounts import selectors as accounts

    ids = []
    for line in (text or "").splitlines()[:200]:
        if line.strip():
            profile = accounts.worker_list(mobile=line.strip()).first()
            if profile is not None:
                ids.append(profile.user_id)
    return ids


def pass_holder(*, code: str) -> dict:
    """Whose personal code this is, masked, for the organiser's confirmation."""
    from django.contrib.auth import get_user_model

    from yizhan.training import tokens

    user = get_user_model().objects.filter(pk=tokens.read_personal_code(code)).first()
    if user is None:
        raise NotFound
    return {"name": mask_name(user.name) or "—", "mobile": mask_mobile(user.mobile)}


def open_sessions_for(*, user, now=None) -> list[Session]:
    """The sessions an organiser manages whose door is open now."""
    from yizhan.training import conf

    now = now or timezone.now()
    qs = Session.objects.select_related("activity").filter(
        activity__state=Activity.State.PUBLISHED,
        starts_at__lte=now + dt.timedelta(minutes=conf.DOORS_OPEN_MINUTES),
        ends_at__gte=now,
    )
    q = _managed_q(user)
    if q is not None:
        qs = qs.filter(activity__in=Activity.objects.filter(q))
    return list(qs.order_by("starts_at")[:20])
