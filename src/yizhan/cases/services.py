"""The life of a work order (诉求工单), one function per step, read top to bottom:

    file → accept (受理) → dispatch (派单) → sign for (签收) → handle (办理) → reply (答复)
         → follow up (回访) with a rating → close (办结)

with the side roads: return a misrouted order (退回), request and decide an extension,
reopen once on a dissatisfied rating, open a labour-dispute mediation. `STEPS` is the one
table of what is legal from which state and for whom; every step locks the case row,
checks the table, updates the row conditionally on its old state, writes a history row and
tells the people it concerns. `deadline_sweep` is the background pass over deadlines.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yizhan.accounts.models import Role, RoleAssignment
from yizhan.cases import permissions as perms
from yizhan.cases.deadlines import (
    ACCEPT_WORKING_DAYS,
    MEDIATION_DAYS,
    RETURN_WORKING_DAYS,
    due_after,
    end_of_day,
    local_date,
)
from yizhan.cases.models import (
    OPEN_HANDLING_STATES,
    Attachment,
    Case,
    CaseEvent,
    Category,
    Mediation,
    MediationSession,
    TimeLimitType,
)
from yizhan.core.events import publish
from yizhan.core.idempotency import create_once
from yizhan.core.models import Notification
from yizhan.core.sms import send_sms
from yizhan.core.workdays import add_working_days

S = Case.State
A = CaseEvent.Action


class IllegalStep(Exception):
    """A step that the case's state does not allow (HTTP 409)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


# --- the transition table -------------------------------------------------------------


def _dispatcher(user, case):
    return perms.is_dispatcher(user)


def _officer(user, case):
    return perms.is_case_officer(user, case)


def _worker_or_dispatcher(user, case):
    return perms.is_case_worker(user, case) or perms.is_dispatcher(user)


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # empty: the state does not change
    who: Callable
    label: str


STEPS: dict[str, Step] = {
    "accept": Step((S.SUBMITTED,), (S.ACCEPTED,), _dispatcher, _("accept")),
    "dispatch": Step((S.ACCEPTED, S.RETURNED), (S.DISPATCHED,), _dispatcher, _("dispatch")),
    "sign_for": Step((S.DISPATCHED,), (S.SIGNED,), _officer, _("sign for")),
    "return": Step((S.DISPATCHED, S.SIGNED), (S.RETURNED,), _officer, _("return")),
    "handle": Step((S.SIGNED, S.HANDLING), (S.HANDLING,), _officer, _("record handling")),
    "request_extension": Step((S.SIGNED, S.HANDLING), (), _officer, _("request an extension")),
    "decide_extension": Step((S.SIGNED, S.HANDLING), (), _dispatcher, _("decide on the extension")),
    "reply": Step((S.SIGNED, S.HANDLING), (S.REPLIED,), _officer, _("reply")),
    "follow_up": Step(
        (S.REPLIED,),
        (S.CLOSED, S.HANDLING, S.FOLLOWED_UP),
        _worker_or_dispatcher,
        _("follow up"),
    ),
    "close": Step((S.REPLIED, S.FOLLOWED_UP), (S.CLOSED,), _dispatcher, _("close")),
    "mediate": Step((S.SIGNED, S.HANDLING), (), _officer, _("open a mediation")),
}


def allowed_steps(user, case) -> list[str]:
    """The steps this user may take on this case now (the buttons a page shows)."""
    steps = [n for n, s in STEPS.items() if case.state in s.sources and s.who(user, case)]
    if case.extension_days is None:
        steps = [s for s in steps if s != "decide_extension"]
    else:
        steps = [s for s in steps if s != "request_extension"]
    if "mediate" in steps and (not case.category.is_labour_dispute or hasattr(case, "mediation")):
        steps.remove("mediate")
    return steps


def _now(now):
    return now or timezone.now()


def _lock(case: Case, action: str, actor) -> Case:
    """The case row, locked for this transaction, after the table's checks."""
    step = STEPS[action]
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "limit_type", "worker", "department")
        .get(pk=case.pk)
    )
    if not step.who(actor, locked):
        raise PermissionDenied
    if locked.state not in step.sources:
        raise IllegalStep(
            _("You cannot %(step)s this case: it is “%(state)s”.")
            % {"step": step.label, "state": locked.get_state_display()}
        )
    return locked


