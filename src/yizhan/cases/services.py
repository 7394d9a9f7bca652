"""The life of a work order (诉求工单), one function per step, read top to bottom:

    file → accept (受理) → dispatch (派单) → sign for (签收) → handle (办理) → reply (答复)
         → follow up (回访) with a rating → close (办结)

with the side roads: return a misrouted order (退回), request and decide an extension,
reopen once on a dissatisfied rating, open a labour-dispute mediation. Demands come in from
the app, the walk-in desk, a symposium and the hotline centres (file import and webhook), all
through the same intake: deadlines, category check, history row, notices.

`permissions.STEPS` is the one table of what is legal from which state and for whom; every
step locks the case row, checks the table, updates the row conditionally on its old state,
writes a history row and tells the people it concerns. A refused step raises one of
`core.errors`: NotAllowed (not yours to do), Conflict (the case's state does not allow it, or
someone moved it a moment ago), Invalid (the input, field by field). `deadline_sweep` is the
background pass over deadlines. This module is the only writer of the cases app.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.accounts import selectors as accounts
from yizhan.accounts.permissions import Role
from yizhan.cases import events, hotline
from yizhan.cases import permissions as perms
from yizhan.cases.deadlines import (
    LOCAL,
    MEDIATION_DAYS,
    accept_working_days,
    due_after,
    end_of_day,
    local_date,
    return_working_days,
)
from yizhan.cases.models import (
    OPEN_HANDLING_STATES,
    Attachment,
    Case,
    CaseEvent,
    Category,
    HotlineSource,
    Mediation,
    MediationSession,
    Symposium,
    TimeLimitType,
    visibility_of,
)
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.events import publish
from yizhan.core.idempotency import create_once
from yizhan.core.notifications import notify, notify_all, notify_many, sms_to_number
from yizhan.core.workdays import add_working_days

S = Case.State
A = CaseEvent.Action

DESCRIPTION_MAX = 4000
REPLY_MAX = 4000
NOTE_MAX = 2000


def _now(now):
    return now or timezone.now()


def _text(value, *, field: str, max_length: int, required=None) -> str:
    """Typed text, trimmed; refused when it is missing (`required` is then the message), too
    long for its column, or holds a NUL character (no database text column takes one)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise Invalid(_("Remove the control characters from this text."), field=field)
    if len(value) > max_length:
        raise Invalid(_("Write at most %(n)s characters.") % {"n": max_length}, field=field)
    if required is not None and not value:
        raise Invalid(required, field=field)
    return value


# --- the steps' machinery ----------------------------------------------------------------


def _lock(case: Case, action: str, actor) -> Case:
    """The case row, locked for this transaction, after the table's checks."""
    step = perms.STEPS[action]
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "limit_type", "worker", "department", "platform")
        .get(pk=case.pk)
    )
    if not step.who(actor, locked):
        raise NotAllowed
    if locked.state not in step.sources:
        raise Conflict(
            _("You cannot %(step)s this case: it is “%(state)s”.")
            % {"step": step.label, "state": locked.get_state_display()}
        )
    return locked


def _apply(case, action, actor, *, now, event=None, to=None, note="", visibility=None, **fields):
    """Move `case` (locked) to `to`, conditionally on its old state; record the step."""
    step = perms.STEPS[action]
    old = case.state
    new = to or (step.targets[0] if step.targets else old)
    if new != old and new not in step.targets:
        raise ValueError(f"{action} cannot lead to {new}")  # a programming error, not a 409
    for name, value in fields.items():
        setattr(case, name, value)
    case.state = new
    case.deadline_at = fields["deadline_at"] = case.current_due_at
    if Case.objects.filter(pk=case.pk, state=old).update(state=new, **fields) != 1:
        raise Conflict(_("Someone else changed this case a moment ago. Reload it."))
    _history(
        case, actor, event or action, now=now, old=old, new=new, note=note, visibility=visibility
    )
    return case


def _history(case, actor, action, *, now, old=None, new=None, note="", visibility=None):
    """One history row. Whom it is addressed to follows the step (`models.PUBLIC_ACTIONS`)
    unless the caller says otherwise."""
    return CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        action=action,
        from_state=case.state if old is None else old,
        to_state=case.state if new is None else new,
        department_id=case.department_id,
        note=note,
        visibility=visibility or visibility_of(action),
    )


# --- notices -----------------------------------------------------------------------------
# Messages are message ids with parameters (core.notifications): each reader sees them in
# their own language. Whom to tell comes from accounts.selectors.users_holding.


def case_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment, LOCAL).strftime("%Y-%m-%d %H:%M")


