"""Points endpoints (/api/v1/points/…): a worker's balance, history, catalogue and
redemptions; the keeper's hand-over; the administrator's wishes, catalogue, rules, grants
and corrections.

Refusals are the services' `core.errors`, answered once by `yizhan.api` in the one error
shape (`core.schema.ErrorOut`: 401/403/404/409/422); input is bounded here so that what the
database cannot hold (a price beyond a 32-bit column, an id beyond 64 bits, a NUL byte) is
a 422 naming the field, never a 500.
"""

import datetime as dt
from typing import Annotated

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from yizhan.accounts import selectors as accounts
from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import Invalid, NotAllowed, NotFound
from yizhan.core.schema import ERRORS, INT_MAX, READ_ERRORS, DbId, SmallCount
from yizhan.points import permissions, selectors, services
from yizhan.points.models import MIN_PRICE, EarningRule, Wish
from yizhan.points.services import GRANT_MAX
from yizhan.stations import selectors as stations

router = Router(tags=["points"], auth=token_or_session)

# Bounded by what the 32-bit columns hold; the service says why a price under 2 is refused.
Price = Annotated[int, Field(ge=0, le=INT_MAX, description=f"{MIN_PRICE} points or more")]
Points = Annotated[int, Field(ge=1, le=INT_MAX)]
Cap = Annotated[int, Field(ge=1, le=INT_MAX, description="per worker; empty: no cap")]


def _require(request, allowed) -> object:
    if not allowed(request.auth):
        raise NotAllowed
    return request.auth


class In(Schema):
    """Input text goes into the database as it is: a NUL byte is refused at the edge."""

    @field_validator("*", mode="after")
    @classmethod
    def no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("Text must not contain NUL characters."))
        return value


# --- Schemas ---------------------------------------------------------------------------------


class BalanceOut(Schema):
    balance: int = Field(description="points the worker can spend")
    held: int = Field(description="points held by redemptions waiting for pick-up")


class EntryOut(Schema):
    posting: int
    kind: str
    amount: int = Field(description="positive: points in; negative: points out")
    description: str
    created_at: dt.datetime


class PickupStationOut(Schema):
    id: DbId
    code: str
    name: str


class ItemOut(Schema):
    id: DbId
    name: str
    description: str
    price: int
    stock: int
    active: bool
    sponsor: str | None
    stations: list[PickupStationOut]


class RedeemIn(In):
    item_id: DbId
    station_id: DbId
    idempotency_key: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="Required: a retry with the same key returns the first result; the same "
        "key for another redemption is a 409",
    )


class RedemptionOut(Schema):
    code: str
    display_code: str
    item: str
    station: PickupStationOut
    points: int
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime
    qr_url: str = Field(description="SVG QR code of the pick-up code, for the keeper to scan")


class WishIn(In):
    title: str = Field(..., min_length=1, max_length=80)
    details: str = Field("", max_length=300)


class WishOut(Schema):
    id: DbId
    title: str
    details: str
    status: str
    answer: str
    item_id: DbId | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ApproveIn(In):
    price: Price
    stock: SmallCount
    station_ids: list[DbId] = Field(..., min_length=1, max_length=1000)
    sponsor_id: DbId | None = None
    name: str = Field("", max_length=80)


class AnswerIn(In):
    text: str = Field(..., min_length=1, max_length=300)


class ItemIn(In):
    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=300)
    price: Price
    stock: SmallCount
    station_ids: list[DbId] = Field(..., min_length=1, max_length=1000)
    sponsor_id: DbId | None = None


class ItemPatch(In):
    price: Price | None = None
    active: bool | None = None
    station_ids: list[DbId] | None = Field(None, min_length=1, max_length=1000)


class RestockIn(In):
    add: int = Field(..., ge=-INT_MAX, le=INT_MAX, description="items to add; negative to withdraw")


class RuleIn(In):
    code: str = Field(..., max_length=40)
    name: str = Field(..., min_length=1, max_length=80)
    source: EarningRule.Source
    category: str = Field("", max_length=40)
    rank: int | None = Field(None, ge=1, le=3, description="for monthly honours: 1, 2 or 3")
    points: Points
    daily_cap: Cap | None = None
    monthly_cap: Cap | None = None
    active: bool = True


class RulePatch(In):
    name: str | None = Field(None, min_length=1, max_length=80)
    points: Points | None = None
    daily_cap: Cap | None = None
    monthly_cap: Cap | None = None
    active: bool | None = None


class RuleOut(Schema):
    id: DbId
    code: str
    name: str
    source: str
    category: str
    rank: int | None
    points: int
    daily_cap: int | None
    monthly_cap: int | None
    active: bool


class GrantIn(In):
    mobile: str = Field(..., max_length=30)
    points: int = Field(..., ge=1, le=GRANT_MAX)
    reason: str = Field(..., min_length=1, max_length=300)


class ReverseIn(In):
    reason: str = Field(..., min_length=1, max_length=300)