def _apply(case, action, actor, *, now, event=None, to=None, note="", **fields):
    """Move `case` (locked) to `to`, conditionally on its old state; record the step."""
    step = STEPS[action]
    old = case.state
    new = to or (step.targets[0] if step.targets else old)
    if new != old and new not in step.targets:
        raise IllegalStep(f"{action} cannot lead to {new}")
    for name, value in fields.items():
        setattr(case, name, value)
    case.state = new
    case.deadline_at = fields["deadline_at"] = case.current_due_at
    if Case.objects.filter(pk=case.pk, state=old).update(state=new, **fields) != 1:
        raise IllegalStep(_("Someone else changed this case a moment ago. Reload it."))
    CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        action=event or action,
        from_state=old,
        to_state=new,
        department_id=case.department_id,
        note=note,
    )
    return case


# --- notifications ---------------------------------------------------------------------


def case_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _send(users, message, params, *, url, verb, sms=False):
    """One notification per user, each in the user's own language."""
    for user in users:
        with translation.override(user.language or "zh-hans"):
            text = str(message) % params
        Notification.objects.create(recipient=user, verb=verb, text=text[:500], url=url)
        if sms and user.mobile:
            mobile = user.mobile
            transaction.on_commit(lambda m=mobile, t=text: send_sms(mobile=m, message=t))


def _tell_worker(case, message, *, sms=False, **params):
    params.setdefault("id", case.pk)
    if case.worker_id:
        _send([case.worker], message, params, url=case_url(case), verb="case", sms=sms)
    elif sms and case.caller_mobile:  # a hotline caller without an account
        with translation.override("zh-hans"):
            text = str(message) % params
        mobile = case.caller_mobile
        transaction.on_commit(lambda: send_sms(mobile=mobile, message=text))


def _department_officers(department_ids):
    assignments = RoleAssignment.objects.filter(
        role=Role.DEPARTMENT_OFFICER, department_id__in=department_ids, user__is_active=True
    ).select_related("user")
    return [a.user for a in assignments]


def _dispatchers():
    assignments = RoleAssignment.objects.filter(
        role=Role.DISPATCHER, user__is_active=True
    ).select_related("user")
    return [a.user for a in assignments]


def _tell_department(case, message, **params):
    params.setdefault("id", case.pk)
    _send(
        _department_officers([case.department_id]), message, params, url=case_url(case), verb="case"
    )


def _tell_dispatchers(case, message, **params):
    params.setdefault("id", case.pk)
    _send(_dispatchers(), message, params, url=case_url(case), verb="case")


# --- filing ----------------------------------------------------------------------------


def limit_type_for(category: Category, *, urgent: bool) -> TimeLimitType:
    if urgent:
        found = TimeLimitType.objects.filter(code="urgent").first()
        if found:
            return found
    return category.limit_type


def _new_case(*, actor, now, note="", **fields) -> Case:
    category = fields["category"]
    if not category.active:
        raise ValidationError({"category": _("This category is no longer in use.")})
    if not (fields.get("description") or "").strip():
        raise ValidationError({"description": _("Describe your demand.")})
    accept_due_at = due_after(now, ACCEPT_WORKING_DAYS)
    case = Case.objects.create(
        created_at=now,
        accept_due_at=accept_due_at,
        deadline_at=accept_due_at,
        limit_type=limit_type_for(category, urgent=fields.get("urgent", False)),
        **fields,
    )
    CaseEvent.objects.create(
        case=case, at=now, actor=actor, action=A.SUBMIT, to_state=case.state, note=note
    )
    _tell_worker(
        case,
        _("We received your demand #%(id)s; it will be accepted by %(due)s."),
        due=_fmt(case.accept_due_at),
    )
    return case


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _save_attachments(case, files, user):
    for f in files:
        Attachment.objects.create(case=case, file=f, name=f.name[:120], uploaded_by=user)


