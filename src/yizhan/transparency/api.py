"""Platform transparency: the JSON API (mounted at /api/v1/transparency/).

Public, no login: the platforms with their disclosures, history, monthly index and scorecard.
Workers: orders, statements (multipart), weeks, working days, the one-tap commission case.
Platform representatives: disclosures, confirmations, scorecard answers, statements on cases.
The city: publish or return a disclosure, compute the index; the dispatcher routes cases.

Money is integer fen and commission integer basis points (2500 = 25.00 %) in and out; errors
are the house's one shape (`core.schema.ERRORS`), never a 500.
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile

from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import Invalid, NotAllowed, NotFound
from yizhan.core.idempotency import run_once
from yizhan.core.schema import BIGINT_MAX, ERRORS, READ_ERRORS, DbId, Text
from yizhan.transparency import links, selectors, services, statements
from yizhan.transparency import permissions as perms
from yizhan.transparency.models import Disclosure, ServiceType
from yizhan.transparency.scorecard import scorecard

router = Router(tags=["transparency"], auth=token_or_session)

Code = Field(..., min_length=1, max_length=32, pattern=r"^[-a-zA-Z0-9_]+$")
Amount = Field(..., ge=-BIGINT_MAX, le=BIGINT_MAX, description="integer fen (1 yuan = 100 fen)")


# --- schemas ----------------------------------------------------------------------------------


class CapOut(Schema):
    service_type: str
    service_name: str
    city: str
    cap_bp: int = Field(description="basis points: 2500 = 25.00 %")


class DisclosureOut(Schema):
    id: int
    platform: str
    version: int
    state: str
    effective_from: dt.date
    published_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    caps: list[CapOut]
    pricing_rules: str
    pay_standards: str
    max_continuous_minutes: int | None
    forced_rest_minutes: int | None
    max_daily_minutes: int | None
    max_weekly_minutes: int | None
    injury_insurance: str
    appeal_channel: str


class PlatformOut(Schema):
    code: str
    name: str
    kind: str
    stale: bool = Field(description="not confirmed within the city's limit (90 days by default)")
    current: DisclosureOut | None


class IndexOut(Schema):
    service_type: str
    month: str
    published: bool = Field(description="false: fewer than k distinct workers, no figures")
    k: int
    orders: int | None
    workers: int | None
    median_bp: int | None
    p90_bp: int | None
    cap_bp: int | None


class TransparencyPointOut(Schema):
    label: str
    met: bool | None
    evidence: str


class PrincipleOut(Schema):
    key: str
    label: str
    score: int
    points: list[TransparencyPointOut]
    answer: str | None
    answered_at: dt.datetime | None


class ScorecardOut(Schema):
    score: int
    out_of: int
    principles: list[PrincipleOut]


class PlatformDetailOut(PlatformOut):
    upcoming: DisclosureOut | None
    history: list[DisclosureOut]
    index: list[IndexOut]
    scorecard: ScorecardOut


class OrderIn(Schema):
    platform: str = Code
    service_type: str = Code
    completed_on: dt.date
    fare_fen: int = Amount
    payout_fen: int = Amount
    order_no: str = Field("", max_length=64)
    driving_minutes: int | None = Field(None, ge=-100_000, le=100_000)
    idempotency_key: str | None = Field(None, max_length=100)


class OrderOut(Schema):
    id: int
    platform: str
    service_type: str
    order_no: str
    completed_on: dt.date
    fare_fen: int
    payout_fen: int
    commission_fen: int
    rate_bp: int = Field(description="effective commission, basis points, rounded down")
    cap_bp: int | None = Field(description="the cap in force on the order's day, if published")
    above_cap: bool


class ImportOut(Schema):
    statement_id: int | None
    rows: int
    imported: int
    duplicates: int = Field(description="orders already checked, ignored")


class WeekOut(Schema):
    platform: str
    service_type: str
    week_start: dt.date
    orders: int
    fare_fen: int
    payout_fen: int
    commission_fen: int
    rate_bp: int
    cap_bp: int | None
    orders_above_cap: int
    above_cap: bool
    case_id: int | None


class DisputeIn(Schema):
    platform: str = Code
    service_type: str = Code
    week_start: dt.date = Field(description="the Monday of the week")
    withhold_identity: bool = True


class DisputeOut(Schema):
    id: int
    case_id: int
    department: str | None = Field(description="where the city's rule routes it")
    rate_bp: int
    cap_bp: int


class WorkDayIn(Schema):
    platform: str = Code
    day: dt.date
    online_minutes: int | None = Field(None, ge=-100_000, le=100_000)
    driving_minutes: int | None = Field(None, ge=-100_000, le=100_000)


class WorkDayOut(Schema):
    platform: str
    day: dt.date
    online_minutes: int | None
    driving_minutes: int | None
    source: str


class CapIn(Schema):
    service_type: str = Code
    cap_bp: int = Field(..., ge=-BIGINT_MAX, le=BIGINT_MAX, description="0 to 10000")
    city: str = Field("", max_length=40)


class DisclosureIn(Schema):
    platform: str = Code
    effective_from: dt.date
    caps: list[CapIn] = Field(..., max_length=50)
    pricing_rules: str = Field("", max_length=4000)
    pay_standards: str = Field("", max_length=4000)
    injury_insurance: str = Field("", max_length=4000)
    appeal_channel: str = Field("", max_length=4000)
    max_continuous_minutes: int | None = Field(None, ge=-100_000, le=100_000)
    forced_rest_minutes: int | None = Field(None, ge=-100_000, le=100_000)
    max_daily_minutes: int | None = Field(None, ge=-100_000, le=100_000)
    max_weekly_minutes: int | None = Field(None, ge=-100_000, le=100_000)


class TransparencyNoteIn(Schema):
    note: str = Field("", max_length=1000)


class TransparencyReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class TextIn(Schema):
    text: str = Field(..., max_length=2000)


class TransparencyAnswerIn(Schema):
    principle: str = Field(..., max_length=16)
    text: str = Field(..., max_length=2000)


class StatementOut(Schema):
    case_id: int
    at: dt.datetime
    text: str


class MonthIn(Schema):
    month: str = Field(..., pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class RouteOut(Schema):
    case_id: int
    state: str
    department: str


# --- shaping ------------------------------------------------------------------------------------


def _disclosure(d: Disclosure | None) -> dict | None:
    if d is None:
        return None
    return {
        "id": d.pk,
        "platform": d.platform.code,
        "version": d.version,
        "state": d.state,
        "effective_from": d.effective_from,
        "published_at": d.published_at,
        "confirmed_at": d.confirmed_at,
        "caps": [
            {
                "service_type": c.service_type.code,
                "service_name": c.service_type.name,
                "city": c.city,
                "cap_bp": c.cap_bp,
            }
            for c in d.caps.all()
        ],
        **{
            name: getattr(d, name)
            for name in (
                "pricing_rules",
                "pay_standards",
                "max_continuous_minutes",
                "forced_rest_minutes",
                "max_daily_minutes",
                "max_weekly_minutes",
                "injury_insurance",
                "appeal_channel",
            )
        },
    }


def _index(r) -> dict:
    return {
        "service_type": r.service_type.code,
        "month": r.month.strftime("%Y-%m"),
        "published": r.published,
        "k": r.k,
        # Below k even the counts stay home: nothing to triangulate a person from.
        "orders": r.orders if r.published else None,
        "workers": r.workers if r.published else None,
        "median_bp": r.median_bp,
        "p90_bp": r.p90_bp,
        "cap_bp": r.cap_bp,
    }


def _scorecard(card) -> dict:
    return {
        "score": card.score,
        "out_of": card.out_of,
        "principles": [
            {
                "key": p.key,
                "label": str(p.label),
                "score": p.score,
                "points": [
                    {"label": str(pt.label), "met": pt.met, "evidence": pt.evidence}
                    for pt in p.points
                ],
                "answer": p.answer.text if p.answer else None,
                "answered_at": p.answer.created_at if p.answer else None,
            }
            for p in card.principles
        ],
    }


def _platform(code: str):
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,32}", code or ""):
        raise NotFound  # never a NUL byte or a megabyte into the database
    platform = links.platform(code=code)
    if platform is None:
        raise NotFound
    return platform


def _service_type(code: str):
    found = ServiceType.objects.filter(code=code).first()
    if found is None:
        raise Invalid(field="service_type", message=_("Unknown service type."))
    return found


def _order(o) -> dict:
    return {
        "id": o.pk,
        "platform": o.platform.code,
        "service_type": o.service_type.code,
        "order_no": o.order_no,
        "completed_on": o.completed_on,
        "fare_fen": o.fare_fen,
        "payout_fen": o.payout_fen,
        "commission_fen": o.commission_fen,
        "rate_bp": o.rate_bp,
        "cap_bp": o.cap_bp,
        "above_cap": o.is_above,
    }


# --- public -------------------------------------------------------------------------------------


@router.get(
    "/platforms",
    response=list[PlatformOut],
    auth=None,
    summary="Platforms and their rules in force",
)
def platforms(request):
    return [
        {
            "code": s.platform.code,
            "name": s.platform.name,
            "kind": s.platform.kind,
            "stale": s.stale,
            "current": _disclosure(s.current),
        }
        for s in selectors.platform_summaries()
    ]


@router.get(
    "/platforms/{code}",
    response={200: PlatformDetailOut, **READ_ERRORS},
    auth=None,
    summary="One platform: rules in force and coming, every published version, the index, the scorecard",
)
def platform_detail(request, code: str):
    platform = _platform(code)
    current = selectors.current_disclosure(platform)
    history = [
        d for d in selectors.disclosure_history(platform) if d.state == Disclosure.State.PUBLISHED
    ]
    return {
        "code": platform.code,
        "name": platform.name,
        "kind": platform.kind,
        "stale": selectors.is_stale(current),
        "current": _disclosure(current),
        "upcoming": _disclosure(selectors.upcoming_disclosure(platform)),
        "history": [_disclosure(d) for d in history],
        "index": [_index(r) for r in selectors.index_rows(platform=platform)],
        "scorecard": _scorecard(scorecard(platform)),
    }


# --- workers ------------------------------------------------------------------------------------


@router.post(
    "/orders",
    response={201: OrderOut, 200: OrderOut, **ERRORS},
    summary="Check one order: its effective commission against the cap in force that day",
)
def order_create(request, payload: OrderIn, idempotency_key: str | None = Header(None)):
    platform = _platform(payload.platform)
    service_type = _service_type(payload.service_type)

    def record():
        order = services.order_record(
            worker=request.auth,
            platform=platform,
            service_type=service_type,
            completed_on=payload.completed_on,
            fare_fen=payload.fare_fen,
            payout_fen=payload.payout_fen,
            order_no=payload.order_no,
            driving_minutes=payload.driving_minutes,
        )
        return 201, {**_order(order), "completed_on": order.completed_on.isoformat()}

    key = payload.idempotency_key or idempotency_key
    if not key:
        status, body = record()
        return Status(status, body)
    outcome = run_once(
        user=request.auth,
        scope="transparency.order",
        key=key,
        request_data=payload.dict(exclude={"idempotency_key"}),
        action=record,
    )
    return Status(200 if outcome.replayed else 201, outcome.response)


@router.post(
    "/statements",
    response={201: ImportOut, 200: ImportOut, **ERRORS},
    summary="Import an earnings statement (CSV in UTF-8 or GBK, or .xlsx; multipart)",
    description=(
        "Every row is checked; a file with a wrong row is refused whole with the row numbers "
        "(422, detail field `file`). Orders already checked are ignored (counted in "
        "`duplicates`). 200 when nothing new was in the file."
    ),
)
def statement_upload(request, platform: Form[Text(40, min_length=1)], file: File[UploadedFile]):
    if file.size and file.size > statements.MAX_BYTES:
        raise Invalid(field="file", message="The file is larger than 20 MB.")
    result = services.statement_import(
        worker=request.auth,
        platform=_platform(platform),
        filename=file.name or "statement.csv",
        data=file.read(),
    )
    body = {
        "statement_id": result.statement.pk if result.statement else None,
        "rows": result.rows,
        "imported": result.imported,
        "duplicates": result.duplicates,
    }
    return Status(201 if result.imported else 200, body)


@router.get(
    "/weeks",
    response={200: list[WeekOut], **READ_ERRORS},
    summary="My orders by week against the cap",
)
def weeks(request):
    if not perms.is_worker(request.auth):
        raise NotAllowed
    return [
        {
            "platform": w.platform.code,
            "service_type": w.service_type.code,
            "week_start": w.week_start,
            "orders": w.orders,
            "fare_fen": w.fare_fen,
            "payout_fen": w.payout_fen,
            "commission_fen": w.commission_fen,
            "rate_bp": w.rate_bp,
            "cap_bp": w.cap_bp,
            "orders_above_cap": w.above,
            "above_cap": w.above_cap,
            "case_id": w.dispute.case_id if w.dispute else None,
        }
        for w in selectors.worker_weeks(worker=request.auth)
    ]


@router.post(
    "/workdays",
    response={201: WorkDayOut, **ERRORS},
    summary="Record a day's online and driving minutes",
)
def workday(request, payload: WorkDayIn):
    day = services.workday_record(
        worker=request.auth,
        platform=_platform(payload.platform),
        day=payload.day,
        online_minutes=payload.online_minutes,
        driving_minutes=payload.driving_minutes,
    )
    return Status(
        201,
        {
            "platform": day.platform.code,
            "day": day.day,
            "online_minutes": day.online_minutes,
            "driving_minutes": day.driving_minutes,
            "source": day.source,
        },
    )


@router.post(
    "/disputes",
    response={201: DisputeOut, 200: DisputeOut, **ERRORS},
    summary="File a commission case for a week above the cap (one per week; a retry returns it)",
)
def dispute(request, payload: DisputeIn):
    found, created = services.dispute_file(
        worker=request.auth,
        platform=_platform(payload.platform),
        service_type=_service_type(payload.service_type),
        week_start=payload.week_start,
        withhold_identity=payload.withhold_identity,
    )
    body = {
        "id": found.pk,
        "case_id": found.case_id,
        "department": found.department.name if found.department_id else None,
        "rate_bp": found.rate_bp,
        "cap_bp": found.cap_bp,
    }
    return Status(201 if created else 200, body)


# --- platform representatives ---------------------------------------------------------------------


@router.post(
    "/disclosures",
    response={201: DisclosureOut, 200: DisclosureOut, **ERRORS},
    summary="File a new disclosure version for review (Idempotency-Key: a retry returns it)",
)
def disclosure_file(request, payload: DisclosureIn, idempotency_key: str | None = Header(None)):
    platform = _platform(payload.platform)
    known = {st.code: st.pk for st in ServiceType.objects.all()}
    caps = []
    for cap in payload.caps:
        if cap.service_type not in known:
            raise Invalid(fields={"caps": [_("Unknown service type.")]})
        caps.append(services.CapIn(known[cap.service_type], cap.cap_bp, cap.city))
    found, created = services.disclosure_file(
        platform=platform,
        actor=request.auth,
        effective_from=payload.effective_from,
        caps=caps,
        pricing_rules=payload.pricing_rules,
        pay_standards=payload.pay_standards,
        injury_insurance=payload.injury_insurance,
        appeal_channel=payload.appeal_channel,
        max_continuous_minutes=payload.max_continuous_minutes,
        forced_rest_minutes=payload.forced_rest_minutes,
        max_daily_minutes=payload.max_daily_minutes,
        max_weekly_minutes=payload.max_weekly_minutes,
        idempotency_key=(idempotency_key or "")[:100],
    )
    found = selectors.disclosure_for_viewer(user=request.auth, disclosure_id=found.pk)
    return Status(201 if created else 200, _disclosure(found))


@router.post(
    "/platforms/{code}/confirm",
    response={200: DisclosureOut, **ERRORS},
    summary="Confirm the disclosure in force is still accurate (restarts the stale clock)",
)
def confirm(request, code: str):
    found = services.disclosure_confirm(platform=_platform(code), actor=request.auth)
    return _disclosure(selectors.disclosure_for_viewer(user=request.auth, disclosure_id=found.pk))


@router.post(
    "/platforms/{code}/answers",
    response={201: PrincipleOut, **ERRORS},
    summary="The platform's written answer on one principle of its scorecard",
)
def answer(request, code: str, payload: TransparencyAnswerIn):
    platform = _platform(code)
    services.scorecard_answer(
        platform=platform, actor=request.auth, principle=payload.principle, text=payload.text
    )
    card = _scorecard(scorecard(platform))
    return Status(201, next(p for p in card["principles"] if p["key"] == payload.principle))


@router.post(
    "/cases/{case_id}/statement",
    response={201: StatementOut, **ERRORS},
    summary="The platform's statement on a case naming it (part of the case history)",
)
def case_statement(request, case_id: DbId, payload: TextIn):
    event = services.case_statement(case_id=case_id, actor=request.auth, text=payload.text)
    return Status(201, {"case_id": case_id, "at": event.at, "text": event.note})


# --- the city ------------------------------------------------------------------------------------


@router.post(
    "/disclosures/{disclosure_id}/publish",
    response={200: DisclosureOut, **ERRORS},
    summary="Publish a version awaiting review (city administrator)",
)
def publish(request, disclosure_id: DbId, payload: TransparencyNoteIn):
    found = selectors.disclosure_for_viewer(user=request.auth, disclosure_id=disclosure_id)
    return _disclosure(
        services.disclosure_publish(disclosure=found, actor=request.auth, note=payload.note)
    )


@router.post(
    "/disclosures/{disclosure_id}/reject",
    response={200: DisclosureOut, **ERRORS},
    summary="Return a version for correction (city administrator)",
)
def reject(request, disclosure_id: DbId, payload: TransparencyReasonIn):
    found = selectors.disclosure_for_viewer(user=request.auth, disclosure_id=disclosure_id)
    return _disclosure(
        services.disclosure_reject(disclosure=found, actor=request.auth, reason=payload.reason)
    )


@router.post(
    "/index",
    response={200: list[IndexOut], **ERRORS},
    summary="Compute a month's commission index (city administrator)",
)
def index(request, payload: MonthIn):
    if not perms.can_review(request.auth):
        raise NotAllowed
    try:
        month = dt.date.fromisoformat(f"{payload.month}-01")
    except ValueError:
        raise Invalid(field="month", message=_("Choose a month.")) from None
    rows = services.index_compute(month=month, now=timezone.now())
    by_id = {st.pk: st for st in ServiceType.objects.all()}
    for r in rows:
        r.service_type = by_id[r.service_type_id]
    return [_index(r) for r in rows]


@router.post(
    "/disputes/{dispute_id}/route",
    response={200: RouteOut, **ERRORS},
    summary="Route a commission case to the department the city's rule gives (dispatcher)",
)
def route(request, dispute_id: DbId):
    found = selectors.disputes_to_route(user=request.auth).filter(pk=dispute_id).first()
    if found is None:
        raise NotFound
    case = services.dispute_route(dispute=found, actor=request.auth)
    return {"case_id": case.pk, "state": case.state, "department": case.department.name}
