"""Training and events, top to bottom: an organiser creates a course or an event (one-off or
recurring, for an audience, citing the demand it answers); workers sign up in one tap or
join the waiting list, which offers a freed place for a few hours; reminders go out the day
before; at the door the worker scans the rotating code or the organiser scans the worker's
personal code (or finds them by name); completion publishes "training.completed" or
"event.attended" exactly once, and the points bank pays by its rules. A symposium's
demands become cases through the cases app (the one block at the end of this module).

Every function is one use case in one transaction, with keyword-only arguments. Places are
counted in `Activity.taken` and changed only by conditional updates under the activity's
row lock (`_lock_activity`), so the capacity holds whatever runs at the same time.
"""

import calendar
import datetime as dt
import logging
import secrets
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from yizhan.core import events, idempotency
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.geo import CRS_CHOICES, haversine_m, to_wgs84, validate_lat_lng
from yizhan.core.notifications import notify, notify_many
from yizhan.core.pii import mask_name
from yizhan.training import conf, tokens
from yizhan.training import permissions as perms
from yizhan.training.events import EVENT_ATTENDED, TRAINING_COMPLETED
from yizhan.training.models import (
    Activity,
    Attendance,
    CourseWish,
    Enrolment,
    Invitation,
    QuizQuestion,
    Session,
    Topic,
)

logger = logging.getLogger("yizhan.training")
Status = Enrolment.Status
REPEATS = ("daily", "weekly", "fortnightly", "monthly")
CENTRE_KINDS = ("regional", "business")
MAX_SESSION = dt.timedelta(hours=24)


def _now(now):
    return now or timezone.now()


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def activity_url(activity) -> str:
    return reverse("training:activity", args=[activity.pk])


# --- creating courses and events ------------------------------------------------------------


@dataclass
class ActivityData:
    """What an organiser fills in; `repeat` is a course's number of sessions, or the number
    of occurrences of a recurring event (`every` day, week, fortnight or month)."""

    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    description: str = ""
    topic: str = ""
    station_id: int | None = None
    online: bool = False
    online_url: str = ""
    venue: str = ""
    repeat: int = 1
    every: str = "weekly"
    signup_deadline: dt.datetime | None = None
    offer_hours: int = conf.OFFER_HOURS
    audience: str = Activity.Audience.ALL
    audience_platform_id: int | None = None
    audience_district_id: int | None = None
    walk_ins: bool = False
    certificate: bool = False
    min_attendance_percent: int = 0
    quiz: list = field(default_factory=list)  # [{"text", "choices": [..], "answer": i}]
    quiz_pass_percent: int | None = None
    cites: dict | None = None  # {"topic", "district_id"}: the demand group it answers
    invite_worker_ids: list = field(default_factory=list)


def _int_in(value, low, high) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_when(data: ActivityData, now, errors: dict) -> None:
    if data.starts_at is None or data.ends_at is None:
        errors["starts_at"] = [_("Give the start and the end.")]
        return
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    elif data.ends_at - data.starts_at > MAX_SESSION:
        errors["ends_at"] = [_("A session lasts at most 24 hours; add more sessions instead.")]
    if data.starts_at <= now:
        errors["starts_at"] = [_("The start must be in the future.")]
    if not _int_in(data.repeat, 1, conf.MAX_REPEAT):
        errors["repeat"] = [_("Repeat 1 to %(n)d times.") % {"n": conf.MAX_REPEAT}]
    if data.every not in REPEATS:
        errors["every"] = [_("Choose how often it repeats.")]
    deadline = data.signup_deadline
    if deadline is not None and deadline > data.starts_at:
        errors["signup_deadline"] = [_("The sign-up deadline must not be after the start.")]
    elif deadline is not None and deadline <= now:
        errors["signup_deadline"] = [_("The sign-up deadline has already passed.")]


def _check_place(organiser, data: ActivityData, errors: dict):
    station = None
    if data.station_id is not None:
        station = _station(data.station_id)
        if station is None:
            errors["station_id"] = [_("No such station.")]
        elif not perms.can_hold_at(organiser, station.pk):
            errors["station_id"] = [_("You organise at your own station only.")]
    if station is None and not data.online and "station_id" not in errors:
        errors["station_id"] = [_("Choose the station where it takes place, or make it online.")]
    symposium = data.kind == Activity.Kind.SYMPOSIUM
    if symposium and station is not None and station.kind not in CENTRE_KINDS:
        errors["station_id"] = [_("A symposium is held at a regional or business-district centre.")]
    return station


def _check_audience(organiser, data: ActivityData, errors: dict) -> None:
    from yizhan.orgs import selectors as orgs
    from yizhan.places import selectors as places

    if data.audience not in Activity.Audience.values:
        errors["audience"] = [_("Choose who it is for.")]
    elif data.audience == Activity.Audience.PLATFORM:
        platform = orgs.platform_get(platform_id=data.audience_platform_id or 0)
        if platform is None:
            errors["audience_platform_id"] = [_("Choose the platform.")]
        elif not perms.can_target_platform(organiser, platform.pk):
            errors["audience_platform_id"] = [_("You address your own platform's workers only.")]
    elif (
        data.audience == Activity.Audience.DISTRICT
        and places.district_get(district_id=data.audience_district_id or 0) is None
    ):
        errors["audience_district_id"] = [_("Choose the district.")]


