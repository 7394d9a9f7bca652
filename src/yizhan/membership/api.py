"""Membership and check-in: the JSON API (mounted at /api/v1/membership/).

Workers: their memberships and cards, organisations to join or check in with, applying and
one-step check-in (retry-safe with an `Idempotency-Key`), their grid. Officers: decide
applications and check-ins. Departments: yes/no registry checks — the answer holds booleans
and nothing else. Errors are the house's one JSON shape (422 at the edge for bad input).
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Header, Router, Schema, Status
from pydantic import AfterValidator

from yizhan.accounts.permissions import token_or_session
from yizhan.core import idempotency
from yizhan.core.errors import NotAllowed
from yizhan.core.schema import ERRORS, READ_ERRORS, DbId
from yizhan.membership import permissions as perms
from yizhan.membership import selectors, services
from yizhan.membership.models import Family

router = Router(tags=["membership"], auth=token_or_session)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, Field(max_length=300), AfterValidator(_no_nul)]
ShortText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
Code = Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9_-]*$")]
IdNumber = Annotated[str, Field(max_length=40), AfterValidator(_no_nul)]


# --- schemas ------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    family: str
    place: str = Field(description="district · subdistrict · community · station, as far as tied")


class MembershipOut(Schema):
    id: int
    organisation: OrganisationOut
    state: str
    number: str = Field(description="the card number; it follows the member through transfers")
    member_since: dt.date | None
    card_url: str
    waiting_check_in: int | None = Field(
        None, description="id of a check-in waiting for acknowledgement"
    )


class TransferOut(Schema):
    id: int
    state: str
    from_org: OrganisationOut
    to_org: OrganisationOut
    requested_at: dt.datetime
    due_at: dt.datetime = Field(
        description="end of the last working day to acknowledge (Asia/Shanghai)"
    )
    working_days: int
    new_membership_id: int | None


class ApplyIn(Schema):
    organisation_id: DbId
    consent: bool = Field(False, description="separate consent (required for union and party)")
    qr_token: Code = Field("", description="the token from the organisation's QR code, if scanned")
    idempotency_key: str | None = Field(None, max_length=100)


class CheckInIn(Schema):
    organisation_id: DbId
    station_code: Code = ""
    membership_id: DbId | None = None
    idempotency_key: str | None = Field(None, max_length=100)


class RefusalIn(Schema):
    reason: Text


class RegistryIn(Schema):
    question: Code = Field(
        description="registered_worker, volunteer, member_of, or a registry's question"
    )
    organisation_id: DbId | None = Field(None, description="for member_of (not unions or parties)")
    purpose: ShortText
    legal_basis: ShortText
    id_numbers: list[IdNumber] = Field(
        ...,
        min_length=1,
        max_length=50_000,
        description="at most 50,000 per request (the request body limit is 2 MB); "
        "send bigger lists in batches",
    )


class RegistryOut(Schema):
    answers: list[bool | None] = Field(description="one per row, in order; null: not an ID number")
    rows: int
    yes: int


class GridReportOut(Schema):
    id: int
    category: str
    state: str
    community: str
    created_at: dt.datetime


class GridOut(Schema):
    communities: list[str]
    reports: list[GridReportOut]


# --- presenters ---------------------------------------------------------------------------------


def org_out(org) -> dict:
    return {
        "id": org.pk,
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "family": org.family,
        "place": org.place_label,
    }


def membership_out(m, waiting=None) -> dict:
    from django.urls import reverse

    return {
        "id": m.pk,
        "organisation": org_out(m.organisation),
        "state": m.state,
        "number": m.number,
        "member_since": m.member_since,
        "card_url": reverse("membership:card", args=[m.pk]),
        "waiting_check_in": waiting.pk if waiting is not None else None,
    }


def transfer_out(t) -> dict:
    return {
        "id": t.pk,
        "state": t.state,
        "from_org": org_out(t.from_org),
        "to_org": org_out(t.to_org),
        "requested_at": t.requested_at,
        "due_at": t.due_at,
        "working_days": t.working_days,
        "new_membership_id": t.new_membership_id,
    }


def _key(payload_key, header_key) -> str:
    return (payload_key or header_key or "").strip()


# --- workers ------------------------------------------------------------------------------------


@router.get("/mine", response={200: list[MembershipOut], **READ_ERRORS}, summary="My memberships")
def mine(request):
    if not perms.is_worker(request.auth):
        raise NotAllowed()
    return [membership_out(m, m.waiting) for m in selectors.my_memberships(request.auth)]


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **READ_ERRORS},
    summary="Organisations that take members (filter by family, district, name)",
)
def organisations(request, family: Code = "", district_id: DbId | None = None, q: ShortText = ""):
    rows = selectors.organisations_to_join(family=family or None, district_id=district_id, q=q)
    return [org_out(o) for o in rows[:200]]


@router.get(
    "/stations/{code}/organisations",
    response={200: list[OrganisationOut], **READ_ERRORS},
    summary="Organisations a worker may check in with at a station (nearest in scope first)",
)
def organisations_at_station(request, code: Code):
    station = selectors.station_by_code(code)
    return [org_out(o) for o in selectors.organisations_here(station=station)]


@router.post(
    "/applications",
    response={201: MembershipOut, **ERRORS},
    summary="Apply to join. Union and party need `consent: true` once (separate consent, "
    "PIPL art. 29). A retry with the same idempotency key returns the first answer.",
)
def apply(request, payload: ApplyIn, idempotency_key: str = Header("", alias="Idempotency-Key")):
    org = selectors.organisation_get(payload.organisation_id)
    user = request.auth

    def action():
        membership = services.membership_apply(
            user=user,
            organisation=org,
            consent=payload.consent,
            via="qr" if payload.qr_token else "app",
            token=payload.qr_token,
        )
        return 201, membership_out(membership)

    key = _key(payload.idempotency_key, idempotency_key)
    if not key:
        status, body = action()
        return Status(status, body)
    outcome = idempotency.run_once(
        user=user,
        scope="membership.apply",
        key=key,
        request_data=payload.dict(exclude={"idempotency_key"}),
        action=action,
    )
    return Status(outcome.status_code, outcome.response)


@router.post(
    "/check-ins",
    response={201: TransferOut, 200: TransferOut, **ERRORS},
    summary="One-step check-in (一键报到): ask the organisation to take over your membership "
    "of its family. 201 when created; 200 with the same check-in on a repeat or retry.",
)
def check_in(
    request, payload: CheckInIn, idempotency_key: str = Header("", alias="Idempotency-Key")
):
    org = selectors.organisation_get(payload.organisation_id)
    station = selectors.station_by_code(payload.station_code) if payload.station_code else None
    transfer, created = services.check_in(
        user=request.auth,
        organisation=org,
        station=station,
        membership_id=payload.membership_id,
        client_key=_key(payload.idempotency_key, idempotency_key)[:64],
    )
    return Status(201 if created else 200, transfer_out(transfer))


@router.get(
    "/check-ins/{int:transfer_id}",
    response={200: TransferOut, **READ_ERRORS},
    summary="One of my check-ins",
)
def check_in_detail(request, transfer_id: DbId):
    return transfer_out(selectors.transfer_for_owner(request.auth, transfer_id))


@router.post(
    "/check-ins/{int:transfer_id}/cancel",
    response={200: TransferOut, **ERRORS},
    summary="Cancel my check-in",
)
def check_in_cancel(request, transfer_id: DbId):
    return transfer_out(services.transfer_cancel(user=request.auth, transfer_id=transfer_id))


@router.get(
    "/grid",
    response={200: GridOut, **READ_ERRORS},
    summary="My grid: open reports where I am a grid member",
)
def grid(request):
    appointments, reports = selectors.my_grid(request.auth)
    return {
        "communities": sorted({a.community.name for a in appointments}),
        "reports": [
            {
                "id": r.pk,
                "category": str(r.category),
                "state": r.state,
                "community": r.community.name if r.community_id else "",
                "created_at": r.created_at,
            }
            for r in reports
        ],
    }


# --- officers ------------------------------------------------------------------------------------


@router.post(
    "/applications/{int:membership_id}/approve",
    response={200: MembershipOut, **ERRORS},
    summary="Approve an application (officers)",
)
def approve(request, membership_id: DbId):
    return membership_out(
        services.membership_approve(actor=request.auth, membership_id=membership_id)
    )


@router.post(
    "/applications/{int:membership_id}/reject",
    response={200: MembershipOut, **ERRORS},
    summary="Reject an application with a reason (officers)",
)
def reject(request, membership_id: DbId, payload: RefusalIn):
    return membership_out(
        services.membership_reject(
            actor=request.auth, membership_id=membership_id, reason=payload.reason
        )
    )


@router.post(
    "/transfers/{int:transfer_id}/acknowledge",
    response={200: TransferOut, **ERRORS},
    summary="Acknowledge a check-in (receiving officers)",
)
def acknowledge(request, transfer_id: DbId):
    return transfer_out(services.transfer_acknowledge(actor=request.auth, transfer_id=transfer_id))


@router.post(
    "/transfers/{int:transfer_id}/decline",
    response={200: TransferOut, **ERRORS},
    summary="Decline a check-in with a reason (receiving officers)",
)
def decline(request, transfer_id: DbId, payload: RefusalIn):
    return transfer_out(
        services.transfer_decline(
            actor=request.auth, transfer_id=transfer_id, reason=payload.reason
        )
    )


# --- departments ---------------------------------------------------------------------------------


@router.post(
    "/registry/checks",
    response={200: RegistryOut, **ERRORS},
    summary="Yes/no per ID number (departments). Logged with purpose and legal basis; the "
    "answer carries only booleans. Up to 50,000 rows per request.",
)
def registry_check(request, payload: RegistryIn):
    org = selectors.organisation_get(payload.organisation_id) if payload.organisation_id else None
    answers = services.registry_check(
        actor=request.auth,
        question=payload.question,
        id_numbers=payload.id_numbers,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        organisation=org,
        channel="api",
    )
    return {"answers": answers, "rows": len(answers), "yes": sum(1 for a in answers if a)}


@router.get(
    "/families", response={200: list[dict], **READ_ERRORS}, auth=None, summary="Membership families"
)
def families(request):
    return [{"code": code, "label": str(label)} for code, label in Family.choices]