class PostingOut(Schema):
    id: DbId
    kind: str
    reason: str
    created_at: dt.datetime


class Paging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: SmallCount = 0


# --- Shaping ---------------------------------------------------------------------------------


def _station(station) -> dict:
    return {"id": station.id, "code": station.code, "name": station.name}


def _item(item) -> dict:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "price": item.price,
        "stock": item.stock,
        "active": item.active,
        "sponsor": item.sponsor.name if item.sponsor else None,
        "stations": [_station(s) for s in item.stations.all()],
    }


def _redemption(request, r) -> dict:
    return {
        "code": r.code,
        "display_code": r.display_code,
        "item": r.item.name,
        "station": _station(r.station),
        "points": r.points,
        "status": r.status,
        "created_at": r.created_at,
        "expires_at": r.expires_at,
        "qr_url": request.build_absolute_uri(reverse("points:qr", args=[r.code])),
    }


def _stations(ids) -> list:
    found = list(stations.station_rows(ids=set(ids)))
    if len(found) != len(set(ids)):
        raise Invalid(fields={"station_ids": [_("Unknown station.")]})
    return found


def _sponsor(sponsor_id):
    if sponsor_id is None:
        return None
    sponsor = selectors.sponsor(sponsor_id)
    if sponsor is None:
        raise Invalid(fields={"sponsor_id": [_("Unknown sponsor.")]})
    return sponsor


# --- Worker ----------------------------------------------------------------------------------


@router.get("/balance", response={200: BalanceOut, **READ_ERRORS}, summary="My points balance")
def balance(request):
    return selectors.worker_balance(_require(request, permissions.is_worker))


@router.get("/entries", response={200: list[EntryOut], **READ_ERRORS}, summary="My points history")
def entries(request, paging: Query[Paging]):
    user = _require(request, permissions.is_worker)
    rows = selectors.worker_entries(user)[paging.offset : paging.offset + paging.limit]
    return [
        {
            "posting": e.posting_id,
            "kind": e.posting.kind,
            "amount": e.amount,
            "description": selectors.describe(e.posting),
            "created_at": e.posting.created_at,
        }
        for e in rows
    ]


@router.get(
    "/catalog",
    response={200: list[ItemOut], **READ_ERRORS},
    summary="Items on offer, with price, stock and pick-up stations",
)
def catalog(request):
    return [_item(item) for item in selectors.catalog()]


@router.post(
    "/redemptions",
    response={201: RedemptionOut, **ERRORS},
    summary="Redeem an item for pick-up at a station (idempotent)",
    description=(
        "Holds the item's price and one item of stock. The idempotency key is required: a "
        "retry with the same key returns the first result. 409: not enough points, out of "
        "stock, or the key already used for another redemption; 422: not offered at that "
        "station."
    ),
)
def redeem(request, payload: RedeemIn):
    user = _require(request, permissions.is_worker)
    redemption, _replayed = services.redemption_request(
        worker=user,
        item_id=payload.item_id,
        station_id=payload.station_id,
        key=payload.idempotency_key,
    )
    return Status(201, _redemption(request, redemption))


@router.get(
    "/redemptions", response={200: list[RedemptionOut], **READ_ERRORS}, summary="My redemptions"
)
def my_redemptions(request):
    user = _require(request, permissions.is_worker)
    return [_redemption(request, r) for r in selectors.worker_redemptions(user)[:100]]


@router.post(
    "/redemptions/{code}/cancel",
    response={200: RedemptionOut, **ERRORS},
    summary="Cancel my redemption before pick-up (points and stock come back)",
)
def cancel(request, code: str):
    user = _require(request, permissions.is_worker)
    return _redemption(request, services.redemption_cancel(worker=user, code=code))


@router.post(
    "/redemptions/{code}/fulfil",
    response={200: RedemptionOut, **ERRORS},
    summary="Station keeper: hand the item over (code of a redemption at my station)",
)
def fulfil(request, code: str):
    keeper = _require(request, permissions.is_keeper)
    return _redemption(request, services.redemption_fulfil(keeper=keeper, code=code))


@router.get("/wishes", response={200: list[WishOut], **READ_ERRORS}, summary="My wishes")
def my_wishes(request):
    return list(selectors.wishes(worker=_require(request, permissions.is_worker))[:100])


@router.post("/wishes", response={201: WishOut, **ERRORS}, summary="Make a wish (心愿)")
def wish_create(request, payload: WishIn):
    user = _require(request, permissions.is_worker)
    return Status(
        201, services.wish_submit(worker=user, title=payload.title, details=payload.details)
    )


# --- City administrator ----------------------------------------------------------------------


@router.get(
    "/admin/wishes",
    response={200: list[WishOut], **READ_ERRORS},
    summary="Administrator: wishes, by status",
)
def admin_wishes(request, status: Wish.Status | None = None):
    _require(request, permissions.can_administer)
    return list(selectors.wishes(status=status or "")[:500])


