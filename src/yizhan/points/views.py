"""Points pages: thin — parse the form, call one service or selector, render or redirect.
Every view names the role it needs; keepers see only their own stations' pick-ups. A
service's refusal is shown on its form (`core.forms.add_service_errors`, the form keeps
what was typed) or, for a step without a form, as a message on the page."""

import datetime as dt
import uuid

import segno
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts import selectors as accounts
from yizhan.accounts.permissions import role_required
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound, YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.core.listing import Sorting, page_of, param_choice
from yizhan.core.pii import mask_name
from yizhan.places import selectors as places
from yizhan.points import exports, permissions, selectors, services
from yizhan.points.forms import (
    AnswerForm,
    ApproveForm,
    CodeForm,
    GrantForm,
    ItemForm,
    RedeemForm,
    RestockForm,
    ReverseForm,
    RuleForm,
    WishForm,
)
from yizhan.points.models import Redemption, Wish
from yizhan.points.permissions import ADMIN, KEEPER, WORKER
from yizhan.stations import selectors as stations


def _month(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{text}-01") if text else None
    except ValueError:
        return None


def _recent_months(n: int = 12) -> list[dt.date]:
    months, month = [], selectors.this_month()
    for _i in range(n):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


def _id(text: str | None) -> int | None:
    """A database id from a query or form value, or None (also for one too big to be one)."""
    text = text or ""
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _say(request, exc: YizhanError) -> None:
    """A refusal for a step without a form of its own: one line at the top of the page."""
    messages.error(request, " ".join(message for _field, message in exc.field_errors()))


# --- Worker ----------------------------------------------------------------------------------


@role_required(WORKER)
def my_points_view(request):
    user = request.user
    page = Paginator(selectors.worker_entries(user), 20).get_page(request.GET.get("page"))
    for entry in page:
        entry.description = selectors.describe(entry.posting)
    return render(
        request,
        "points/mine.html",
        {
            **selectors.worker_balance(user),
            "page": page,
            "filters": {},
            "open": selectors.worker_redemptions(user, open_only=True),
            "this_month": selectors.this_month(),
        },
    )


@role_required(WORKER)
def statement_view(request, year: int, month: int):
    try:
        first = dt.date(year, month, 1)
    except ValueError:
        raise Http404 from None
    statement = selectors.monthly_statement(request.user, month=first)
    for entry in statement.entries:
        entry.description = selectors.describe(entry.posting)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "points/statement.html",
        {"statement": statement, "previous": previous, "following": following},
    )


@role_required(WORKER)
def catalog_view(request):
    return render(
        request,
        "points/catalog.html",
        {
            "items": selectors.catalog(),
            "key": uuid.uuid4().hex,
            **selectors.worker_balance(request.user),
        },
    )


@role_required(WORKER)
def redeem_confirm_view(request, item_id: int):
    """Before points are spent: the item, what it costs, the balance after, where to pick
    it up (the nearest station first when the phone shares its location) and until when."""
    item = selectors.catalog_item_on_offer(item_id)
    if item is None:
        raise NotFound
    figures = selectors.worker_balance(request.user)
    pick_ups = [
        {"id": s.id, "name": s.name, "address": s.address, "lat": s.lat, "lng": s.lng}
        for s in item.stations.all()
    ]
    chosen = _id(request.GET.get("station"))
    return render(
        request,
        "points/redeem.html",
        {
            "item": item,
            **figures,
            "after": figures["balance"] - item.price,
            "missing": max(0, item.price - figures["balance"]),
            "stations": pick_ups,
            "chosen": chosen if any(s["id"] == chosen for s in pick_ups) else None,
            "key": uuid.uuid4().hex,
            "pickup_days": max(1, settings.POINTS_PICKUP_HOURS // 24),
        },
    )


@require_POST
@role_required(WORKER)
def redeem_view(request):
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an item and a pick-up station."))
        item_id = _id(request.POST.get("item"))
        if item_id and selectors.catalog_item_on_offer(item_id):
            return redirect("points:redeem_confirm", item_id=item_id)
        return redirect("points:catalog")
    try:
        redemption, replayed = services.redemption_request(
            worker=request.user,
            item_id=form.cleaned_data["item"],
            station_id=form.cleaned_data["station"],
            key=form.cleaned_data["key"],
        )
    except (Invalid, Conflict, NotAllowed) as exc:
        _say(request, exc)
        return redirect(
            reverse("points:redeem_confirm", args=[form.cleaned_data["item"]])
            + f"?station={form.cleaned_data['station']}"
        )
    if not replayed:
        messages.success(request, _("Redeemed. Show this code at the station to pick it up."))
    return redirect("points:redemption", code=redemption.code)


def _own_redemption(request, code: str) -> Redemption:
    redemption = selectors.own_redemption(request.user, code)
    if redemption is None:
        raise NotFound
    return redemption


@role_required(WORKER)
def redemption_view(request, code: str):
    redemption = _own_redemption(request, code)
    return render(
        request,
        "points/redemption.html",
        {"r": redemption, "history": redemption.history.all()},
    )


@require_POST
@role_required(WORKER)
def cancel_view(request, code: str):
    try:
        services.redemption_cancel(worker=request.user, code=code)
    except (Conflict, NotFound) as exc:
        _say(request, exc)
    else:
        messages.success(request, _("Cancelled: the points are back in your account."))
    return redirect("points:redemption", code=selectors.normalise_code(code))


def _keeper_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("points:keeper") + f"?code={code}")