def case_submit(
    *,
    worker,
    category: Category,
    description: str,
    platform=None,
    employer=None,
    withhold_identity: bool = False,
    attachments=(),
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> tuple[Case, bool]:
    """A worker files a demand from the app. Returns (case, created); a retry with the
    same idempotency key returns the first case and created=False."""
    now = _now(now)
    profile = getattr(worker, "worker", None)
    if profile is None:
        raise PermissionDenied

    def create():
        case = _new_case(
            actor=worker,
            now=now,
            channel=Case.Channel.APP,
            creator=worker,
            idempotency_key=idempotency_key,
            worker=worker,
            category=category,
            description=description.strip(),
            platform=platform if platform is not None else profile.platform,
            employer=employer if employer is not None else profile.employer,
            withhold_identity=withhold_identity,
            district=profile.home_district,
        )
        _save_attachments(case, attachments, worker)
        return case

    if not idempotency_key:
        with transaction.atomic():
            return create(), True
    with transaction.atomic():
        return create_once(
            model=Case,
            lookup={"creator": worker, "idempotency_key": idempotency_key},
            create=create,
        )


def case_file_for(
    *,
    staff,
    channel: str,
    category: Category,
    description: str,
    worker=None,
    caller_name: str = "",
    caller_mobile: str = "",
    platform=None,
    withhold_identity: bool = False,
    symposium=None,
    attachments=(),
    now: dt.datetime | None = None,
) -> Case:
    """Staff file on a worker's behalf: at a walk-in desk or during a symposium."""
    if channel == Case.Channel.WALK_IN and not perms.can_file_for_others(staff):
        raise PermissionDenied
    if channel == Case.Channel.SYMPOSIUM and (
        symposium is None or not perms.can_run_symposium(staff)
    ):
        raise PermissionDenied
    if channel not in (Case.Channel.WALK_IN, Case.Channel.SYMPOSIUM):
        raise ValidationError({"channel": _("Staff file walk-in or symposium demands only.")})
    profile = getattr(worker, "worker", None) if worker else None
    now = _now(now)
    with transaction.atomic():
        case = _new_case(
            actor=staff,
            now=now,
            channel=channel,
            creator=staff,
            worker=worker,
            caller_name="" if worker else caller_name.strip(),
            caller_mobile="" if worker else caller_mobile.strip(),
            category=category,
            description=description.strip(),
            platform=platform or (profile.platform if profile else None),
            withhold_identity=withhold_identity,
            symposium=symposium,
            district=profile.home_district if profile else None,
        )
        _save_attachments(case, attachments, staff)
        return case


# --- the steps -------------------------------------------------------------------------


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor,
    category: Category | None = None,
    urgent: bool | None = None,
    note: str = "",
    now=None,
) -> Case:
    """受理: the dispatcher takes the demand on; the handling clock starts today."""
    now = _now(now)
    case = _lock(case, "accept", actor)
    category = category or case.category
    urgent = case.urgent if urgent is None else urgent
    limit = (
        limit_type_for(category, urgent=urgent)
        if (category != case.category or urgent != case.urgent)
        else case.limit_type
    )
    _apply(
        case,
        "accept",
        actor,
        now=now,
        note=note,
        accepted_at=now,
        category=category,
        urgent=urgent,
        limit_type=limit,
        due_at=due_after(now, limit.working_days),
    )
    _tell_worker(
        case,
        _("Your demand #%(id)s was accepted; the reply is due by %(due)s."),
        due=_fmt(case.due_at),
    )
    return case


@transaction.atomic
def case_dispatch(*, case: Case, actor, department, note: str = "", now=None) -> Case:
    """派单: route the order to a department, which has 2 working days to return it."""
    now = _now(now)
    case = _lock(case, "dispatch", actor)
    _apply(
        case,
        "dispatch",
        actor,
        now=now,
        note=note,
        department=department,
        dispatched_at=now,
        signed_at=None,
        return_due_at=due_after(now, RETURN_WORKING_DAYS),
    )
    _tell_department(
        case,
        _("New work order #%(id)s for your department; reply due by %(due)s."),
        due=_fmt(case.due_at),
    )
    return case


@transaction.atomic
def case_sign_for(*, case: Case, actor, now=None) -> Case:
    """签收: an officer takes the order for the department. Exactly one signer wins."""
    now = _now(now)
    case = _lock(case, "sign_for", actor)
    _apply(case, "sign_for", actor, now=now, signed_at=now)
    _tell_worker(case, _("%(dept)s has taken up your demand #%(id)s."), dept=case.department.name)
    return case