@router.post(
    "/admin/wishes/{wish_id}/approve",
    response={200: WishOut, **ERRORS},
    summary="Administrator: put a wish in the catalogue with price, stock and stations",
)
def admin_wish_approve(request, wish_id: DbId, payload: ApproveIn):
    admin = _require(request, permissions.can_administer)
    return services.wish_catalogue(
        by=admin,
        wish_id=wish_id,
        price=payload.price,
        stock=payload.stock,
        stations=_stations(payload.station_ids),
        sponsor=_sponsor(payload.sponsor_id),
        name=payload.name,
    )


@router.post(
    "/admin/wishes/{wish_id}/fulfil",
    response={200: WishOut, **ERRORS},
    summary="Administrator: fulfil a wish directly",
)
def admin_wish_fulfil(request, wish_id: DbId, payload: AnswerIn):
    admin = _require(request, permissions.can_administer)
    return services.wish_fulfil(by=admin, wish_id=wish_id, answer=payload.text)


@router.post(
    "/admin/wishes/{wish_id}/decline",
    response={200: WishOut, **ERRORS},
    summary="Administrator: decline a wish with a reason the worker sees",
)
def admin_wish_decline(request, wish_id: DbId, payload: AnswerIn):
    admin = _require(request, permissions.can_administer)
    return services.wish_decline(by=admin, wish_id=wish_id, reason=payload.text)


@router.post(
    "/admin/catalog",
    response={201: ItemOut, **ERRORS},
    summary="Administrator: add a catalogue item (price 2 points or more)",
)
def admin_item_create(request, payload: ItemIn):
    admin = _require(request, permissions.can_administer)
    item = services.catalog_item_create(
        by=admin,
        name=payload.name,
        description=payload.description,
        price=payload.price,
        stock=payload.stock,
        stations=_stations(payload.station_ids),
        sponsor=_sponsor(payload.sponsor_id),
    )
    return Status(201, _item(item))


def _item_or_404(item_id):
    item = selectors.catalog_item(item_id)
    if item is None:
        raise NotFound(_("No such item."))
    return item


@router.patch(
    "/admin/catalog/{item_id}",
    response={200: ItemOut, **ERRORS},
    summary="Administrator: change price, offering or stations",
)
def admin_item_update(request, item_id: DbId, payload: ItemPatch):
    admin = _require(request, permissions.can_administer)
    item = services.catalog_item_update(
        by=admin,
        item=_item_or_404(item_id),
        price=payload.price,
        active=payload.active,
        stations=_stations(payload.station_ids) if payload.station_ids is not None else None,
    )
    return _item(item)


@router.post(
    "/admin/catalog/{item_id}/restock",
    response={200: ItemOut, **ERRORS},
    summary="Administrator: add or withdraw stock",
)
def admin_item_restock(request, item_id: DbId, payload: RestockIn):
    admin = _require(request, permissions.can_administer)
    return _item(
        services.catalog_item_restock(by=admin, item=_item_or_404(item_id), add=payload.add)
    )


@router.get("/admin/rules", response={200: list[RuleOut], **READ_ERRORS}, summary="Earning rules")
def admin_rules(request):
    _require(request, permissions.can_administer)
    return list(selectors.rules())


@router.post("/admin/rules", response={201: RuleOut, **ERRORS}, summary="Administrator: add a rule")
def admin_rule_create(request, payload: RuleIn):
    admin = _require(request, permissions.can_administer)
    return Status(201, services.rule_create(by=admin, **payload.dict()))


@router.patch(
    "/admin/rules/{rule_id}",
    response={200: RuleOut, **ERRORS},
    summary="Administrator: change a rule (past awards are untouched)",
)
def admin_rule_update(request, rule_id: DbId, payload: RulePatch):
    admin = _require(request, permissions.can_administer)
    values = payload.dict(exclude_unset=True)
    return services.rule_update(by=admin, rule_id=rule_id, **values)


@router.post(
    "/admin/grants",
    response={201: PostingOut, **ERRORS},
    summary="Administrator: a manual award with a reason (kept in the ledger)",
)
def admin_grant(request, payload: GrantIn):
    admin = _require(request, permissions.can_administer)
    worker = accounts.user_by_mobile(payload.mobile)
    if worker is None:
        raise NotFound(_("No account with this mobile number."))
    posting = services.grant(
        worker=worker, points=payload.points, reason=payload.reason, by=admin, via="api"
    )
    return Status(201, posting)


@router.post(
    "/admin/postings/{posting_id}/reverse",
    response={201: PostingOut, **ERRORS},
    summary="Administrator: correct an award, grant or issuance by reversing it",
)
def admin_reverse(request, posting_id: DbId, payload: ReverseIn):
    admin = _require(request, permissions.can_administer)
    posting = selectors.find_posting(posting_id)
    if posting is None:
        raise NotFound(_("No such posting."))
    return Status(201, services.posting_reverse(posting=posting, reason=payload.reason, by=admin))