def _check_course(data: ActivityData, errors: dict) -> None:
    is_course = data.kind == Activity.Kind.COURSE
    if is_course and data.topic not in Topic.values:
        errors["topic"] = [_("Choose what the course teaches.")]
    if not _int_in(data.min_attendance_percent, 0, 100):
        errors["min_attendance_percent"] = [_("Minimum attendance is 0 to 100 per cent.")]
    if data.certificate and not is_course:
        errors["certificate"] = [_("Certificates are for courses.")]
    if data.quiz and not is_course:
        errors["quiz"] = [_("Quizzes are for courses.")]
    for question in data.quiz or []:
        choices = question.get("choices") or []
        if (
            not str(question.get("text") or "").strip()
            or len(choices) < 2
            or not _int_in(question.get("answer"), 0, len(choices) - 1)
        ):
            errors["quiz"] = [_("Each question needs a text, two or more choices and the answer.")]
            break
    if data.quiz and not _int_in(data.quiz_pass_percent, 1, 100):
        errors["quiz_pass_percent"] = [_("Give the quiz's pass mark (1 to 100 per cent).")]


def _aware(moment):
    """An aware time on the whole minute (sessions are scheduled in minutes)."""
    if not isinstance(moment, dt.datetime):
        return moment
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment.replace(second=0, microsecond=0)


def _check_url(data: ActivityData, errors: dict) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if not data.online_url:
        return
    try:
        URLValidator(schemes=["http", "https"])(data.online_url)
        if len(data.online_url) > 200:
            raise ValidationError("too long")
    except ValidationError:
        errors["online_url"] = [_("Give a web address starting with https://.")]


def _validate(organiser, data: ActivityData, now):
    """Every problem with the form at once, field by field; returns the station."""
    errors: dict[str, list] = {}
    data.starts_at, data.ends_at = _aware(data.starts_at), _aware(data.ends_at)
    data.signup_deadline = _aware(data.signup_deadline)
    _check_url(data, errors)
    if data.kind not in Activity.Kind.values:
        errors["kind"] = [_("Choose a course or a kind of event.")]
    elif not perms.can_create(organiser, data.kind):
        raise NotAllowed(_("You may not organise this kind of activity."))
    title = (data.title or "").strip()
    if not title or len(title) > 120:
        errors["title"] = [_("Give a title of at most 120 characters.")]
    if len(data.description or "") > 4000:
        errors["description"] = [_("At most 4000 characters.")]
    if not _int_in(data.capacity, 1, conf.MAX_CAPACITY):
        errors["capacity"] = [
            _("Places must be a whole number from 1 to %(n)d.") % {"n": conf.MAX_CAPACITY}
        ]
    if not _int_in(data.offer_hours, 1, 168):
        errors["offer_hours"] = [_("Give a freed place 1 to 168 hours to be accepted.")]
    _check_when(data, now, errors)
    station = _check_place(organiser, data, errors)
    _check_audience(organiser, data, errors)
    _check_course(data, errors)
    if errors:
        raise Invalid(fields=errors)
    return station


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _occurrence(moment: dt.datetime, every: str, i: int) -> dt.datetime:
    """The i-th repeat of a local wall-clock time (a monthly event keeps its day of month)."""
    local = timezone.localtime(moment)
    if every == "monthly":
        return _add_months(local, i)
    days = {"daily": 1, "weekly": 7, "fortnightly": 14}[every]
    return local + dt.timedelta(days=days * i)


def _owner_scope(organiser, station) -> dict:
    """On whose behalf: the station, department or platform the organiser acts for."""
    if perms.is_city_wide(organiser):
        return {}
    if station is not None and station.pk in perms.keeper_station_ids(organiser):
        return {"owner_station": station}
    departments = sorted(perms.department_ids(organiser))
    if departments:
        return {"owner_department_id": departments[0]}
    platforms = sorted(perms.platform_ids(organiser))
    if platforms:
        return {"owner_platform_id": platforms[0]}
    return {}


def _build(organiser, data: ActivityData, station, starts, ends, **extra) -> Activity:
    return Activity(
        kind=data.kind,
        topic=data.topic or "",
        title=data.title.strip(),
        description=(data.description or "").strip(),
        organiser=organiser,
        station=station,
        online=data.online,
        online_url=data.online_url or "",
        venue=(data.venue or "").strip()[:200],
        lat=station.lat if station else None,
        lng=station.lng if station else None,
        starts_at=starts,
        ends_at=ends,
        capacity=data.capacity,
        offer_hours=data.offer_hours,
        audience=data.audience,
        audience_platform_id=data.audience_platform_id
        if data.audience == Activity.Audience.PLATFORM
        else None,
        audience_district_id=data.audience_district_id
        if data.audience == Activity.Audience.DISTRICT
        else None,
        walk_ins=data.walk_ins,
        certificate=data.certificate,
        min_attendance_percent=data.min_attendance_percent,
        quiz_pass_percent=data.quiz_pass_percent if data.quiz else None,
        **_owner_scope(organiser, station),
        **extra,
    )


