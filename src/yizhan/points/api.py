"""Points endpoints (/api/v1/points/…): a worker's balance, history, catalogue and
redemptions; the keeper's hand-over; the administrator's wishes, catalogue, rules, grants
and corrections. Refusals come back as {"message"} with 403/404/409/422, never a 500."""

import datetime as dt
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from yizhan.accounts.models import Role, User
from yizhan.accounts.permissions import has_role, token_or_session
from yizhan.points import selectors, services
from yizhan.points.models import EarningRule, Posting, Sponsor, Wish
from yizhan.stations.models import Station

router = Router(tags=["points"], auth=token_or_session)


class Message(Schema):
    message: str


def refusals(*codes):
    return {code: Message for code in (401, 403, 422, *codes)}


def _answers_refusals(view):
    """PointsRefused from a service becomes its status code and message."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.PointsRefused as exc:
            return Status(exc.status, {"message": exc.message})

    return wrapper


def _require(request, role) -> User:
    if not has_role(request.auth, role):
        raise PermissionDenied
    return request.auth


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


class StationOut(Schema):
    id: int
    code: str
    name: str


class ItemOut(Schema):
    id: int
    name: str
    description: str
    price: int
    stock: int
    active: bool
    sponsor: str | None
    stations: list[StationOut]


class RedeemIn(Schema):
    item_id: int
    station_id: int
    idempotency_key: str | None = Field(
        None, description="or the Idempotency-Key header: a retry returns the first result"
    )


class RedemptionOut(Schema):
    code: str
    display_code: str
    item: str
    station: StationOut
    points: int
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime
    qr_url: str = Field(description="SVG QR code of the pick-up code, for the keeper to scan")


class WishIn(Schema):
    title: str = Field(..., min_length=1, max_length=80)
    details: str = Field("", max_length=300)


class WishOut(Schema):
    id: int
    title: str
    details: str
    status: str
    answer: str
    item_id: int | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ApproveIn(Schema):
    price: int = Field(..., description="2 points or more")
    stock: int = Field(..., ge=0)
    station_ids: list[int] = Field(..., min_length=1)
    sponsor_id: int | None = None
    name: str = Field("", max_length=80)


class AnswerIn(Schema):
    text: str = Field(..., min_length=1, max_length=300)


class ItemIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    description: str = Field("", max_length=300)
    price: int
    stock: int = Field(..., ge=0)
    station_ids: list[int] = Field(..., min_length=1)
    sponsor_id: int | None = None


class ItemPatch(Schema):
    price: int | None = None
    active: bool | None = None
    station_ids: list[int] | None = None


class RestockIn(Schema):
    add: int = Field(..., description="items to add; negative to withdraw")


class RuleIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., min_length=1, max_length=80)
    source: EarningRule.Source
    category: str = Field("", max_length=40)
    rank: int | None = None
    points: int = Field(..., gt=0)
    daily_cap: int | None = Field(None, gt=0)
    monthly_cap: int | None = Field(None, gt=0)
    active: bool = True


class RulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    points: int | None = Field(None, gt=0)
    daily_cap: int | None = Field(None, gt=0)
    monthly_cap: int | None = Field(None, gt=0)
    active: bool | None = None


class RuleOut(Schema):
    id: int
    code: str
    name: str
    source: str
    category: str
    rank: int | None
    points: int
    daily_cap: int | None
    monthly_cap: int | None
    active: bool


class GrantIn(Schema):
    mobile: str
    points: int = Field(..., gt=0)
    reason: str = Field(..., min_length=1, max_length=300)


class ReverseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class PostingOut(Schema):
    id: int
    kind: str
    reason: str
    created_at: dt.datetime


class Paging(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


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
    from django.urls import reverse

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


def _stations(ids) -> list[Station]:
    stations = list(Station.objects.filter(pk__in=ids))
    if len(stations) != len(set(ids)):
        raise services.PointsRefused(422, _("Unknown station."))
    return stations


def _sponsor(sponsor_id):
    if sponsor_id is None:
        return None
    sponsor = Sponsor.objects.filter(pk=sponsor_id).first()
    if sponsor is None:
        raise services.PointsRefused(422, _("Unknown sponsor."))
    return sponsor


# --- Worker ----------------------------------------------------------------------------------


@router.get("/balance", response={200: BalanceOut, **refusals()}, summary="My points balance")
def balance(request):
    return selectors.worker_balance(_require(request, Role.WORKER))


@router.get("/entries", response={200: list[EntryOut], **refusals()}, summary="My points history")
def entries(request, paging: Query[Paging]):
    user = _require(request, Role.WORKER)
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
    response={200: list[ItemOut], 401: Message},
    summary="Items on offer, with price, stock and pick-up stations",
)
def catalog(request):
    return [_item(item) for item in selectors.catalog()]


@router.post(
    "/redemptions",
    response={201: RedemptionOut, **refusals(409)},
    summary="Redeem an item for pick-up at a station (idempotent)",
    description=(
        "Holds the item's price and one item of stock. Send an idempotency key (body or "
        "`Idempotency-Key` header): a retry with the same key returns the first result. "
        "409: not enough points or out of stock; 422: not offered at that station."
    ),
)
@_answers_refusals
def redeem(request, payload: RedeemIn, idempotency_key: str | None = Header(None)):
    user = _require(request, Role.WORKER)
    redemption, _replayed = services.redemption_request(
        worker=user,
        item_id=payload.item_id,
        station_id=payload.station_id,
        key=payload.idempotency_key or idempotency_key or "",
    )
    return Status(201, _redemption(request, redemption))


@router.get(
    "/redemptions", response={200: list[RedemptionOut], **refusals()}, summary="My redemptions"
)
def my_redemptions(request):
    user = _require(request, Role.WORKER)
    return [_redemption(request, r) for r in selectors.worker_redemptions(user)[:100]]


@router.post(
    "/redemptions/{code}/cancel",
    response={200: RedemptionOut, **refusals(404, 409)},
    summary="Cancel my redemption before pick-up (points and stock come back)",
)
@_answers_refusals
def cancel(request, code: str):
    user = _require(request, Role.WORKER)
    return _redemption(request, services.redemption_cancel(worker=user, code=code))


@router.post(
    "/redemptions/{code}/fulfil",
    response={200: RedemptionOut, **refusals(404, 409)},
    summary="Station keeper: hand the item over (code of a redemption at my station)",
)
@_answers_refusals
def fulfil(request, code: str):
    keeper = _require(request, Role.STATION_KEEPER)
    return _redemption(request, services.redemption_fulfil(keeper=keeper, code=code))


@router.get("/wishes", response={200: list[WishOut], **refusals()}, summary="My wishes")
def my_wishes(request):
    return list(selectors.wishes(worker=_require(request, Role.WORKER))[:100])


@router.post("/wishes", response={201: WishOut, **refusals()}, summary="Make a wish (心愿)")
@_answers_refusals
def wish_create(request, payload: WishIn):
    user = _require(request, Role.WORKER)
    return Status(
        201, services.wish_submit(worker=user, title=payload.title, details=payload.details)
    )


# --- City administrator ----------------------------------------------------------------------


@router.get(
    "/admin/wishes",
    response={200: list[WishOut], **refusals()},
    summary="Administrator: wishes, by status",
)
def admin_wishes(request, status: Wish.Status | None = None):
    _require(request, Role.CITY_ADMIN)
    return list(selectors.wishes(status=status or "")[:500])


@router.post(
    "/admin/wishes/{wish_id}/approve",
    response={200: WishOut, **refusals(404, 409)},
    summary="Administrator: put a wish in the catalogue with price, stock and stations",
)
@_answers_refusals
def admin_wish_approve(request, wish_id: int, payload: ApproveIn):
    admin = _require(request, Role.CITY_ADMIN)
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
    response={200: WishOut, **refusals(404, 409)},
    summary="Administrator: fulfil a wish directly",
)
@_answers_refusals
def admin_wish_fulfil(request, wish_id: int, payload: AnswerIn):
    admin = _require(request, Role.CITY_ADMIN)
    return services.wish_fulfil(by=admin, wish_id=wish_id, answer=payload.text)


@router.post(
    "/admin/wishes/{wish_id}/decline",
    response={200: WishOut, **refusals(404, 409)},
    summary="Administrator: decline a wish with a reason the worker sees",
)
@_answers_refusals
def admin_wish_decline(request, wish_id: int, payload: AnswerIn):
    admin = _require(request, Role.CITY_ADMIN)
    return services.wish_decline(by=admin, wish_id=wish_id, reason=payload.text)


@router.post(
    "/admin/catalog",
    response={201: ItemOut, **refusals()},
    summary="Administrator: add a catalogue item (price 2 points or more)",
)
@_answers_refusals
def admin_item_create(request, payload: ItemIn):
    admin = _require(request, Role.CITY_ADMIN)
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
    from yizhan.points.models import CatalogItem

    item = CatalogItem.objects.filter(pk=item_id).first()
    if item is None:
        raise services.PointsRefused(404, _("No such item."))
    return item


@router.patch(
    "/admin/catalog/{item_id}",
    response={200: ItemOut, **refusals(404)},
    summary="Administrator: change price, offering or stations",
)
@_answers_refusals
def admin_item_update(request, item_id: int, payload: ItemPatch):
    admin = _require(request, Role.CITY_ADMIN)
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
    response={200: ItemOut, **refusals(404, 409)},
    summary="Administrator: add or withdraw stock",
)
@_answers_refusals
def admin_item_restock(request, item_id: int, payload: RestockIn):
    admin = _require(request, Role.CITY_ADMIN)
    return _item(
        services.catalog_item_restock(by=admin, item=_item_or_404(item_id), add=payload.add)
    )


@router.get("/admin/rules", response={200: list[RuleOut], **refusals()}, summary="Earning rules")
def admin_rules(request):
    _require(request, Role.CITY_ADMIN)
    return list(EarningRule.objects.all())


@router.post(
    "/admin/rules", response={201: RuleOut, **refusals()}, summary="Administrator: add a rule"
)
@_answers_refusals
def admin_rule_create(request, payload: RuleIn):
    admin = _require(request, Role.CITY_ADMIN)
    return Status(201, services.rule_create(by=admin, **payload.dict()))


@router.patch(
    "/admin/rules/{rule_id}",
    response={200: RuleOut, **refusals(404)},
    summary="Administrator: change a rule (past awards are untouched)",
)
@_answers_refusals
def admin_rule_update(request, rule_id: int, payload: RulePatch):
    admin = _require(request, Role.CITY_ADMIN)
    values = payload.dict(exclude_unset=True)
    return services.rule_update(by=admin, rule_id=rule_id, **values)


@router.post(
    "/admin/grants",
    response={201: PostingOut, **refusals(404, 409)},
    summary="Administrator: a manual award with a reason (kept in the ledger)",
)
@_answers_refusals
def admin_grant(request, payload: GrantIn):
    admin = _require(request, Role.CITY_ADMIN)
    try:
        worker = User.objects.get_by_mobile(payload.mobile)
    except User.DoesNotExist:
        return Status(404, {"message": _("No account with this mobile number.")})
    posting = services.grant(
        worker=worker, points=payload.points, reason=payload.reason, by=admin, via="api"
    )
    return Status(201, posting)


@router.post(
    "/admin/postings/{posting_id}/reverse",
    response={201: PostingOut, **refusals(404, 409)},
    summary="Administrator: correct an award, grant or issuance by reversing it",
)
@_answers_refusals
def admin_reverse(request, posting_id: int, payload: ReverseIn):
    admin = _require(request, Role.CITY_ADMIN)
    posting = Posting.objects.filter(pk=posting_id).first()
    if posting is None:
        return Status(404, {"message": _("No such posting.")})
    return Status(201, services.posting_reverse(posting=posting, reason=payload.reason, by=admin))