def qr_view(request, code: str):
    """The pick-up code as an SVG QR code: it opens the keeper's page with the code filled in."""
    if not request.user.is_authenticated:
        raise NotAllowed
    redemption = selectors.redemption_by_code(code)
    if redemption is None:
        raise NotFound
    if not permissions.can_see_pick_up_code(request.user, redemption):
        raise NotAllowed
    qr = segno.make(_keeper_url(request, redemption.code), error="m")
    response = HttpResponse(content_type="image/svg+xml")
    qr.save(response, kind="svg", scale=6, border=2, xmldecl=False)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@role_required(WORKER)
def wishes_view(request):
    form = WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wish_submit(worker=request.user, **form.cleaned_data)
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your wish is sent. You will see the answer here."))
            return redirect("points:wishes")
    return render(
        request,
        "points/wishes.html",
        {"form": form, "wishes": selectors.wishes(worker=request.user)[:50]},
    )


def leaderboard_view(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    month = _month(request.GET.get("month")) or selectors.this_month()
    district = request.GET.get("district") or ""
    district_id = _id(district)
    districts = list(places.districts())
    district_names = {d.code: d.name for d in districts}
    honours = []
    for posting in selectors.honours(month=month):
        credited = next(e for e in posting.entries.all() if e.amount > 0)
        honours.append(
            {
                "rank": posting.rule.rank,
                "district": district_names.get(posting.source_id.split(":")[1], ""),
                "name": mask_name(credited.account.owner.name),
                "points": credited.amount,
            }
        )
    return render(
        request,
        "points/leaderboard.html",
        {
            "rows": selectors.leaderboard(month=month, district_id=district_id),
            "honours": honours,
            "month": month,
            "months": _recent_months(),
            "selected_month": f"{month:%Y-%m}",
            "districts": districts,
            "district": district,
            "is_worker": permissions.is_worker(request.user),
        },
    )


# --- Station keeper --------------------------------------------------------------------------


@role_required(KEEPER)
def keeper_view(request):
    """Scan (the QR opens this page with ?code=) or type the code, check, hand over."""
    station_ids = permissions.keeper_station_ids(request.user)
    found, handed = None, None
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                handed = services.redemption_fulfil(
                    keeper=request.user, code=form.cleaned_data["code"]
                )
            except (NotFound, NotAllowed, Conflict) as exc:
                form.add_error("code", str(exc.message))
            else:
                messages.success(
                    request,
                    _("Handed over: %(item)s. Thank you!") % {"item": handed.item.name},
                )
                form = CodeForm()
    else:
        form = CodeForm(request.GET if "code" in request.GET else None)
        if form.is_bound and form.is_valid():
            try:
                found = services.redemption_for_keeper(
                    keeper=request.user, code=form.cleaned_data["code"]
                )
            except (NotFound, NotAllowed, Conflict) as exc:
                form.add_error("code", str(exc.message))
    return render(
        request,
        "points/keeper.html",
        {
            "form": form,
            "found": found,
            "handed": handed,
            "pending": selectors.station_pending(station_ids=station_ids),
            "stations": stations.station_rows(ids=station_ids),
        },
    )


# --- City administrator ----------------------------------------------------------------------


@role_required(ADMIN)
def admin_home_view(request):
    return render(
        request,
        "points/admin_home.html",
        {"pools": selectors.pool_rows(), **selectors.admin_counts()},
    )


@role_required(ADMIN)
def admin_wishes_view(request):
    status = param_choice(request.GET.get("status", Wish.Status.SUBMITTED), Wish.Status.values)
    sorting = Sorting(selectors.WISH_COLUMNS, request.GET.get("sort"), default="-created")
    page = page_of(selectors.wishes(status=status, sort=sorting), request.GET.get("page"), 50)
    return render(
        request,
        "points/admin_wishes.html",
        {
            "page": page,
            "headers": sorting.headers(request.GET),
            "status": status,
            "statuses": Wish.Status.choices,
            "filtered": "status" in request.GET,
        },
    )


@role_required(ADMIN)
def admin_wish_view(request, wish_id: int):
    wish = selectors.wish_get(wish_id)
    if wish is None:
        raise NotFound
    approve = ApproveForm(
        request.POST if request.POST.get("step") == "approve" else None,
        initial={"name": wish.title},
    )
    answer = AnswerForm(request.POST if request.POST.get("step") == "answer" else None)
    try:
        if approve.is_bound and approve.is_valid():
            data = approve.cleaned_data
            services.wish_catalogue(
                by=request.user,
                wish_id=wish.pk,
                name=data["name"],
                price=data["price"],
                stock=data["stock"],
                stations=data["stations"],
                sponsor=data["sponsor"],
            )
            messages.success(request, _("The wish is now in the catalogue."))
            return redirect("points:admin_wishes")
        if answer.is_bound and answer.is_valid():
            decide = (
                services.wish_fulfil
                if answer.cleaned_data["decision"] == Wish.Status.FULFILLED
                else services.wish_decline
            )
            key = "answer" if decide is services.wish_fulfil else "reason"
            decide(by=request.user, wish_id=wish.pk, **{key: answer.cleaned_data["text"]})
            messages.success(request, _("The worker will see your answer."))
            return redirect("points:admin_wishes")
    except Invalid as exc:
        form = approve if approve.is_bound else answer
        add_service_errors(form, _renamed(exc, {"answer": "text", "reason": "text"}))
    except Conflict as exc:
        _say(request, exc)
    return render(
        request, "points/admin_wish.html", {"wish": wish, "approve": approve, "answer": answer}
    )


def _renamed(exc: Invalid, names: dict) -> Invalid:
    """The service's field names as the form calls them (a wish's `answer` is `text`)."""
    fields = {names.get(f, f): messages for f, messages in exc.fields.items()}
    return Invalid(exc.message, fields=fields)


@role_required(ADMIN)
def admin_catalog_view(request):
    creating = request.POST.get("step") == "create"
    form = ItemForm(request.POST if creating else None, request.FILES if creating else None)
    if request.method == "POST" and form.is_bound:
        if form.is_valid():
            try:
                services.catalog_item_create(by=request.user, **form.cleaned_data)
            except Invalid as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(item)s” added to the catalogue.") % {"item": form.cleaned_data["name"]},
                )
                return redirect("points:admin_catalog")
    elif request.method == "POST":
        item_id = _id(request.POST.get("item"))
        item = selectors.catalog_item(item_id) if item_id else None
        if item is None:
            raise NotFound
        try:
            if request.POST.get("step") == "toggle":
                item = services.catalog_item_update(
                    by=request.user, item=item, active=not item.active
                )
                done = (
                    _("“%(item)s” is offered again.")
                    if item.active
                    else _("“%(item)s” is withdrawn: workers no longer see it.")
                )
            else:
                restock = RestockForm(request.POST)
                if not restock.is_valid():
                    raise Invalid(fields={"add": [_("Give a number of items other than zero.")]})
                item = services.catalog_item_restock(
                    by=request.user, item=item, add=restock.cleaned_data["add"]
                )
                done = _("“%(item)s”: %(n)s in stock now.")
        except (Invalid, Conflict) as exc:
            _say(request, exc)
        else:
            messages.success(request, done % {"item": item.name, "n": item.stock})
            return redirect("points:admin_catalog")
    return render(
        request,
        "points/admin_catalog.html",
        {"form": form, "items": selectors.catalog_for_admin()},
    )


