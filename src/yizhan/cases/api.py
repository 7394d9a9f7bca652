"""Case endpoints at /api/v1/cases: categories, filing (201 with the case, idempotent), reading
a case with its deadlines and history, one action per step, and the hotline webhook.

Paths have no trailing slash. References are codes (`category`, `platform`, `department`),
ids are `DbId`. Errors are the API's one JSON shape (`core.schema.ErrorOut`): 401 not logged
in, 403 not yours, 404 no such case, 409 the case's state does not allow it, 422 bad input
with the field named — never a 500 for something the client can fix."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from yizhan.accounts.permissions import token_or_session
from yizhan.cases import hotline, permissions, presenters, selectors, services
from yizhan.cases.models import Case
from yizhan.core.errors import Invalid, Unauthenticated
from yizhan.core.schema import ERRORS, READ_ERRORS, Code, DbId, ErrorOut, Text

router = Router(tags=["cases"])


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    department: str = Field(description="Code of the department it goes to by default")
    limit_type: str
    working_days: int


class HistoryOut(Schema):
    at: dt.datetime
    action: str
    label: str
    actor: str
    department: str
    note: str
    staff_only: bool = Field(
        description="An entry among staff (never sent to the worker or a platform)"
    )


class CaseOut(Schema):
    id: int
    state: str
    state_label: str
    channel: str
    category: str = Field(description="Category code")
    description: str
    department: str | None = Field(description="Department code, once dispatched")
    platform: str | None = Field(description="Platform code")
    person: str = Field(description="Who the case is about, as this viewer may see them")
    withhold_identity: bool
    urgent: bool
    created_at: dt.datetime
    accept_due_at: dt.datetime
    due_at: dt.datetime | None
    overdue: bool
    deadline_is_estimate: bool = Field(
        description="True when the deadline's year has no announced holiday schedule yet"
    )
    source_order_no: str
    reply: str
    rating: str
    history: list[HistoryOut]
    allowed_steps: list[str] = Field(
        description="Steps this viewer may take now (accept, dispatch, sign_for, return, "
        "handle, request_extension, decide_extension, reply, follow_up, close, mediate, "
        "urge, reassign)"
    )


class CaseIn(Schema):
    category: Code = Field(description="A category code from GET /cases/categories")
    description: Text(2000, min_length=1)
    platform: Code | None = Field(None, description="Platform code; default: the worker's own")
    withhold_identity: bool = False
    idempotency_key: Text(64) | None = None


class NoteIn(Schema):
    note: Text(2000) = ""


class AcceptIn(Schema):
    category: Code | None = Field(None, description="Correct the category (its code)")
    urgent: bool | None = None
    note: Text(2000) = Field("", description="Shown to the worker with the acceptance")


class HandleIn(Schema):
    note: Text(2000) = ""
    tell_worker: bool = Field(
        False, description="Address the note to the worker too (default: staff only)"
    )


class DispatchIn(Schema):
    department: Code = Field(description="Department code")
    note: Text(2000) = ""


class ReasonIn(Schema):
    reason: Text(2000)


class ReassignIn(Schema):
    department: Code = Field(description="Code of the department that takes the order over")
    reason: Text(2000)


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=30, description="Extra working days")
    reason: Text(2000)


class DecisionIn(Schema):
    approve: bool
    note: Text(2000) = ""


class ReplyIn(Schema):
    text: Text(4000)


class FollowUpIn(Schema):
    rating: Code = Field(description="satisfied, basically or dissatisfied")
    note: Text(2000) = ""


class HotlineOrderIn(Schema):
    order_no: Text(40) = Field(description="工单编号")
    called_at: Text(40) = Field(description="来电时间, e.g. 2026-09-29 10:30:00 (Asia/Shanghai)")
    caller_name: Text(40) = Field("", description="来电人")
    caller_mobile: Text(20) = Field("", description="联系电话")
    kind: Text(20) = Field("", description="诉求类型: 咨询/求助/投诉/举报/建议")
    category: Text(40) = Field("", description="问题分类 (a category name; default: other)")
    content: Text(4000) = Field(description="诉求内容")
    district: Text(40) = Field("", description="所属区县")
    urgency: Text(20) = Field("", description="紧急程度: 一般/紧急")


class HotlineOut(Schema):
    id: int
    created: bool


def case_out(case: Case, user) -> dict:
    events = selectors.history_for_viewer(user=user, case=case)
    facts = presenters.deadline_facts(case)
    return {
        "id": case.pk,
        "state": case.state,
        "state_label": case.get_state_display(),
        "channel": case.channel,
        "category": case.category.code,
        "description": presenters.shown_text(case.description, case, user),
        "department": case.department.code if case.department_id else None,
        "platform": case.platform.code if case.platform_id else None,
        "person": presenters.person_label(case, user),
        "withhold_identity": case.withhold_identity,
        "urgent": case.urgent,
        "created_at": case.created_at,
        "accept_due_at": case.accept_due_at,
        "due_at": case.due_at,
        "overdue": facts["overdue"],
        "deadline_is_estimate": facts["guessed_calendar"],
        "source_order_no": case.source_order_no,
        "reply": presenters.shown_text(case.reply, case, user),
        "rating": case.rating,
        "history": presenters.timeline(case, events, user),
        "allowed_steps": permissions.allowed_steps(user, case),
    }


def _category(code: str):
    category = selectors.active_category(code=code)
    if category is None:
        raise Invalid(_("Unknown category."), field="category")
    return category


@router.get("/categories", response=list[CategoryOut], auth=None, summary="Demand categories")
def categories(request):
    return [
        {
            "id": c.id,
            "code": c.code,
            "name": c.name,
            "department": c.default_department.code,
            "limit_type": c.limit_type.code,
            "working_days": c.limit_type.working_days,
        }
        for c in selectors.active_categories()
    ]


@router.get(
    "",
    response={200: list[CaseOut], **READ_ERRORS},
    auth=token_or_session,
    summary="The authenticated worker's own cases, newest first (at most 100)",
)
def my_cases(request):
    return [case_out(c, request.auth) for c in selectors.cases_of_worker(user=request.auth)[:100]]


@router.post(
    "",
    response={201: CaseOut, **ERRORS},
    auth=token_or_session,
    summary="File a demand (workers); answers 201 with the case. Retrying with the same "
    "idempotency key (body field or `Idempotency-Key` header) returns the first case, again "
    "with 201.",
)
def case_create(request, payload: CaseIn):
    user = request.auth
    platform = None
    if payload.platform:
        platform = selectors.platform(code=payload.platform)
        if platform is None:
            raise Invalid(_("Unknown platform."), field="platform")
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")[:64]
    case, _created = services.case_submit(
        worker=user,
        category=_category(payload.category),
        description=payload.description,
        platform=platform,
        withhold_identity=payload.withhold_identity,
        idempotency_key=key,
    )
    return Status(201, case_out(selectors.case_for_viewer(user=user, case_id=case.pk), user))


@router.get(
    "/{case_id}",
    response={200: CaseOut, **READ_ERRORS},
    auth=token_or_session,
    summary="One case with its deadlines and history",
)
def case_detail(request, case_id: DbId):
    return case_out(selectors.case_for_viewer(user=request.auth, case_id=case_id), request.auth)


def _step(request, case_id, run):
    run(selectors.case_for_viewer(user=request.auth, case_id=case_id))
    return case_out(selectors.case_for_viewer(user=request.auth, case_id=case_id), request.auth)


def _action(path, summary):
    def decorator(fn):
        return router.post(
            f"/{{case_id}}/{path}",
            response={200: CaseOut, **ERRORS},
            auth=token_or_session,
            summary=summary,
            operation_id=f"case_{path.replace('-', '_')}",
        )(fn)

    return decorator


@_action("accept", "受理 Accept (dispatcher); optionally correct category or urgency")
def accept(request, case_id: DbId, payload: AcceptIn):
    category = _category(payload.category) if payload.category else None
    return _step(
        request,
        case_id,
        lambda c: services.case_accept(
            case=c, actor=request.auth, category=category, urgent=payload.urgent, note=payload.note
        ),
    )


@_action("dispatch", "派单 Dispatch to a department (dispatcher)")
def dispatch(request, case_id: DbId, payload: DispatchIn):
    department = selectors.department(code=payload.department)
    if department is None:
        raise Invalid(_("Unknown department."), field="department")
    return _step(
        request,
        case_id,
        lambda c: services.case_dispatch(
            case=c, actor=request.auth, department=department, note=payload.note
        ),
    )


@_action("sign-for", "签收 Sign for the order (officer of the department)")
def sign_for(request, case_id: DbId):
    return _step(request, case_id, lambda c: services.case_sign_for(case=c, actor=request.auth))


@_action("return", "退回 Return a misrouted order within 2 working days (officer)")
def return_(request, case_id: DbId, payload: ReasonIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_return(case=c, actor=request.auth, reason=payload.reason),
    )


@_action("handle", "办理 Record what was done (officer)")
def handle(request, case_id: DbId, payload: HandleIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_handle(
            case=c, actor=request.auth, note=payload.note, tell_worker=payload.tell_worker
        ),
    )


@_action("extension", "Request an extension in working days (officer)")
def extension(request, case_id: DbId, payload: ExtensionIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_request_extension(
            case=c, actor=request.auth, days=payload.days, reason=payload.reason
        ),
    )


@_action("extension-decision", "Approve or refuse the extension (dispatcher)")
def extension_decision(request, case_id: DbId, payload: DecisionIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_decide_extension(
            case=c, actor=request.auth, approve=payload.approve, note=payload.note
        ),
    )


@_action("reply", "答复 Reply to the worker (officer)")
def reply(request, case_id: DbId, payload: ReplyIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_reply(case=c, actor=request.auth, text=payload.text),
    )


@_action("follow-up", "回访 Rate the reply (the worker, or the dispatcher by phone)")
def follow_up(request, case_id: DbId, payload: FollowUpIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_follow_up(
            case=c, actor=request.auth, rating=payload.rating, note=payload.note
        ),
    )


@_action("close", "办结 Close (dispatcher)")
def close(request, case_id: DbId, payload: NoteIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_close(case=c, actor=request.auth, note=payload.note),
    )


@_action("urge", "催办 Urge the department to act on a dispatched order (dispatcher)")
def urge(request, case_id: DbId, payload: NoteIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_urge(case=c, actor=request.auth, note=payload.note),
    )


@_action("reassign", "改派 Reassign a dispatched order to another department (dispatcher)")
def reassign(request, case_id: DbId, payload: ReassignIn):
    department = selectors.department(code=payload.department)
    if department is None:
        raise Invalid(_("Unknown department."), field="department")
    return _step(
        request,
        case_id,
        lambda c: services.case_reassign(
            case=c, actor=request.auth, department=department, reason=payload.reason
        ),
    )


@router.post(
    "/hotline/{source}",
    response={200: HotlineOut, 201: HotlineOut, 401: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Hotline centre webhook: one work order; authenticate with the `X-Source-Key` "
    "header. A new order answers 201; the same order number again answers 200 with the "
    "first case.",
)
def hotline_webhook(request, source: Code, payload: HotlineOrderIn):
    found = selectors.hotline_source_for_key(
        code=source, key=request.headers.get("X-Source-Key", "")
    )
    if found is None:
        raise Unauthenticated(_("Unknown source or wrong X-Source-Key."))
    result = hotline.check_row(0, payload.dict(), hotline.Lookups())
    if isinstance(result, hotline.RowError):
        raise Invalid(result.message, field=result.field)
    case_id, created = services.hotline_receive(source=found, order=result)
    return Status(201 if created else 200, {"id": case_id, "created": created})
