"""Case endpoints at /api/v1/cases: categories, filing (with an idempotency key), reading a
case with its deadlines and history, one action per step, and the hotline webhook.

State conflicts answer 409, missing rights 403, bad input 422: never a 500."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from yizhan.accounts.permissions import Role, has_role, token_or_session
from yizhan.cases import hotline, presenters, selectors, services
from yizhan.cases.models import Case, Category
from yizhan.orgs.models import Department, Platform

router = Router(tags=["cases"])


class Message(Schema):
    message: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    department: str
    limit_type: str
    working_days: int


class HistoryOut(Schema):
    at: dt.datetime
    action: str
    label: str
    actor: str
    department: str
    note: str


class CaseOut(Schema):
    id: int
    state: str
    state_label: str
    channel: str
    category: str
    description: str
    department: str | None
    platform: str | None
    person: str
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
    allowed_steps: list[str]


class CaseIn(Schema):
    category: str = Field(description="A category code from GET /cases/categories")
    description: str = Field(min_length=1, max_length=2000)
    platform: str | None = Field(None, description="Platform code; default: the worker's own")
    withhold_identity: bool = False
    idempotency_key: str | None = Field(None, max_length=64)


class NoteIn(Schema):
    note: str = ""


class AcceptIn(Schema):
    category: str | None = None
    urgent: bool | None = None
    note: str = ""


class DispatchIn(Schema):
    department: str = Field(description="Department code")
    note: str = ""


class ReasonIn(Schema):
    reason: str


class ExtensionIn(Schema):
    days: int
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class ReplyIn(Schema):
    text: str


class FollowUpIn(Schema):
    rating: str = Field(description="satisfied, basically or dissatisfied")
    note: str = ""


class HotlineOrderIn(Schema):
    order_no: str = Field(description="工单编号")
    called_at: str = Field(description="来电时间, e.g. 2026-09-29 10:30:00 (Asia/Shanghai)")
    caller_name: str = Field("", description="来电人")
    caller_mobile: str = Field("", description="联系电话")
    kind: str = Field("", description="诉求类型: 咨询/求助/投诉/举报/建议")
    category: str = Field("", description="问题分类 (a category name; default: other)")
    content: str = Field(description="诉求内容")
    district: str = Field("", description="所属区县")
    urgency: str = Field("", description="紧急程度: 一般/紧急")


class HotlineOut(Schema):
    id: int
    created: bool


def case_out(case: Case, user) -> dict:
    events = selectors.case_history(case)
    facts = presenters.deadline_facts(case)
    return {
        "id": case.pk,
        "state": case.state,
        "state_label": case.get_state_display(),
        "channel": case.channel,
        "category": case.category.code,
        "description": case.description,
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
        "reply": case.reply,
        "rating": case.rating,
        "history": presenters.timeline(case, events, user),
        "allowed_steps": services.allowed_steps(user, case),
    }


ERRORS = {403: Message, 404: Message, 409: Message, 422: Message}


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
    "/",
    response={200: list[CaseOut], 401: Message},
    auth=token_or_session,
    summary="The authenticated worker's own cases, newest first (at most 100)",
)
def my_cases(request):
    return [case_out(c, request.auth) for c in selectors.cases_of_worker(user=request.auth)[:100]]


@router.post(
    "/",
    response={201: CaseOut, 401: Message, **ERRORS},
    auth=token_or_session,
    summary="File a demand (workers). Retrying with the same idempotency key (body field or "
    "`Idempotency-Key` header) returns the first case, again with 201.",
)
def case_create(request, payload: CaseIn):
    user = request.auth
    if not has_role(user, Role.WORKER):
        raise PermissionDenied
    category = Category.objects.filter(code=payload.category, active=True).first()
    if category is None:
        return Status(422, {"message": "category: unknown category"})
    platform = None
    if payload.platform:
        platform = Platform.objects.filter(code=payload.platform).first()
        if platform is None:
            return Status(422, {"message": "platform: unknown platform"})
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")[:64]
    case, _created = services.case_submit(
        worker=user,
        category=category,
        description=payload.description,
        platform=platform,
        withhold_identity=payload.withhold_identity,
        idempotency_key=key,
    )
    case = selectors.case_for_viewer(user=user, case_id=case.pk)
    return Status(201, case_out(case, user))


@router.get(
    "/{int:case_id}",
    response={200: CaseOut, 401: Message, **ERRORS},
    auth=token_or_session,
    summary="One case with its deadlines and history",
)
def case_detail(request, case_id: int):
    return case_out(selectors.case_for_viewer(user=request.auth, case_id=case_id), request.auth)


def _step(request, case_id, run):
    case = selectors.case_for_viewer(user=request.auth, case_id=case_id)
    try:
        run(case)
    except services.IllegalStep as exc:
        return Status(409, {"message": exc.message})
    return Status(
        200, case_out(selectors.case_for_viewer(user=request.auth, case_id=case_id), request.auth)
    )


def _action(path, summary, schema=None):
    def decorator(fn):
        return router.post(
            f"/{{int:case_id}}/{path}",
            response={200: CaseOut, 401: Message, **ERRORS},
            auth=token_or_session,
            summary=summary,
            operation_id=f"case_{path.replace('-', '_')}",
        )(fn)

    return decorator


@_action("accept", "受理 Accept (dispatcher); optionally correct category or urgency")
def accept(request, case_id: int, payload: AcceptIn):
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, active=True).first()
        if category is None:
            return Status(422, {"message": "category: unknown category"})
    return _step(
        request,
        case_id,
        lambda c: services.case_accept(
            case=c, actor=request.auth, category=category, urgent=payload.urgent, note=payload.note
        ),
    )


@_action("dispatch", "派单 Dispatch to a department (dispatcher)")
def dispatch(request, case_id: int, payload: DispatchIn):
    department = Department.objects.filter(code=payload.department).first()
    if department is None:
        return Status(422, {"message": "department: unknown department"})
    return _step(
        request,
        case_id,
        lambda c: services.case_dispatch(
            case=c, actor=request.auth, department=department, note=payload.note
        ),
    )


@_action("sign-for", "签收 Sign for the order (officer of the department)")
def sign_for(request, case_id: int):
    return _step(request, case_id, lambda c: services.case_sign_for(case=c, actor=request.auth))


@_action("return", "退回 Return a misrouted order within 2 working days (officer)")
def return_(request, case_id: int, payload: ReasonIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_return(case=c, actor=request.auth, reason=payload.reason),
    )


@_action("handle", "办理 Record what was done (officer)")
def handle(request, case_id: int, payload: NoteIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_handle(case=c, actor=request.auth, note=payload.note),
    )


@_action("extension", "Request an extension in working days (officer)")
def extension(request, case_id: int, payload: ExtensionIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_request_extension(
            case=c, actor=request.auth, days=payload.days, reason=payload.reason
        ),
    )


@_action("extension-decision", "Approve or refuse the extension (dispatcher)")
def extension_decision(request, case_id: int, payload: DecisionIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_decide_extension(
            case=c, actor=request.auth, approve=payload.approve, note=payload.note
        ),
    )


@_action("reply", "答复 Reply to the worker (officer)")
def reply(request, case_id: int, payload: ReplyIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_reply(case=c, actor=request.auth, text=payload.text),
    )


@_action("follow-up", "回访 Rate the reply (the worker, or the dispatcher by phone)")
def follow_up(request, case_id: int, payload: FollowUpIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_follow_up(
            case=c, actor=request.auth, rating=payload.rating, note=payload.note
        ),
    )


@_action("close", "办结 Close (dispatcher)")
def close(request, case_id: int, payload: NoteIn):
    return _step(
        request,
        case_id,
        lambda c: services.case_close(case=c, actor=request.auth, note=payload.note),
    )


@router.post(
    "/hotline/{source}",
    response={200: HotlineOut, 201: HotlineOut, 401: Message, 422: Message},
    auth=None,
    summary="Hotline centre webhook: one work order; authenticate with the `X-Source-Key` "
    "header. The same order number twice answers 200 with the first case.",
)
def hotline_webhook(request, source: str, payload: HotlineOrderIn):
    found = hotline.source_for_key(code=source, key=request.headers.get("X-Source-Key", ""))
    if found is None:
        return Status(401, {"message": "Unknown source or wrong X-Source-Key."})
    result = hotline.check_row(0, payload.dict(), hotline.Lookups())
    if isinstance(result, str):
        return Status(422, {"message": result})
    case, created = hotline.receive_order(source=found, order=result)
    return Status(201 if created else 200, {"id": case.pk, "created": created})