def _create_all(organiser, data: ActivityData, station, key: str) -> Activity:
    length = data.ends_at - data.starts_at
    starts = [_occurrence(data.starts_at, data.every, i) for i in range(data.repeat)]
    first_deadline = data.signup_deadline or data.starts_at
    lead = data.starts_at - first_deadline
    # One course with many sessions, or a recurring event: one activity per occurrence.
    groups = [starts] if data.kind == Activity.Kind.COURSE else [[s] for s in starts]
    series = uuid.uuid4() if len(groups) > 1 else None
    created = []
    for n, group in enumerate(groups):
        activity = _build(
            organiser,
            data,
            station,
            group[0],
            group[-1] + length,
            signup_deadline=group[0] - lead,
            series=series,
            idempotency_key=key if n == 0 else "",
        )
        activity.save()
        Session.objects.bulk_create(
            Session(activity=activity, number=i + 1, starts_at=s, ends_at=s + length)
            for i, s in enumerate(group)
        )
        created.append(activity)
    first = created[0]
    if data.quiz:
        QuizQuestion.objects.bulk_create(
            QuizQuestion(
                activity=first,
                position=i,
                text=str(q["text"]).strip()[:300],
                choices=[str(c)[:200] for c in q["choices"]],
                answer=q["answer"],
            )
            for i, q in enumerate(data.quiz)
        )
    for activity in created:
        if activity.is_symposium:
            activity.case_symposium_id = cases_open_symposium(
                facilitator=organiser, activity=activity
            )
            activity.save(update_fields=["case_symposium_id"])
        if data.invite_worker_ids:
            _invite(activity, data.invite_worker_ids)
    if data.cites:
        _answer_demand(first, data.cites)
    return first


def activity_create(
    *, organiser, data: ActivityData, idempotency_key: str = "", now=None
) -> Activity:
    """An organiser publishes a course or an event (the first one of a recurring series)."""
    now = _now(now)
    if not perms.uses_console(organiser):
        raise NotAllowed(_("You may not organise courses or events."))
    station = _validate(organiser, data, now)
    key = idempotency.clean_key(idempotency_key) if idempotency_key else ""

    def create():
        return _create_all(organiser, data, station, key)

    if not key:
        with transaction.atomic():
            return create()
    activity, _created = idempotency.create_once(
        model=Activity, lookup={"organiser": organiser, "idempotency_key": key}, create=create
    )
    return activity


def new_idempotency_key() -> str:
    """A key for a create form: a double submit creates one activity."""
    return secrets.token_urlsafe(16)


@transaction.atomic
def activity_cancel(*, actor, activity_id: int, reason: str, now=None) -> Activity:
    """The organiser calls it off; everyone signed up or waiting is told (with an SMS)."""
    now = _now(now)
    activity = _lock_activity(activity_id)
    if not perms.can_manage(actor, activity):
        raise NotAllowed
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise Invalid(field="reason", message=_("Say why, in at most 300 characters."))
    if activity.state == Activity.State.CANCELLED:
        raise Conflict(_("This was already cancelled."))
    activity.state, activity.cancelled_at = Activity.State.CANCELLED, now
    activity.save(update_fields=["state", "cancelled_at"])
    people = [e.worker for e in activity.enrolments.filter(status__in=Enrolment.ACTIVE)]
    notify_many(
        users=people,
        message=_("“%(title)s” on %(when)s is cancelled: %(reason)s"),
        params={"title": activity.title, "when": _local(activity.starts_at), "reason": reason},
        url=activity_url(activity),
        verb="training",
        sms=True,
    )
    return activity


def _invite(activity, worker_ids) -> int:
    User = get_user_model()
    people = list(User.objects.filter(pk__in=worker_ids, is_active=True, worker__isnull=False))
    rows = [Invitation(activity=activity, worker=u) for u in people]
    Invitation.objects.bulk_create(rows, ignore_conflicts=True)
    notify_many(
        users=people,
        message=_("You are invited to “%(title)s” on %(when)s. Sign up in the app."),
        params={"title": activity.title, "when": _local(activity.starts_at)},
        url=activity_url(activity),
        verb="training",
    )
    return len(people)


@transaction.atomic
def invite(*, actor, activity_id: int, mobiles: list[str]) -> tuple[int, list[str]]:
    """Invite workers by mobile number; returns (invited, numbers that are not workers)."""
    from yizhan.accounts import selectors as accounts

    activity = _lock_activity(activity_id)
    if not perms.can_manage(actor, activity):
        raise NotAllowed
    found, unknown = [], []
    for mobile in mobiles[:200]:
        profile = accounts.worker_list(mobile=mobile).first() if mobile.strip() else None
        (found.append(profile.user_id) if profile else unknown.append(mobile))
    return _invite(activity, found), unknown


# --- the demand that a course answers ----------------------------------------------------------


def _answer_demand(activity: Activity, cites: dict) -> None:
    """Link the course to the wishes and training-need cases of its group and tell those
    workers that the course they asked for is open."""
    from yizhan.training import selectors

    topic, district_id = cites.get("topic"), cites.get("district_id")
    group = selectors.demand_group(topic=topic, district_id=district_id)
    if group is None:
        return
    activity.cites = {
        "topic": topic,
        "district_id": district_id,
        "case_ids": group.case_ids,
        "wish_ids": group.wish_ids,
    }
    activity.save(update_fields=["cites"])
    CourseWish.objects.filter(pk__in=group.wish_ids, answered_by=None).update(answered_by=activity)
    User = get_user_model()
    notify_many(
        users=User.objects.filter(pk__in=group.worker_ids, is_active=True),
        message=_("A course you asked for is open for sign-up: “%(title)s” on %(when)s."),
        params={"title": activity.title, "when": _local(activity.starts_at)},
        url=activity_url(activity),
        verb="training",
    )


@transaction.atomic
def wish_create(*, worker, topic: str, note: str = "") -> CourseWish:
    """A worker asks for a course (a course wish), counted with the others in their district."""
    if not perms.is_worker(worker):
        raise NotAllowed(_("Only workers make course wishes."))
    if topic not in Topic.values:
        raise Invalid(field="topic", message=_("Choose what you would like to learn."))
    note = (note or "").strip()
    if len(note) > 300 or "\x00" in note:
        raise Invalid(field="note", message=_("At most 300 characters."))
    district_id = getattr(worker.worker, "home_district_id", None)
    recent = CourseWish.objects.filter(
        worker=worker,
        topic=topic,
        answered_by=None,
        created_at__gte=timezone.now() - dt.timedelta(days=30),
    ).first()
    if recent is not None:  # one open wish per topic a month: a wish is a vote, not a spam
        raise Conflict(_("You already asked for this in the last 30 days."))
    return CourseWish.objects.create(worker=worker, topic=topic, district_id=district_id, note=note)