@transaction.atomic
def case_return(*, case: Case, actor, reason: str, now=None) -> Case:
    """退回: a misrouted order goes back to the dispatcher, within 2 working days."""
    now = _now(now)
    case = _lock(case, "return", actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is not for your department.")})
    if case.return_due_at and now > case.return_due_at:
        raise IllegalStep(
            _("The time to return this order ended at %(due)s.") % {"due": _fmt(case.return_due_at)}
        )
    department = case.department
    _apply(case, "return", actor, now=now, note=reason.strip())
    _tell_dispatchers(
        case,
        _("%(dept)s returned work order #%(id)s: %(reason)s"),
        dept=department.name,
        reason=reason.strip()[:200],
    )
    return case


@transaction.atomic
def case_handle(*, case: Case, actor, note: str, now=None) -> Case:
    """办理: a note of what the department did (visit, call, check of the payroll)."""
    now = _now(now)
    case = _lock(case, "handle", actor)
    if not note.strip():
        raise ValidationError({"note": _("Write what was done.")})
    return _apply(case, "handle", actor, now=now, note=note.strip())


@transaction.atomic
def case_request_extension(*, case: Case, actor, days: int, reason: str, now=None) -> Case:
    """The department asks for more time; the dispatcher decides."""
    now = _now(now)
    case = _lock(case, "request_extension", actor)
    if case.extension_days is not None:
        raise IllegalStep(_("An extension request is already waiting for a decision."))
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("Ask for 1 to 30 working days.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why more time is needed.")})
    _apply(
        case,
        "request_extension",
        actor,
        now=now,
        note=f"+{days}: {reason.strip()}",
        extension_days=days,
    )
    _tell_dispatchers(
        case,
        _("%(dept)s asks %(days)s more working days for work order #%(id)s."),
        dept=case.department.name,
        days=days,
    )
    return case


@transaction.atomic
def case_decide_extension(*, case: Case, actor, approve: bool, note: str = "", now=None) -> Case:
    """The dispatcher approves (the deadline moves) or refuses an extension request."""
    now = _now(now)
    case = _lock(case, "decide_extension", actor)
    if case.extension_days is None:
        raise IllegalStep(_("There is no extension request to decide."))
    fields = {"extension_days": None}
    if approve:
        fields["due_at"] = end_of_day(
            add_working_days(local_date(case.due_at), case.extension_days)
        )
        if case.overdue_at is None:
            fields["reminded_at"] = None
    days = case.extension_days
    _apply(
        case,
        "decide_extension",
        actor,
        now=now,
        event=A.APPROVE_EXTENSION if approve else A.REFUSE_EXTENSION,
        note=f"+{days}" + (f": {note.strip()}" if note.strip() else ""),
        **fields,
    )
    if approve:
        _tell_department(
            case,
            _("Extension approved for work order #%(id)s: now due by %(due)s."),
            due=_fmt(case.due_at),
        )
    else:
        _tell_department(case, _("Extension refused for work order #%(id)s."))
    return case


@transaction.atomic
def case_reply(*, case: Case, actor, text: str, now=None) -> Case:
    """答复: the department's answer to the worker (also by SMS)."""
    now = _now(now)
    case = _lock(case, "reply", actor)
    if not text.strip():
        raise ValidationError({"text": _("Write the reply to the worker.")})
    _apply(
        case,
        "reply",
        actor,
        now=now,
        note=text.strip(),
        reply=text.strip(),
        replied_at=now,
        on_time=case.due_at is None or now <= case.due_at,
        handling_seconds=int((now - (case.accepted_at or case.created_at)).total_seconds()),
        extension_days=None,
    )
    _tell_worker(
        case,
        _("%(dept)s replied to your demand #%(id)s. Please rate the answer."),
        sms=True,
        dept=case.department.name,
    )
    return case


@transaction.atomic
def case_follow_up(*, case: Case, actor, rating: str, note: str = "", now=None) -> Case:
    """回访: the worker (or the dispatcher on the phone) rates the reply. Satisfied or
    basically satisfied closes the case; dissatisfied reopens it once for redo."""
    now = _now(now)
    case = _lock(case, "follow_up", actor)
    if rating not in Case.Rating.values:
        raise ValidationError({"rating": _("Choose a rating.")})
    label = Case.Rating(rating).label
    text = f"{label}" + (f": {note.strip()}" if note.strip() else "")
    if rating != Case.Rating.DISSATISFIED:
        _apply(
            case, "follow_up", actor, now=now, to=S.CLOSED, note=text, rating=rating, closed_at=now
        )
        CaseEvent.objects.create(
            case=case, at=now, actor=actor, action=A.CLOSE, from_state=S.CLOSED, to_state=S.CLOSED
        )
        publish("case.closed", case_id=case.pk, rating=rating)
        _tell_worker(case, _("Your demand #%(id)s is closed. Thank you for your rating."))
        return case
    if case.reopened == 0:
        _apply(
            case,
            "follow_up",
            actor,
            now=now,
            to=S.HANDLING,
            event=A.REOPEN,
            note=text,
            rating=rating,
            reopened=1,
            due_at=due_after(now, case.limit_type.working_days),
            reminded_at=None,
            overdue_at=None,
        )
        _tell_department(
            case,
            _("The worker is dissatisfied with the reply to #%(id)s: redo by %(due)s."),
            due=_fmt(case.due_at),
        )
        return case
    _apply(case, "follow_up", actor, now=now, to=S.FOLLOWED_UP, note=text, rating=rating)
    _tell_dispatchers(case, _("Work order #%(id)s is still rated dissatisfied after redo."))
    return case