def _tell_worker(case, message, *, sms=False, **params):
    """The worker the case is about; a hotline or walk-in caller without an account only by
    SMS, and only for what is worth a text message (the reply)."""
    params.setdefault("id", case.pk)
    if case.worker_id:
        notify(
            user=case.worker,
            message=message,
            params=params,
            url=case_url(case),
            verb="case",
            sms=sms,
        )
    elif sms and case.caller_mobile:
        sms_to_number(mobile=case.caller_mobile, message=message, params=params)


def _tell(users, case, message, **params):
    params.setdefault("id", case.pk)
    notify_many(users=users, message=message, params=params, url=case_url(case), verb="case")


def _tell_department(case, message, **params):
    officers = accounts.users_holding(Role.DEPARTMENT_OFFICER, department_id=case.department_id)
    _tell(officers, case, message, **params)


def _tell_dispatchers(case, message, **params):
    _tell(accounts.users_holding(Role.DISPATCHER), case, message, **params)


def _tell_filed(case):
    """A new case: the worker learns when it will be accepted, the representatives of the
    platform it names see a new item in their queue (without the worker's identity)."""
    _tell_worker(
        case,
        _("We received your demand #%(id)s; it will be accepted by %(due)s."),
        due=_fmt(case.accept_due_at),
    )
    if case.platform_id:
        reps = accounts.users_holding(Role.PLATFORM_REP, platform_id=case.platform_id)
        _tell(
            reps,
            case,
            _("New demand #%(id)s concerns %(platform)s."),
            platform=case.platform.name,
        )


# --- filing ------------------------------------------------------------------------------


def limit_type_for(category: Category, *, urgent: bool) -> TimeLimitType:
    if urgent:
        found = TimeLimitType.objects.filter(code="urgent").first()
        if found:
            return found
    return category.limit_type


def _checked_intake(*, category: Category, description: str) -> str:
    """The checks every channel shares; returns the description as it is stored."""
    if not category.active:
        raise Invalid(_("This category is no longer in use."), field="category")
    return _text(
        description,
        field="description",
        max_length=DESCRIPTION_MAX,
        required=_("Describe your demand."),
    )


def _intake_clock(now) -> dict:
    """The acceptance clock starts when the demand reaches us, whatever the channel."""
    accept_due_at = due_after(now, accept_working_days())
    return {"created_at": now, "accept_due_at": accept_due_at, "deadline_at": accept_due_at}


def _new_case(*, actor, now, note="", **fields) -> Case:
    fields["description"] = _checked_intake(
        category=fields["category"], description=fields.get("description")
    )
    case = Case.objects.create(
        limit_type=limit_type_for(fields["category"], urgent=fields.get("urgent", False)),
        **_intake_clock(now),
        **fields,
    )
    _history(case, actor, A.SUBMIT, now=now, old="", note=note)
    _tell_filed(case)
    return case


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
    if not perms.can_file(worker):
        raise NotAllowed(_("Only workers file demands here."))
    profile = worker.worker

    def create():
        case = _new_case(
            actor=worker,
            now=now,
            channel=Case.Channel.APP,
            creator=worker,
            idempotency_key=idempotency_key,
            worker=worker,
            category=category,
            description=description,
            platform=platform if platform is not None else profile.platform,
            employer=employer if employer is not None else profile.employer,
            withhold_identity=withhold_identity,
            district=profile.home_district,
        )
        _save_attachments(case, attachments, worker)
        return case

    with transaction.atomic():
        if not idempotency_key:
            return create(), True
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
    caller_name: str = "",
    caller_mobile: str = "",
    platform=None,
    withhold_identity: bool = False,
    symposium=None,
    attachments=(),
    now: dt.datetime | None = None,
) -> Case:
    """Staff file on a worker's behalf: at a walk-in desk or during a symposium. A mobile
    that belongs to a worker's account links the case to it; otherwise the caller's name and
    number are kept (encrypted) on the case."""
    if channel == Case.Channel.WALK_IN and not perms.can_file_for_others(staff):
        raise NotAllowed
    if channel == Case.Channel.SYMPOSIUM and (
        symposium is None or not perms.can_run_symposium(staff)
    ):
        raise NotAllowed
    if channel not in (Case.Channel.WALK_IN, Case.Channel.SYMPOSIUM):
        raise Invalid(_("Staff file walk-in or symposium demands only."), field="channel")
    caller_mobile = (caller_mobile or "").strip()
    holder = accounts.worker_list(mobile=caller_mobile).first() if caller_mobile else None
    # A walk-in desk's word never puts a case into someone's account: the number's holder is
    # asked and links it (case_claim); until then the caller's name and number stay on the
    # case. At a symposium the facilitator records the worker in the room, as before.
    ask_holder = holder is not None and channel == Case.Channel.WALK_IN
    profile = None if ask_holder else holder
    now = _now(now)
    with transaction.atomic():
        case = _new_case(
            actor=staff,
            now=now,
            channel=channel,
            creator=staff,
            worker=profile.user if profile else None,
            caller_name="" if profile else _text(caller_name, field="name", max_length=40),
            caller_mobile="" if profile else caller_mobile,
            category=category,
            description=description,
            platform=platform or (profile.platform if profile else None),
            withhold_identity=withhold_identity,
            symposium=symposium,
            district=profile.home_district if profile else None,
        )
        _save_attachments(case, attachments, staff)
        if ask_holder:
            notify(
                user=holder.user,
                message=_(
                    "Demand #%(id)s was filed for the holder of your number at a service desk. "
                    "Is it yours? Open it to add it to your account."
                ),
                params={"id": case.pk},
                url=reverse("cases:claim", args=[case.pk]),
                verb="case",
            )
        return case