# --- places: sign-up, the waiting list and its offers ------------------------------------


def _lock_activity(activity_id) -> Activity:
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("station")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound
    return activity


def _take_place(activity: Activity) -> bool:
    taken = Activity.objects.filter(pk=activity.pk, taken__lt=F("capacity")).update(
        taken=F("taken") + 1
    )
    activity.refresh_from_db(fields=["taken"])
    return bool(taken)


def _free_place(activity: Activity) -> None:
    Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
    activity.refresh_from_db(fields=["taken"])


def _lock_enrolment(activity, enrolment_id, worker=None) -> Enrolment:
    qs = Enrolment.objects.select_for_update(of=("self",)).filter(
        pk=enrolment_id, activity=activity
    )
    if worker is not None:
        qs = qs.filter(worker=worker)
    enrolment = qs.first()
    if enrolment is None:
        raise NotFound
    return enrolment


def signup(*, worker, activity_id: int, now=None) -> Enrolment:
    """Sign up in one tap: a place while there is one, else the waiting list."""
    now = _now(now)
    if not perms.is_worker(worker):
        raise NotAllowed(_("Only workers sign up for courses and events."))
    try:
        with transaction.atomic():
            return _signup(worker, activity_id, now)
    except IntegrityError:  # the same person's double tap, decided by the unique row
        raise Conflict(_("You are already signed up.")) from None


def _check_signup_open(activity, now) -> None:
    if activity.state == Activity.State.CANCELLED:
        raise Conflict(_("This was cancelled."))
    if now > activity.signup_deadline:
        raise Invalid(
            field="signup",
            message=_("Sign-up closed at %(t)s.") % {"t": _local(activity.signup_deadline)},
        )


def _signup(worker, activity_id, now) -> Enrolment:
    activity = _lock_activity(activity_id)
    invited = Invitation.objects.filter(activity=activity, worker=worker).exists()
    if not perms.in_audience(worker, activity, invited=invited):
        if activity.audience == Activity.Audience.INVITED:
            raise NotAllowed(_("This is for invited workers only."))
        raise NotAllowed(_("This is not open to you."))
    _check_signup_open(activity, now)
    enrolment = Enrolment.objects.filter(activity=activity, worker=worker).first()
    if enrolment is not None and enrolment.status in Enrolment.ACTIVE:
        if enrolment.status == Status.WAITLISTED:
            raise Conflict(_("You are already on the waiting list."))
        raise Conflict(_("You are already signed up."))
    enrolment = enrolment or Enrolment(activity=activity, worker=worker)
    enrolment.signed_up_at, enrolment.cancelled_at, enrolment.offered_until = now, None, None
    if _take_place(activity):
        enrolment.status, enrolment.queued_at = Status.CONFIRMED, None
    else:
        enrolment.status, enrolment.queued_at = Status.WAITLISTED, now
    enrolment.save()
    return enrolment


@transaction.atomic
def signup_many(*, workers, activity_id: int, now=None) -> list[Enrolment]:
    """Sign several workers up at once, in the order given (an organiser entering a group):
    what `signup` does for each of them in turn — a place while there is one, then the
    waiting list in this order — under one lock of the activity, with one query for their
    invitations, one for their earlier enrolments and one INSERT. The workers `signup` would
    refuse (not a worker, not in the audience, already signed up) are left out; a cancelled
    activity or a closed sign-up refuses them all, as it would each one."""
    now = _now(now)
    activity = _lock_activity(activity_id)
    _check_signup_open(activity, now)
    workers = list({w.pk: w for w in workers if perms.is_worker(w)}.values())
    invited = set(
        Invitation.objects.filter(activity=activity, worker__in=workers).values_list(
            "worker_id", flat=True
        )
    )
    earlier = {
        e.worker_id: e for e in Enrolment.objects.filter(activity=activity, worker__in=workers)
    }
    places = max(0, activity.capacity - activity.taken)
    made = []
    for worker in workers:
        if not perms.in_audience(worker, activity, invited=worker.pk in invited):
            continue
        enrolment = earlier.get(worker.pk)
        if enrolment is not None and enrolment.status in Enrolment.ACTIVE:
            continue
        enrolment = enrolment or Enrolment(activity=activity, worker=worker)
        enrolment.signed_up_at, enrolment.cancelled_at, enrolment.offered_until = now, None, None
        if places:
            places -= 1
            enrolment.status, enrolment.queued_at = Status.CONFIRMED, None
        else:
            enrolment.status, enrolment.queued_at = Status.WAITLISTED, now
        made.append(enrolment)
    confirmed = sum(e.status == Status.CONFIRMED for e in made)
    if confirmed:  # under the lock: nobody else took a place since it was read
        Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + confirmed)
        activity.refresh_from_db(fields=["taken"])
    for enrolment in made:
        if enrolment.pk is not None:  # signed up before and cancelled: the same row again
            enrolment.save()
    Enrolment.objects.bulk_create([e for e in made if e.pk is None])
    return made