@transaction.atomic
def case_close(*, case: Case, actor, note: str = "", now=None) -> Case:
    """办结 by the dispatcher: after a second dissatisfied rating, or when the worker
    cannot be reached for the follow-up."""
    now = _now(now)
    case = _lock(case, "close", actor)
    if case.state == S.REPLIED and not note.strip():
        raise ValidationError({"note": _("Say why the case closes without a follow-up.")})
    _apply(case, "close", actor, now=now, note=note.strip(), closed_at=now)
    publish("case.closed", case_id=case.pk, rating=case.rating)
    _tell_worker(case, _("Your demand #%(id)s is closed."))
    return case


# --- labour-dispute mediation ----------------------------------------------------------


@transaction.atomic
def mediation_open(*, case: Case, actor, parties: str, now=None) -> Mediation:
    """Turn a labour-dispute case into a mediation (调解) with a 15-day statutory limit."""
    now = _now(now)
    case = _lock(case, "mediate", actor)
    if not case.category.is_labour_dispute:
        raise IllegalStep(_("Only labour-dispute cases go to mediation."))
    if Mediation.objects.filter(case=case).exists():
        raise IllegalStep(_("This case is already in mediation."))
    if len([p for p in parties.splitlines() if p.strip()]) < 2:
        raise ValidationError({"parties": _("Name at least two parties, one per line.")})
    mediation = Mediation.objects.create(
        case=case,
        parties=parties.strip(),
        opened_at=now,
        due_on=local_date(now) + dt.timedelta(days=MEDIATION_DAYS),
        mediator=actor,
    )
    _apply(
        case,
        "mediate",
        actor,
        now=now,
        event=A.MEDIATION,
        note=str(_("Mediation opened; statutory limit %(due)s.") % {"due": mediation.due_on}),
    )
    _tell_worker(
        case,
        _("Your demand #%(id)s goes to mediation, to conclude by %(due)s."),
        due=mediation.due_on.isoformat(),
    )
    return mediation


def _mediation_guard(mediation, actor):
    if not perms.is_case_officer(actor, mediation.case):
        raise PermissionDenied
    if mediation.outcome != Mediation.Outcome.PENDING:
        raise IllegalStep(_("This mediation has concluded."))


@transaction.atomic
def mediation_add_session(*, mediation: Mediation, actor, held_at, place: str, note: str = ""):
    _mediation_guard(mediation, actor)
    if not place.strip():
        raise ValidationError({"place": _("Where was the session held?")})
    session = MediationSession.objects.create(
        mediation=mediation, held_at=held_at, place=place.strip(), note=note.strip()
    )
    CaseEvent.objects.create(
        case=mediation.case,
        at=timezone.now(),
        actor=actor,
        action=A.MEDIATION,
        from_state=mediation.case.state,
        to_state=mediation.case.state,
        note=str(_("Mediation session at %(place)s.") % {"place": session.place}),
    )
    return session


@transaction.atomic
def mediation_conclude(*, mediation: Mediation, actor, outcome: str, note: str = "", now=None):
    """An agreement, or failure and referral to labour arbitration (45 days, +15)."""
    now = _now(now)
    _mediation_guard(mediation, actor)
    if outcome not in (Mediation.Outcome.AGREEMENT, Mediation.Outcome.FAILED):
        raise ValidationError({"outcome": _("Choose agreement or failure.")})
    Mediation.objects.filter(pk=mediation.pk).update(
        outcome=outcome, outcome_note=note.strip(), concluded_at=now
    )
    mediation.refresh_from_db()
    CaseEvent.objects.create(
        case=mediation.case,
        at=now,
        actor=actor,
        action=A.MEDIATION,
        from_state=mediation.case.state,
        to_state=mediation.case.state,
        note=f"{mediation.get_outcome_display()}" + (f": {note.strip()}" if note.strip() else ""),
    )
    _tell_worker(
        mediation.case,
        _("Mediation of your demand #%(id)s: %(outcome)s."),
        outcome=mediation.get_outcome_display(),
    )
    return mediation


# --- the deadline sweep ----------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    accept_overdue: int = 0