@transaction.atomic
def case_claim(*, case: Case, user) -> Case:
    """The holder of the number a desk filed a demand under says it is theirs: the case
    joins their account (and their notices), the caller's copy of name and number goes."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if not perms.can_claim(user, case):
        raise NotAllowed
    case.worker = user
    case.caller_name = case.caller_mobile = ""
    case.district = user.worker.home_district
    case.save(update_fields=["worker", "caller_name", "caller_mobile", "district"])
    return case


@transaction.atomic
def symposium_create(*, staff, held_on: dt.date, place: str, attendees: str = "") -> Symposium:
    """A face-to-face session (座谈会) whose demands are then recorded one after another."""
    if not perms.can_run_symposium(staff):
        raise NotAllowed
    return Symposium.objects.create(
        facilitator=staff,
        held_on=held_on,
        place=_text(place, field="place", max_length=120, required=_("Where is it held?")),
        attendees=_text(attendees, field="attendees", max_length=NOTE_MAX),
    )


# --- the hotline centres -----------------------------------------------------------------


@dataclass
class HotlineIntake:
    """What became of each order handed to `cases_file_from_hotline`."""

    created: list[tuple[hotline.Order, Case]] = field(default_factory=list)
    duplicates: list[tuple[hotline.Order, int]] = field(default_factory=list)
    refused: list[tuple[hotline.Order, Invalid]] = field(default_factory=list)


def _hotline_case(source, order: hotline.Order, now, worker_ids) -> Case:
    worker_id = worker_ids.get(order.caller_mobile)
    return Case(
        channel=Case.Channel.HOTLINE_12328
        if source.code == "12328"
        else Case.Channel.HOTLINE_12345,
        source=source,
        source_order_no=order.order_no,
        worker_id=worker_id,
        caller_name="" if worker_id else order.caller_name,
        caller_mobile="" if worker_id else order.caller_mobile,
        category=order.category,
        limit_type=order.limit_type,
        urgent=order.urgent,
        description=order.content,
        district_id=order.district_id,
        **_intake_clock(now),
    )


def _insert_hotline_cases(source, orders, actor, now, worker_ids) -> list[Case]:
    cases = Case.objects.bulk_create([_hotline_case(source, o, now, worker_ids) for o in orders])
    if cases and cases[0].pk is None:  # a backend without RETURNING
        ids = dict(
            Case.objects.filter(
                source=source, source_order_no__in=[o.order_no for o in orders]
            ).values_list("source_order_no", "id")
        )
        for case in cases:
            case.pk = case.id = ids[case.source_order_no]
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            at=now,
            actor=actor,
            action=A.SUBMIT,
            to_state=S.SUBMITTED,
            visibility=CaseEvent.Visibility.PUBLIC,
            note=f"{source.name} {o.order_no} · {o.called_at.astimezone(LOCAL):%Y-%m-%d %H:%M}",
        )
        for case, o in zip(cases, orders, strict=True)
    )
    return cases


@transaction.atomic
def cases_file_from_hotline(
    *, source: HotlineSource, orders: list[hotline.Order], actor=None, now=None
) -> HotlineIntake:
    """File checked hotline orders in bulk, as the app files a demand: the category check,
    the acceptance deadline, a history row each and the worker's "received" notice (callers
    linked to their account by mobile). An order already filed (by file or webhook) is a
    duplicate, never a second case. `actor` is the dispatcher who imports a file, or None for
    the hotline centre's own system (the webhook, authenticated by its key)."""
    if actor is not None and not perms.can_import_hotline(actor):
        raise NotAllowed
    now = _now(now)
    intake = HotlineIntake()
    existing = dict(
        Case.objects.filter(
            source=source, source_order_no__in=[o.order_no for o in orders]
        ).values_list("source_order_no", "id")
    )
    fresh = []
    for order in orders:
        if order.order_no in existing:
            intake.duplicates.append((order, existing[order.order_no]))
            continue
        try:
            _checked_intake(category=order.category, description=order.content)
        except Invalid as exc:
            intake.refused.append((order, exc))
            continue
        fresh.append(order)
    if not fresh:
        return intake
    workers = accounts.worker_ids_by_mobile({o.caller_mobile for o in fresh})
    try:
        with transaction.atomic():
            cases = _insert_hotline_cases(source, fresh, actor, now, workers)
        intake.created = list(zip(fresh, cases, strict=True))
    except IntegrityError:
        # Another intake took some of these orders a moment ago: go one by one.
        for order in fresh:
            try:
                with transaction.atomic():
                    [case] = _insert_hotline_cases(source, [order], actor, now, workers)
                intake.created.append((order, case))
            except IntegrityError:
                taken = Case.objects.get(source=source, source_order_no=order.order_no)
                intake.duplicates.append((order, taken.pk))
    for _order, case in intake.created:
        _tell_filed(case)
    return intake