@role_required(ADMIN)
def admin_rules_view(request):
    return _rule_form(request, None)


@role_required(ADMIN)
def admin_rule_view(request, rule_id: int):
    rule = selectors.rule(rule_id)
    if rule is None:
        raise NotFound
    return _rule_form(request, rule)


def _rule_form(request, rule):
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in services.RULE_FIELDS}
        try:
            if rule is None:
                services.rule_create(by=request.user, code=form.cleaned_data["code"], **values)
            else:
                services.rule_update(by=request.user, rule_id=rule.pk, **values)
        except (Invalid, NotFound) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rule saved. Past awards are not changed."))
            return redirect("points:admin_rules")
    return render(
        request,
        "points/admin_rules.html",
        {"form": form, "rule": rule, "rules": selectors.rule_rows()},
    )


def _ledger_filters(request):
    month = _month(request.GET.get("month"))
    status = param_choice(request.GET.get("status"), Redemption.Status.values)
    station_id = _id(request.GET.get("station"))
    sorting = Sorting(selectors.LEDGER_COLUMNS, request.GET.get("sort"), default="-created")
    qs = selectors.redemption_ledger(
        month=month, status=status, station_id=station_id, sort=sorting
    )
    filters = {
        "month": f"{month:%Y-%m}" if month else "",
        "status": status,
        "station": str(station_id or ""),
    }
    return qs, filters, sorting