def _claim(qs, field: str, now, batch: int) -> list[tuple[int, int | None]]:
    """Claim up to `batch` cases of `qs` by stamping `field`; returns (id, department id).

    Rows are locked with SKIP LOCKED (PostgreSQL) and the stamp is conditional on the
    field being empty, so two sweeps running at once never act on the same case twice.
    """
    rows = list(
        qs.filter(**{f"{field}__isnull": True})
        .select_for_update(skip_locked=True)
        .order_by("id")
        .values_list("id", "department_id")[:batch]
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    Case.objects.filter(id__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    claimed = set(Case.objects.filter(id__in=ids, **{field: now}).values_list("id", flat=True))
    return [r for r in rows if r[0] in claimed]


def _digest(users_by_key, counts, message, url):
    for key, n in counts.items():
        for user in users_by_key.get(key, []):
            with translation.override(user.language or "zh-hans"):
                text = str(message) % {"n": n}
            Notification.objects.create(recipient=user, verb="case_deadline", text=text, url=url)


def _sweep_batch(kind, qs, field, now, batch, message, action, dispatchers_too):
    with transaction.atomic():
        claimed = _claim(qs, field, now, batch)
        if not claimed:
            return 0
        CaseEvent.objects.bulk_create(
            CaseEvent(case_id=cid, at=now, action=action, department_id=dep) for cid, dep in claimed
        )
        per_department: dict = {}
        for _cid, dep in claimed:
            per_department[dep] = per_department.get(dep, 0) + 1
        officers: dict = {}
        for user in _department_officers([d for d in per_department if d]):
            dep_id = user.role_assignments.filter(role=Role.DEPARTMENT_OFFICER).values_list(
                "department_id", flat=True
            )
            for d in dep_id:
                officers.setdefault(d, []).append(user)
        queue = reverse("cases:department_queue") + "?overdue=1"
        if kind != "accept":
            _digest(officers, per_department, message, queue)
        if dispatchers_too:
            _digest(
                {"all": _dispatchers()},
                {"all": len(claimed)},
                message,
                reverse("cases:queue") + "?overdue=1",
            )
        return len(claimed)


def deadline_sweep(*, now=None, batch: int = 1000) -> SweepResult:
    """One pass over every open deadline: reminders one working day ahead, overdue marks
    with a supervision notice (督办) to the department and the dispatchers, and orders
    nobody accepted in time. Notices are digests, one per person per batch."""
    now = _now(now)
    remind_until = end_of_day(add_working_days(local_date(now), 1))
    handling = Case.objects.filter(state__in=OPEN_HANDLING_STATES)
    plans = [
        (
            "remind",
            handling.filter(due_at__gt=now, due_at__lte=remind_until),
            "reminded_at",
            _("%(n)s work orders are due by the end of the next working day."),
            A.REMIND,
            False,
        ),
        (
            "overdue",
            handling.filter(due_at__lt=now),
            "overdue_at",
            _("Supervision notice: %(n)s work orders are past their deadline."),
            A.SUPERVISE,
            True,
        ),
        (
            "accept",
            Case.objects.filter(state=S.SUBMITTED, accept_due_at__lt=now),
            "accept_overdue_at",
            _("%(n)s demands were not accepted within the time limit."),
            A.SUPERVISE,
            True,
        ),
    ]
    result = SweepResult()
    for kind, qs, field, message, action, dispatchers_too in plans:
        total = 0
        while True:
            n = _sweep_batch(kind, qs, field, now, batch, message, action, dispatchers_too)
            total += n
            if n < batch:
                break
        setattr(
            result,
            {"remind": "reminded", "overdue": "overdue", "accept": "accept_overdue"}[kind],
            total,
        )
    return result


def overdue_q(now) -> Q:
    """Cases whose running deadline has passed."""
    return Q(state__in=OPEN_HANDLING_STATES, due_at__lt=now) | Q(
        state=S.SUBMITTED, accept_due_at__lt=now
    )


# --- for the training app: a symposium held as a training event ------------------------------


@transaction.atomic
def symposium_open(*, facilitator, held_on, place: str, attendees: str = ""):
    """The cases' record of a symposium (座谈会) that the training app runs as an event; demands
    recorded during it are filed with `case_file_for(channel="symposium", symposium=...)`."""
    from yizhan.cases.models import Symposium

    if not perms.can_run_symposium(facilitator):
        raise PermissionDenied
    return Symposium.objects.create(
        facilitator=facilitator, held_on=held_on, place=place[:120], attendees=attendees
    )