def hotline_receive(*, source: HotlineSource, order: hotline.Order, now=None) -> tuple[int, bool]:
    """One order from the hotline centre's webhook: (case id, created)."""
    intake = cases_file_from_hotline(source=source, orders=[order], now=now)
    if intake.refused:
        raise intake.refused[0][1]
    if intake.duplicates:
        return intake.duplicates[0][1], False
    return intake.created[0][1].pk, True


def hotline_import(
    *, source: HotlineSource, filename: str, data: bytes, actor, check_only=False, now=None
) -> hotline.ImportReport:
    """A hotline centre's export file: every row checked and each bad one reported with its
    row number; the good ones filed in batches (one transaction each), unless `check_only`."""
    if not perms.can_import_hotline(actor):
        raise NotAllowed
    try:
        rows = hotline.read_rows(filename=filename, data=data)
    except hotline.UnreadableFile as exc:
        report = hotline.ImportReport(check_only=check_only)
        report.errors.append((0, str(exc)))
        return report
    orders, report = hotline.check_rows(rows)
    report.check_only = check_only
    if check_only:
        return report
    now = _now(now)
    for start in range(0, len(orders), hotline.BATCH):
        intake = cases_file_from_hotline(
            source=source, orders=orders[start : start + hotline.BATCH], actor=actor, now=now
        )
        report.created.extend(case.pk for _order, case in intake.created)
        report.duplicates.extend((o.row, o.order_no, case_id) for o, case_id in intake.duplicates)
        report.errors.extend((o.row, str(exc)) for o, exc in intake.refused)
    report.errors.sort()
    return report


@transaction.atomic
def hotline_source_set_key(*, source: HotlineSource, key: str) -> None:
    """A new webhook key for a hotline centre; only its SHA-256 is kept."""
    HotlineSource.objects.filter(pk=source.pk).update(key_hash=hotline.key_hash(key))
    source.key_hash = hotline.key_hash(key)


# --- the steps ---------------------------------------------------------------------------


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
    note = _text(note, field="note", max_length=NOTE_MAX)
    category = category or case.category
    if category != case.category and not category.active:
        raise Invalid(_("This category is no longer in use."), field="category")
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
    """派单: route the order to a department, which has 2 working days to return it. Its
    officers find a new item in their queue and are told so."""
    now = _now(now)
    case = _lock(case, "dispatch", actor)
    if department is None:
        raise Invalid(_("Choose a department."), field="department")
    _apply(
        case,
        "dispatch",
        actor,
        now=now,
        note=_text(note, field="note", max_length=NOTE_MAX),
        department=department,
        dispatched_at=now,
        signed_at=None,
        return_due_at=due_after(now, return_working_days()),
    )
    _tell_department(
        case,
        _("New work order #%(id)s for your department; reply due by %(due)s."),
        due=_fmt(case.due_at),
    )
    return case


# The same order is urged at most once an hour: a second click, or a second dispatcher a
# minute later, does not send the department the same notice twice.
URGE_INTERVAL = dt.timedelta(hours=1)