@transaction.atomic
def signup_cancel(*, worker, activity_id: int, now=None) -> Enrolment:
    """The worker cannot come: the place goes to the first on the waiting list."""
    now = _now(now)
    activity = _lock_activity(activity_id)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(activity=activity, worker=worker)
        .first()
    )
    if enrolment is None or enrolment.status not in Enrolment.ACTIVE:
        raise Conflict(_("You are not signed up."))
    if now >= activity.ends_at:
        raise Conflict(_("It is over."))
    held = enrolment.holds_place
    enrolment.status, enrolment.cancelled_at = Status.CANCELLED, now
    enrolment.offered_until = None
    enrolment.save(update_fields=["status", "cancelled_at", "offered_until"])
    if held:
        _free_place(activity)
        _promote(activity, now)
    return enrolment


def _promote(activity: Activity, now) -> list[Enrolment]:
    """Offer free places to the waiting list in order, each for `offer_hours` (never past the
    start). Runs under the activity's lock."""
    if activity.state != Activity.State.PUBLISHED or now >= activity.starts_at:
        return []
    offered = []
    while activity.taken < activity.capacity:
        nxt = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("worker")
            .filter(activity=activity, status=Status.WAITLISTED)
            .order_by("queued_at", "id")
            .first()
        )
        if nxt is None or not _take_place(activity):
            break
        nxt.status = Status.OFFERED
        nxt.offered_until = min(now + dt.timedelta(hours=activity.offer_hours), activity.starts_at)
        nxt.save(update_fields=["status", "offered_until"])
        notify(
            user=nxt.worker,
            message=_("A place is free for you in “%(title)s”. Accept it before %(until)s."),
            params={"title": activity.title, "until": _local(nxt.offered_until)},
            url=activity_url(activity),
            verb="training",
            sms=True,
        )
        offered.append(nxt)
    return offered


@transaction.atomic
def offer_accept(*, worker, activity_id: int, now=None) -> Enrolment:
    now = _now(now)
    activity = _lock_activity(activity_id)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(activity=activity, worker=worker)
        .first()
    )
    if enrolment is None or enrolment.status != Status.OFFERED:
        raise Conflict(_("There is no place on offer for you."))
    if now > enrolment.offered_until:
        raise Conflict(_("This offer lapsed at %(t)s.") % {"t": _local(enrolment.offered_until)})
    enrolment.status, enrolment.offered_until = Status.CONFIRMED, None
    enrolment.save(update_fields=["status", "offered_until"])
    return enrolment


@transaction.atomic
def offer_decline(*, worker, activity_id: int, now=None) -> Enrolment:
    now = _now(now)
    activity = _lock_activity(activity_id)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(activity=activity, worker=worker)
        .first()
    )
    if enrolment is None or enrolment.status != Status.OFFERED:
        raise Conflict(_("There is no place on offer for you."))
    enrolment.status, enrolment.offered_until = Status.DECLINED, None
    enrolment.save(update_fields=["status", "offered_until"])
    _free_place(activity)
    _promote(activity, now)
    return enrolment


def offers_expire(*, now=None, batch: int = 500) -> int:
    """The sweep: lapsed offers free their place for the next on the waiting list."""
    now = _now(now)
    due = list(
        Enrolment.objects.filter(status=Status.OFFERED, offered_until__lt=now)
        .order_by("offered_until")
        .values_list("pk", "activity_id")[:batch]
    )
    lapsed = 0
    for enrolment_id, activity_id in due:
        with transaction.atomic():
            activity = _lock_activity(activity_id)
            enrolment = _lock_enrolment(activity, enrolment_id)
            if enrolment.status != Status.OFFERED or enrolment.offered_until >= now:
                continue  # accepted or declined a moment ago
            enrolment.status = Status.EXPIRED
            enrolment.save(update_fields=["status"])
            _free_place(activity)
            notify(
                user=enrolment.worker,
                message=_("The place offered to you in “%(title)s” has lapsed."),
                params={"title": activity.title},
                url=activity_url(activity),
                verb="training",
            )
            _promote(activity, now)
            lapsed += 1
    return lapsed


def reminders_send(*, now=None) -> int:
    """The day before each session, a notice and an SMS to everyone with a place. A session
    is claimed by a conditional update, so two sweeps never remind twice."""
    now = _now(now)
    horizon = now + dt.timedelta(hours=conf.REMINDER_HOURS)
    due = Session.objects.filter(
        reminded_at=None,
        starts_at__gt=now,
        starts_at__lte=horizon,
        activity__state=Activity.State.PUBLISHED,
    ).select_related("activity__station")
    sent = 0
    for session in due:
        with transaction.atomic():
            if not Session.objects.filter(pk=session.pk, reminded_at=None).update(reminded_at=now):
                continue
            activity = session.activity
            people = [
                e.worker
                for e in activity.enrolments.filter(
                    status__in=Enrolment.HOLDS_PLACE
                ).select_related("worker")
            ]
            sent += notify_many(
                users=people,
                message=_("Reminder: “%(title)s” starts at %(when)s, %(place)s."),
                params={
                    "title": activity.title,
                    "when": _local(session.starts_at),
                    "place": activity.place_label,
                },
                url=activity_url(activity),
                verb="training",
                sms=True,
            )
    return sent


# --- the door: check-in and check-out -------------------------------------------------------


@dataclass
class CheckIn:
    attendance: Attendance
    created: bool  # False: this was a repeated scan, nothing changed
    completed: bool  # this check-in completed the course or the event
    person: str  # the worker's masked name, for the organiser's screen