@role_required(ADMIN)
def admin_ledger_view(request):
    qs, filters, sorting = _ledger_filters(request)
    return render(
        request,
        "points/admin_ledger.html",
        {
            "page": page_of(qs, request.GET.get("page"), 50),
            "headers": sorting.headers(request.GET),
            "filters": filters,
            "filtered": any(filters.values()),
            "statuses": Redemption.Status.choices,
            "months": _recent_months(),
            "stations": stations.station_rows().only("id", "code", "name"),
            "query": request.GET.urlencode(),
        },
    )


@role_required(ADMIN)
def admin_ledger_xlsx_view(request):
    qs, filters, _sorting = _ledger_filters(request)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"redemptions-{filters['month'] or 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    exports.redemption_ledger_xlsx(qs, response)
    return response


@role_required(ADMIN)
def admin_grant_view(request):
    grant = GrantForm(request.POST if request.POST.get("step") == "grant" else None)
    reverse_form = ReverseForm(request.POST if request.POST.get("step") == "reverse" else None)
    try:
        if grant.is_bound and grant.is_valid():
            data = grant.cleaned_data
            posting = services.grant(
                worker=accounts.user_by_mobile(data["mobile"]),
                points=data["points"],
                reason=data["reason"],
                by=request.user,
                via="web",
            )
            messages.success(request, _("Posted as number %(n)d.") % {"n": posting.pk})
            return redirect("points:admin_grant")
        if reverse_form.is_bound and reverse_form.is_valid():
            number = reverse_form.cleaned_data["posting"]
            posting = selectors.find_posting(number)
            if posting is None:
                raise Invalid(
                    fields={"posting": [_("No posting has the number %(n)s.") % {"n": number}]}
                )
            done = services.posting_reverse(
                posting=posting, reason=reverse_form.cleaned_data["reason"], by=request.user
            )
            messages.success(request, _("Posted as number %(n)d.") % {"n": done.pk})
            return redirect("points:admin_grant")
    except (Invalid, Conflict) as exc:
        add_service_errors(grant if grant.is_bound else reverse_form, exc)
    return render(
        request,
        "points/admin_grant.html",
        {"grant": grant, "reverse": reverse_form, "recent": selectors.recent_corrections()},
    )