@transaction.atomic
def case_urge(*, case: Case, actor, note: str = "", now=None) -> Case:
    """催办: the dispatcher presses the department to act on a dispatched order. The state
    does not change; the history records it and the department's officers are told."""
    now = _now(now)
    case = _lock(case, "urge", actor)
    note = _text(note, field="note", max_length=NOTE_MAX)
    if case.urged_at and now - case.urged_at < URGE_INTERVAL:
        raise Conflict(
            _("Work order #%(id)s was urged at %(at)s: urge again after an hour.")
            % {"id": case.pk, "at": _fmt(case.urged_at)}
        )
    _apply(case, "urge", actor, now=now, event=A.URGE, note=note, urged_at=now)
    due = _fmt(case.due_at) if case.due_at else "—"
    if note:
        _tell_department(
            case,
            _("The dispatcher urges work order #%(id)s (reply due by %(due)s): %(note)s"),
            due=due,
            note=note[:200],
        )
    else:
        _tell_department(
            case, _("The dispatcher urges work order #%(id)s (reply due by %(due)s)."), due=due
        )
    return case


@transaction.atomic
def case_reassign(*, case: Case, actor, department, reason: str, now=None) -> Case:
    """改派: the dispatcher moves a dispatched order to another department, which signs for it
    again (and may return it within 2 working days). The reply deadline does not restart: the
    worker has waited since acceptance. A pending extension request of the first department
    lapses. Both departments' officers are told."""
    now = _now(now)
    case = _lock(case, "reassign", actor)
    if department is None:
        raise Invalid(_("Choose a department."), field="department")
    if department.pk == case.department_id:
        raise Invalid(
            _("Work order #%(id)s is already with %(dept)s.")
            % {"id": case.pk, "dept": department.name},
            field="department",
        )
    reason = _text(
        reason,
        field="reason",
        max_length=NOTE_MAX,
        required=_("Say why the order goes to another department."),
    )
    previous = case.department
    _apply(
        case,
        "reassign",
        actor,
        now=now,
        event=A.REASSIGN,
        note=f"{previous.name} → {department.name}: {reason}",
        department=department,
        dispatched_at=now,
        signed_at=None,
        return_due_at=due_after(now, return_working_days()),
        extension_days=None,
        urged_at=None,
    )
    _tell_department(
        case,
        _("Work order #%(id)s was reassigned to your department; reply due by %(due)s."),
        due=_fmt(case.due_at) if case.due_at else "—",
    )
    # The former department may no longer open the case: their notice leads to their queue.
    notify_many(
        users=accounts.users_holding(Role.DEPARTMENT_OFFICER, department_id=previous.pk),
        message=_(
            "Work order #%(id)s was reassigned to %(dept)s: your department need not act on it."
        ),
        params={"id": case.pk, "dept": department.name},
        url=reverse("cases:department_queue"),
        verb="case",
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
    reason = _text(
        reason,
        field="reason",
        max_length=NOTE_MAX,
        required=_("Say why the order is not for your department."),
    )
    if case.return_due_at and now > case.return_due_at:
        raise Conflict(
            _("The time to return this order ended at %(due)s.") % {"due": _fmt(case.return_due_at)}
        )
    department = case.department
    _apply(case, "return", actor, now=now, note=reason)
    _tell_dispatchers(
        case,
        _("%(dept)s returned work order #%(id)s: %(reason)s"),
        dept=department.name,
        reason=reason[:200],
    )
    return case


@transaction.atomic
def case_handle(*, case: Case, actor, note: str, tell_worker: bool = False, now=None) -> Case:
    """办理: a note of what the department did (visit, call, check of the payroll). It stays
    among staff unless the officer addresses it to the worker (`tell_worker`), who is then
    told of it."""
    now = _now(now)
    case = _lock(case, "handle", actor)
    note = _text(note, field="note", max_length=NOTE_MAX, required=_("Write what was done."))
    visibility = CaseEvent.Visibility.PUBLIC if tell_worker else CaseEvent.Visibility.STAFF
    _apply(case, "handle", actor, now=now, note=note, visibility=visibility)
    if tell_worker:
        _tell_worker(
            case,
            _("%(dept)s added a note to your demand #%(id)s."),
            dept=case.department.name,
        )
    return case


@transaction.atomic
def case_request_extension(*, case: Case, actor, days: int, reason: str, now=None) -> Case:
    """The department asks for more time; the dispatcher decides."""
    now = _now(now)
    case = _lock(case, "request_extension", actor)
    if case.extension_days is not None:
        raise Conflict(_("An extension request is already waiting for a decision."))
    if not 1 <= days <= 30:
        raise Invalid(_("Ask for 1 to 30 working days."), field="days")
    reason = _text(
        reason, field="reason", max_length=NOTE_MAX, required=_("Say why more time is needed.")
    )
    _apply(
        case,
        "request_extension",
        actor,
        now=now,
        note=f"+{days}: {reason}",
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
        raise Conflict(_("There is no extension request to decide."))
    note = _text(note, field="note", max_length=NOTE_MAX)
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
        note=f"+{days}" + (f": {note}" if note else ""),
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
    text = _text(
        text, field="text", max_length=REPLY_MAX, required=_("Write the reply to the worker.")
    )
    _apply(
        case,
        "reply",
        actor,
        now=now,
        note=text,
        reply=text,
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


def _closed(case, rating):
    publish(events.CASE_CLOSED, **events.CaseClosed(case_id=case.pk, rating=rating or ""))


@transaction.atomic
def case_follow_up(*, case: Case, actor, rating: str, note: str = "", now=None) -> Case:
    """回访: the worker (or the dispatcher on the phone) rates the reply. Satisfied or
    basically satisfied closes the case; dissatisfied reopens it once for redo."""
    now = _now(now)
    case = _lock(case, "follow_up", actor)
    if rating not in Case.Rating.values:
        raise Invalid(_("Choose a rating."), field="rating")
    note = _text(note, field="note", max_length=NOTE_MAX)
    label = Case.Rating(rating).label
    text = f"{label}" + (f": {note}" if note else "")
    if rating != Case.Rating.DISSATISFIED:
        _apply(
            case, "follow_up", actor, now=now, to=S.CLOSED, note=text, rating=rating, closed_at=now
        )
        _history(case, actor, A.CLOSE, now=now)
        _closed(case, rating)
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
    note = _text(note, field="note", max_length=NOTE_MAX)
    if case.state == S.REPLIED and not note:
        raise Invalid(_("Say why the case closes without a follow-up."), field="note")
    _apply(case, "close", actor, now=now, note=note, closed_at=now)
    _closed(case, case.rating)
    _tell_worker(case, _("Your demand #%(id)s is closed."))
    return case


# --- labour-dispute mediation ------------------------------------------------------------


@transaction.atomic
def mediation_open(*, case: Case, actor, parties: str, now=None) -> Mediation:
    """Turn a labour-dispute case into a mediation (调解) with a 15-day statutory limit."""
    now = _now(now)
    case = _lock(case, "mediate", actor)
    if not case.category.is_labour_dispute:
        raise Conflict(_("Only labour-dispute cases go to mediation."))
    if Mediation.objects.filter(case=case).exists():
        raise Conflict(_("This case is already in mediation."))
    parties = _text(parties, field="parties", max_length=NOTE_MAX)
    if len([p for p in parties.splitlines() if p.strip()]) < 2:
        raise Invalid(_("Name at least two parties, one per line."), field="parties")
    mediation = Mediation.objects.create(
        case=case,
        parties=parties,
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


def _lock_mediation(mediation: Mediation, actor) -> Mediation:
    """The mediation row locked for this transaction (after its case's row, the order every
    case step locks in), if `actor` may act on it and it is still in progress."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "worker")
        .get(pk=mediation.case_id)
    )
    if not perms.can_mediate(actor, case):
        raise NotAllowed
    locked = Mediation.objects.select_for_update().get(pk=mediation.pk)
    locked.case = case
    if locked.outcome != Mediation.Outcome.PENDING:
        raise Conflict(_("This mediation has concluded."))
    return locked


@transaction.atomic
def mediation_add_session(
    *, mediation: Mediation, actor, held_at, place: str, note: str = "", now=None
) -> MediationSession:
    now = _now(now)
    mediation = _lock_mediation(mediation, actor)
    if held_at is None:
        raise Invalid(_("Enter when the session was held."), field="held_at")
    place = _text(place, field="place", max_length=120, required=_("Where was the session held?"))
    session = MediationSession.objects.create(
        mediation=mediation,
        held_at=held_at,
        place=place,
        note=_text(note, field="note", max_length=NOTE_MAX),
    )
    _history(
        mediation.case,
        actor,
        A.MEDIATION,
        now=now,
        note=str(_("Mediation session at %(place)s.") % {"place": session.place}),
    )
    return session


@transaction.atomic
def mediation_conclude(
    *, mediation: Mediation, actor, outcome: str, note: str = "", now=None
) -> Mediation:
    """An agreement, or failure and referral to labour arbitration (45 days, +15). Two
    officers concluding at once: the first wins, the second gets a Conflict."""
    now = _now(now)
    mediation = _lock_mediation(mediation, actor)
    if outcome not in (Mediation.Outcome.AGREEMENT, Mediation.Outcome.FAILED):
        raise Invalid(_("Choose agreement or failure."), field="outcome")
    note = _text(note, field="note", max_length=NOTE_MAX)
    concluded = Mediation.objects.filter(pk=mediation.pk, outcome=Mediation.Outcome.PENDING).update(
        outcome=outcome, outcome_note=note, concluded_at=now
    )
    if concluded != 1:
        raise Conflict(_("This mediation has concluded."))
    mediation.outcome, mediation.outcome_note, mediation.concluded_at = outcome, note, now
    label = Mediation.Outcome(outcome).label
    _history(
        mediation.case, actor, A.MEDIATION, now=now, note=f"{label}" + (f": {note}" if note else "")
    )
    _tell_worker(
        mediation.case,
        _("Mediation of your demand #%(id)s: %(outcome)s."),
        outcome=label,
    )
    return mediation


# --- the deadline sweep ------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    accept_overdue: int = 0


# What each pass claims: the stamp column, the condition (SQL over cases_case, with the
# parameters it needs), the history action, and whether the dispatchers hear of it too.
SWEEP_KINDS = ("remind", "overdue", "accept")


def _sweep_plan(kind: str, now, remind_until):
    handling = "state IN (%s, %s, %s)"
    states = list(OPEN_HANDLING_STATES)
    if kind == "remind":
        return (
            "reminded_at",
            f"{handling} AND due_at > %s AND due_at <= %s",
            [*states, now, remind_until],
            A.REMIND,
            _("%(n)s work orders are due by the end of the next working day."),
            False,
        )
    if kind == "overdue":
        return (
            "overdue_at",
            f"{handling} AND due_at < %s",
            [*states, now],
            A.SUPERVISE,
            _("Supervision notice: %(n)s work orders are past their deadline."),
            True,
        )
    return (
        "accept_overdue_at",
        "state = %s AND accept_due_at < %s",
        [S.SUBMITTED, now],
        A.SUPERVISE,
        _("%(n)s demands were not accepted within the time limit."),
        True,
    )


def _claim_and_record(field, condition, params, action, now, batch) -> dict:
    """Stamp `field` on every case matching `condition` whose stamp is still empty, and write
    each one's history row; {department id: cases claimed}. Set-based: on PostgreSQL one
    statement (an UPDATE … RETURNING feeding an INSERT … SELECT, counted by department);
    elsewhere an UPDATE … RETURNING and one INSERT. The stamp is conditional on being
    empty, so two sweeps at once never claim a case twice (the second waits for the
    first's row locks, then finds the stamp set). With `batch`, at most that many cases
    (locked with SKIP LOCKED on PostgreSQL, so parallel sweeps share the work)."""
    table, events = Case._meta.db_table, CaseEvent._meta.db_table
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [
        connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p
        for p in params
    ]
    where = f"{condition} AND {field} IS NULL"
    postgres = connection.vendor == "postgresql"
    if batch:
        lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
        where = f"id IN (SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT %s{lock})"
        params = [*params, batch]
    update = f"UPDATE {table} SET {field} = %s WHERE {where} RETURNING id, department_id"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                f"WITH claimed AS ({update}),"
                f" history AS (INSERT INTO {events} (case_id, at, action, from_state, to_state,"
                " department_id, note, visibility)"
                " SELECT id, %s, %s, '', '', department_id, '', %s FROM claimed)"
                " SELECT department_id, count(*) FROM claimed GROUP BY department_id",
                [stamp, *params, stamp, action, visibility_of(action)],
            )
            return dict(cursor.fetchall())
        cursor.execute(update, [stamp, *params])
        claimed = cursor.fetchall()
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case_id=cid,
                at=now,
                action=action,
                department_id=dep,
                visibility=visibility_of(action),
            )
            for cid, dep in claimed
        ],
        batch_size=2000,
    )
    counts: dict = {}
    for _cid, dep in claimed:
        counts[dep] = counts.get(dep, 0) + 1
    return counts


def _digests(per_department: dict, message, dispatchers_too: bool) -> None:
    """One notice per person and pass (not per case), each an INSERT … SELECT of the
    people holding the role: the officers of each department with its count, the
    dispatchers with the total."""
    queue = reverse("cases:department_queue") + "?overdue=1"
    for dep, n in sorted(per_department.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        if dep is not None:
            notify_all(
                users=accounts.users_holding(Role.DEPARTMENT_OFFICER, department_id=dep),
                message=message,
                params={"n": n},
                url=queue,
                verb="case_deadline",
            )
    if dispatchers_too:
        notify_all(
            users=accounts.users_holding(Role.DISPATCHER),
            message=message,
            params={"n": sum(per_department.values())},
            url=reverse("cases:queue") + "?overdue=1",
            verb="case_deadline",
        )


def deadline_sweep(*, now=None, batch: int | None = None) -> SweepResult:
    """One pass over every open deadline: reminders one working day ahead, overdue marks
    with a supervision notice (督办) to the department and the dispatchers, and orders
    nobody accepted in time. Each kind is claimed and recorded set-based in its own
    transaction; notices are digests, one per person per pass. `batch` (default
    `CASES_SWEEP_BATCH`, 0: no bound) caps the cases one transaction claims."""
    now = _now(now)
    batch = settings.CASES_SWEEP_BATCH if batch is None else batch
    remind_until = end_of_day(add_working_days(local_date(now), 1))
    result = SweepResult()
    for kind in SWEEP_KINDS:
        field_name, condition, params, action, message, dispatchers_too = _sweep_plan(
            kind, now, remind_until
        )
        total = 0
        while True:
            with transaction.atomic():
                counts = _claim_and_record(field_name, condition, params, action, now, batch)
                claimed = sum(counts.values())
                if claimed:
                    if kind == "accept":  # not yet with a department: the dispatchers only
                        counts = {None: claimed}
                    _digests(counts, message, dispatchers_too)
            total += claimed
            if not batch or claimed < batch:
                break
        setattr(
            result,
            {"remind": "reminded", "overdue": "overdue", "accept": "accept_overdue"}[kind],
            total,
        )
    return result


# --- the person's data -------------------------------------------------------------------


@transaction.atomic
def personal_data_erase(*, user) -> int:
    """Erase what the cases app holds about a person (PIPL art. 47): the description, the
    caller's name and number, their own comments in the history, the parties of a
    mediation and the attachments of their cases. The anonymous case rows stay, with their
    category, department, dates and ratings, so the statistics still hold. Idempotent."""
    cases = Case.objects.filter(worker=user)
    touched = cases.exclude(description="").update(description="", caller_name="", caller_mobile="")
    touched += (
        CaseEvent.objects.filter(case__worker=user, actor=user).exclude(note="").update(note="")
    )
    touched += Mediation.objects.filter(case__worker=user).exclude(parties="").update(parties="")
    attachments = list(Attachment.objects.filter(case__worker=user))
    if attachments:
        names = [(a.file.storage, a.file.name) for a in attachments]
        Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
        touched += len(attachments)
    return touched


# --- The platform's statement (平台说明), for the transparency app (issue 16) ------------
# A separate block on purpose: the platform representative speaks on a case about their
# platform, but takes no step in it. Uses core.errors and core.notifications.


def case_platform_statement(*, case: Case, actor, text: str, now=None) -> CaseEvent:
    """A platform representative's written statement on a case naming their platform. It
    becomes a row of the case history, seen by the worker and staff; it moves nothing (the
    platform never decides the case), and a withheld identity stays withheld: the
    representative learns nothing about the worker by making it."""
    from yizhan.accounts.selectors import users_holding
    from yizhan.core.errors import Conflict, Invalid, NotAllowed
    from yizhan.core.notifications import notify, notify_many

    now = _now(now)
    if not perms.is_case_platform_rep(actor, case):
        raise NotAllowed(_("Only a representative of the platform this case names may answer."))
    text = (text or "").strip()
    if not text or "\x00" in text:
        raise Invalid(field="text", message=_("Write the platform's statement."))
    if len(text) > 2000:
        raise Invalid(field="text", message=_("Keep the statement under 2,000 characters."))
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",)).select_related("platform").get(pk=case.pk)
        )
        if locked.state == S.CLOSED:
            raise Conflict(_("This case is closed: statements are no longer taken."))
        event = CaseEvent.objects.create(
            case=locked,
            at=now,
            actor=actor,
            action=A.PLATFORM_STATEMENT,
            from_state=locked.state,
            to_state=locked.state,
            department_id=locked.department_id,
            note=f"{locked.platform.name}: {text}",
            visibility=CaseEvent.Visibility.PUBLIC,
        )
        params = {"id": locked.pk, "platform": locked.platform.name}
        message = _("%(platform)s made a statement on demand #%(id)s.")
        if locked.worker_id:
            notify(
                user=locked.worker,
                message=message,
                params=params,
                url=case_url(locked),
                verb="case",
            )
        if locked.department_id:
            notify_many(
                users=users_holding(Role.DEPARTMENT_OFFICER, department_id=locked.department_id),
                message=message,
                params=params,
                url=case_url(locked),
                verb="case",
            )
        return event