def _door_session(session_id: int, now) -> Session:
    session = Session.objects.select_related("activity__station").filter(pk=session_id).first()
    if session is None:
        raise NotFound
    if session.activity.state == Activity.State.CANCELLED:
        raise Conflict(_("This was cancelled."))
    opens = session.starts_at - dt.timedelta(minutes=conf.DOORS_OPEN_MINUTES)
    if now < opens:
        raise Invalid(field="session", message=_("Check-in opens at %(t)s.") % {"t": _local(opens)})
    if now > session.ends_at:
        raise Invalid(field="session", message=_("This session is over."))
    return session


def _check_distance(activity: Activity, lat, lng, crs: str) -> None:
    if lat is None or lng is None or activity.lat is None:
        return  # location off, or an online course: the fresh door code is the proof
    if crs not in CRS_CHOICES:
        raise Invalid(field="location", message=_("Unknown coordinate system."))
    try:
        validate_lat_lng(lat, lng)
    except (TypeError, ValueError) as exc:
        raise Invalid(field="location", message=str(exc)) from None
    lng, lat = to_wgs84(lng, lat, crs)
    distance = haversine_m(lat, lng, activity.lat, activity.lng)
    if distance > conf.CHECK_IN_RADIUS_M:
        raise Invalid(
            field="location",
            message=_("You are %(d)d m from the venue; check in within %(r)d m.")
            % {"d": round(distance), "r": conf.CHECK_IN_RADIUS_M},
        )


def _walk_in(activity_id, worker, now) -> Enrolment:
    activity = _lock_activity(activity_id)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(activity=activity, worker=worker)
        .first()
    )
    if enrolment is not None and enrolment.holds_place:
        return enrolment  # signed up a moment ago
    invited = Invitation.objects.filter(activity=activity, worker=worker).exists()
    if not perms.in_audience(worker, activity, invited=invited):
        raise Invalid(field="code", message=_("This is not open to this worker."))
    if not _take_place(activity):
        raise Conflict(_("It is full: no place for a walk-in."))
    enrolment = enrolment or Enrolment(activity=activity, worker=worker)
    enrolment.status, enrolment.walk_in, enrolment.signed_up_at = Status.CONFIRMED, True, now
    enrolment.queued_at = enrolment.offered_until = enrolment.cancelled_at = None
    enrolment.save()
    return enrolment


def _enrolment_at_door(session: Session, worker, *, self_scan: bool, now) -> Enrolment:
    activity = session.activity
    enrolment = Enrolment.objects.filter(activity=activity, worker=worker).first()
    if enrolment is not None and enrolment.status == Status.OFFERED:
        # Coming to the door accepts the place offered.
        Enrolment.objects.filter(pk=enrolment.pk, status=Status.OFFERED).update(
            status=Status.CONFIRMED, offered_until=None
        )
        enrolment.refresh_from_db()
    if enrolment is not None and enrolment.status == Status.CONFIRMED:
        return enrolment
    if activity.walk_ins:
        return _walk_in(activity.pk, worker, now)
    if self_scan:
        message = _("You are not signed up for “%(title)s”. Ask the organiser.")
    else:
        message = _("%(person)s is not signed up for “%(title)s”, and it takes no walk-ins.")
    raise Invalid(
        field="code", message=message % {"title": activity.title, "person": mask_name(worker.name)}
    )


def _check_in(session: Session, worker, *, method: str, by, now) -> CheckIn:
    with transaction.atomic():
        enrolment = _enrolment_at_door(
            session, worker, self_scan=method == Attendance.Method.DOOR_QR, now=now
        )
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    enrolment=enrolment,
                    session=session,
                    checked_in_at=now,
                    method=method,
                    recorded_by=by,
                )
            created = True
        except IntegrityError:  # a repeated scan, a retry, or another door a moment earlier
            attendance = Attendance.objects.get(enrolment=enrolment, session=session)
            created = False
        enrolment.activity = session.activity
        completed = _complete_if_done(enrolment, attendance, now) if created else False
    return CheckIn(attendance, created, completed, mask_name(worker.name))


def check_in_with_door_code(
    *, worker, token: str, lat=None, lng=None, crs: str = "wgs84", now=None
) -> CheckIn:
    """The worker scanned the rotating code on the screen at the door (the app's way)."""
    now = _now(now)
    session_id = tokens.read_door_token(token, now=now)
    return check_in_scanned(
        worker=worker, session_id=session_id, scanned_at=now, lat=lat, lng=lng, crs=crs, now=now
    )


def check_in_scanned(
    *, worker, session_id: int, scanned_at: dt.datetime, lat=None, lng=None, crs="wgs84", now=None
) -> CheckIn:
    """Check in after a fresh scan of the door code (the page keeps the scan a few minutes,
    so a worker who had to log in first is not sent back to the door)."""
    now = _now(now)
    if not perms.is_worker(worker):
        raise NotAllowed(_("Only workers check in."))
    if not (now - dt.timedelta(seconds=conf.SCAN_GRACE_SECONDS) <= scanned_at <= now):
        raise Invalid(
            field="token",
            message=_("This code has expired. Scan the code on the screen at the door again."),
        )
    session = _door_session(session_id, now)
    _check_distance(session.activity, lat, lng, crs)
    return _check_in(session, worker, method=Attendance.Method.DOOR_QR, by=worker, now=now)


def _managed_session(organiser, session_id, now) -> Session:
    session = _door_session(session_id, now)
    if not perms.can_manage(organiser, session.activity):
        raise NotAllowed
    return session


def check_in_by_code(*, organiser, session_id: int, code: str, now=None) -> CheckIn:
    """The organiser scans the worker's personal code."""
    now = _now(now)
    session = _managed_session(organiser, session_id, now)
    worker_id = tokens.read_personal_code(code)
    worker = (
        get_user_model()
        .objects.select_related("worker")
        .filter(pk=worker_id, is_active=True)
        .first()
    )
    if worker is None or not perms.has_worker_profile(worker):
        raise Invalid(field="code", message=_("This is not a worker's check-in code."))
    return _check_in(session, worker, method=Attendance.Method.PERSONAL_QR, by=organiser, now=now)


def check_in_manually(*, organiser, session_id: int, enrolment_id: int, now=None) -> CheckIn:
    """The organiser found the worker by name (their phone is dead)."""
    now = _now(now)
    session = _managed_session(organiser, session_id, now)
    enrolment = (
        Enrolment.objects.select_related("worker")
        .filter(pk=enrolment_id, activity=session.activity)
        .first()
    )
    if enrolment is None:
        raise NotFound
    return _check_in(
        session, enrolment.worker, method=Attendance.Method.MANUAL, by=organiser, now=now
    )


def _check_out(attendance: Attendance, now) -> bool:
    done = Attendance.objects.filter(pk=attendance.pk, checked_out_at=None).update(
        checked_out_at=now
    )
    if done:
        attendance.checked_out_at = now
        enrolment = attendance.enrolment
        _complete_if_done(enrolment, attendance, now)
    return bool(done)


@transaction.atomic
def check_out(*, actor, session_id: int, enrolment_id: int | None = None, now=None) -> bool:
    """Check a worker out: the organiser for anyone, a worker for themselves. Repeats are
    harmless. Returns whether anything changed."""
    now = _now(now)
    session = Session.objects.select_related("activity").filter(pk=session_id).first()
    if session is None:
        raise NotFound
    qs = Attendance.objects.select_related("enrolment__activity", "enrolment__worker").filter(
        session=session
    )
    if enrolment_id is not None:
        if not perms.can_manage(actor, session.activity):
            raise NotAllowed
        attendance = qs.filter(enrolment_id=enrolment_id).first()
    else:
        attendance = qs.filter(enrolment__worker=actor).first()
    if attendance is None:
        raise Conflict(_("Check in first."))
    return _check_out(attendance, now)


@transaction.atomic
def check_out_everyone(*, organiser, session_id: int, now=None) -> int:
    """At the end of a session: everyone still in is checked out now."""
    now = _now(now)
    session = Session.objects.select_related("activity").filter(pk=session_id).first()
    if session is None:
        raise NotFound
    if not perms.can_manage(organiser, session.activity):
        raise NotAllowed
    moment = min(now, session.ends_at)
    present = Attendance.objects.select_related("enrolment__activity").filter(
        session=session, checked_out_at=None
    )
    return sum(_check_out(a, moment) for a in present)


# --- completion, quiz, certificate ---------------------------------------------------------


def _present_minutes(session: Session, attendance: Attendance | None) -> float:
    if attendance is None or attendance.checked_out_at is None:
        return 0.0
    start = max(attendance.checked_in_at, session.starts_at)
    end = min(attendance.checked_out_at, session.ends_at)
    return max(0.0, (end - start).total_seconds() / 60)


def attendance_met(activity: Activity, sessions, attendances: dict) -> bool:
    """A check-in is enough unless the course sets a minimum share of its time, which then
    counts the minutes between check-in and check-out, session by session."""
    if not attendances:
        return False
    if not activity.is_course or not activity.min_attendance_percent:
        return True
    total = sum(s.minutes for s in sessions)
    present = sum(_present_minutes(s, attendances.get(s.pk)) for s in sessions)
    return present * 100 >= activity.min_attendance_percent * total


def _new_certificate_code() -> str:
    return "".join(secrets.choice(conf.CODE_ALPHABET) for _ in range(conf.CODE_LENGTH))


def _complete_if_done(enrolment: Enrolment, attendance: Attendance | None, now) -> bool:
    """Complete once: the conditional update on `completed_at` decides, and the same
    transaction publishes the one event the points bank pays for."""
    activity = enrolment.activity
    if enrolment.completed_at is not None:
        return False
    if activity.is_course or attendance is None:
        sessions = list(activity.sessions.all())
        attendances = {a.session_id: a for a in enrolment.attendances.all()}
        if not attendance_met(activity, sessions, attendances):
            return False
    else:  # an event: the check-in that just happened is the attendance
        attendances = {attendance.session_id: attendance}
    quiz = activity.is_course and activity.quiz_pass_percent is not None
    if quiz and enrolment.quiz_passed_at is None:
        return False
    code = _new_certificate_code() if activity.is_course and activity.certificate else None
    won = Enrolment.objects.filter(pk=enrolment.pk, completed_at=None).update(
        completed_at=now, certificate_code=code
    )
    if not won:
        return False
    enrolment.completed_at, enrolment.certificate_code = now, code
    if activity.is_course:
        events.publish(
            TRAINING_COMPLETED,
            enrolment_id=enrolment.pk,
            worker_id=enrolment.worker_id,
            activity_id=activity.pk,
        )
        notify(
            user=enrolment.worker,
            message=_("You completed “%(title)s”.")
            if not code
            else _("You completed “%(title)s”. Your certificate is ready."),
            params={"title": activity.title},
            url=activity_url(activity),
            verb="training",
        )
    else:
        first = attendance or min(attendances.values(), key=lambda a: a.pk)
        events.publish(
            EVENT_ATTENDED,
            attendance_id=first.pk,
            worker_id=enrolment.worker_id,
            activity_id=activity.pk,
        )
    return True


@transaction.atomic
def quiz_submit(*, worker, activity_id: int, answers: dict, now=None) -> int:
    """Mark the worker's answers; a pass (at or above the pass mark) may complete the course.
    Returns the score in per cent. Retakes are allowed; a pass stays a pass."""
    now = _now(now)
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None or activity.quiz_pass_percent is None:
        raise NotFound
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(activity=activity, worker=worker)
        .first()
    )
    if enrolment is None or enrolment.status != Status.CONFIRMED:
        raise Conflict(_("Sign up for the course first."))
    questions = list(activity.questions.all())
    if not questions:
        raise NotFound
    right = 0
    for q in questions:
        given = answers.get(q.pk, answers.get(str(q.pk)))
        right += str(given) == str(q.answer)
    score = right * 100 // len(questions)
    enrolment.quiz_score = max(score, enrolment.quiz_score or 0)
    if score >= activity.quiz_pass_percent and enrolment.quiz_passed_at is None:
        enrolment.quiz_passed_at = now
    enrolment.save(update_fields=["quiz_score", "quiz_passed_at"])
    enrolment.activity = activity
    _complete_if_done(enrolment, None, now)
    return score


# --- a person's data (PIPL): export and erasure ---------------------------------------------


def personal_data_export(user) -> dict:
    enrolments = Enrolment.objects.filter(worker=user).select_related("activity")
    return {
        "sign_ups": [
            {
                "activity": e.activity.title,
                "starts_at": e.activity.starts_at.isoformat(),
                "status": e.status,
                "signed_up_at": e.signed_up_at.isoformat(),
                "completed_at": e.completed_at.isoformat() if e.completed_at else None,
                "certificate": e.display_certificate_code,
                "check_ins": [
                    {
                        "session": a.session.number,
                        "in": a.checked_in_at.isoformat(),
                        "out": a.checked_out_at.isoformat() if a.checked_out_at else None,
                    }
                    for a in e.attendances.select_related("session")
                ],
            }
            for e in enrolments
        ],
        "course_wishes": [
            {"topic": w.topic, "note": w.note, "created_at": w.created_at.isoformat()}
            for w in CourseWish.objects.filter(worker=user)
        ],
    }


def personal_data_erase(user) -> int:
    """Give up the person's places (the waiting list moves on), then delete their sign-ups,
    check-ins, certificates, invitations and wishes."""
    now = timezone.now()
    for activity_id in Enrolment.objects.filter(
        worker=user, status__in=Enrolment.ACTIVE, activity__ends_at__gt=now
    ).values_list("activity_id", flat=True):
        signup_cancel(worker=user, activity_id=activity_id, now=now)
    touched = Enrolment.objects.filter(worker=user).delete()[0]
    touched += Invitation.objects.filter(worker=user).delete()[0]
    touched += CourseWish.objects.filter(worker=user).delete()[0]
    return touched


# --- other apps: stations (reads) ---------------------------------------------------------------


def _station(station_id):
    from yizhan.stations import selectors as stations

    found = stations.stations_by_ids([station_id])
    return found[0] if found else None


# --- the cases app: the one place this app calls it --------------------------------------------
# A symposium (座谈会) is an Activity of kind "symposium"; the cases app keeps its own
# Symposium record, whose id this app holds in Activity.case_symposium_id, and files each
# demand under it as a case (channel "symposium").


def cases_open_symposium(*, facilitator, activity: Activity) -> int:
    from yizhan.cases import services as cases

    symposium = cases.symposium_create(
        staff=facilitator,
        held_on=timezone.localtime(activity.starts_at).date(),
        place=activity.place_label or activity.title,
        attendees="",
    )
    return symposium.pk


def cases_categories() -> list:
    from yizhan.cases import selectors as cases

    return list(cases.active_categories())


def cases_symposium_demands(*, symposium_id: int) -> list[dict]:
    from yizhan.cases import selectors as cases

    return cases.symposium_demands(symposium_id=symposium_id)


def cases_training_needs(*, since=None) -> list[dict]:
    from yizhan.cases import selectors as cases

    return cases.training_need_cases(since=since)


def demand_record(
    *,
    actor,
    activity_id: int,
    category_id: int,
    description: str,
    worker_id: int | None = None,
    name: str = "",
    mobile: str = "",
):
    """During a symposium the organiser records a demand: it becomes a case linked to it."""
    from yizhan.cases import selectors as cases_selectors
    from yizhan.cases import services as cases

    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise NotFound
    if not activity.is_symposium or not perms.can_manage(actor, activity):
        raise NotAllowed
    description = (description or "").strip()
    if not description or len(description) > 2000 or "\x00" in description:
        raise Invalid(field="description", message=_("Write the demand (at most 2000 characters)."))
    category = next((c for c in cases_categories() if c.pk == category_id), None)
    if category is None:
        raise Invalid(field="category", message=_("Choose a category."))
    worker = None
    if worker_id is not None:
        enrolment = (
            Enrolment.objects.select_related("worker")
            .filter(activity=activity, worker_id=worker_id)
            .first()
        )
        if enrolment is None:
            raise Invalid(field="worker", message=_("Choose someone who signed up."))
        worker = enrolment.worker
    if activity.case_symposium_id is None:
        with transaction.atomic():
            activity.case_symposium_id = cases_open_symposium(facilitator=actor, activity=activity)
            activity.save(update_fields=["case_symposium_id"])
    symposium = cases_selectors.symposium_get(symposium_id=activity.case_symposium_id)
    return cases.case_file_for(
        staff=actor,
        channel="symposium",
        category=category,
        description=description,
        # A mobile that belongs to a worker's account links the case to that worker.
        caller_name="" if worker else (name or "").strip()[:40],
        caller_mobile=worker.mobile if worker else (mobile or "").strip(),
        symposium=symposium,
    )
