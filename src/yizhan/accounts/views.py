"""Account pages: thin — parse the form, call one service, render or redirect."""

import json
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts import selectors, services
from yizhan.accounts.forms import (
    LoginForm,
    OtpRequestForm,
    OtpVerifyForm,
    PeopleSearchForm,
    RegistrationCodeForm,
    RegistrationForm,
    RevealForm,
)
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.accounts.permissions import role_required, roles
from yizhan.core import nav, pii, sms
from yizhan.core.audit import client_ip
from yizhan.core.errors import Invalid, NotFound, Throttled
from yizhan.core.forms import add_service_errors
from yizhan.core.listing import page_of, param_choice, param_id, param_text
from yizhan.core.pii import mask_id_number, mask_mobile
from yizhan.core.redirects import safe_target
from yizhan.orgs import selectors as orgs
from yizhan.places import selectors as places

# The demo shows its outbox of texts (never in production, where texts reach phones).
DEMO_TEXTS = not settings.PRODUCTION and settings.SMS_BACKEND == "yizhan.core.sms.OutboxSmsBackend"


def _next_url(request, default="home"):
    return safe_target(request, request.POST.get("next") or request.GET.get("next"), default)


def _start_session(request, user):
    login(request, user, backend="yizhan.accounts.backends.MobilePasswordBackend")
    request.session["_language"] = user.language


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_with_password(
                request=request,
                mobile=form.cleaned_data["mobile"],
                password=form.cleaned_data["password"],
            )
        except Throttled as exc:
            add_service_errors(form, exc)
        else:
            if user is None:
                form.add_error(None, _("Wrong mobile number or password."))
            else:
                _start_session(request, user)
                return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")})


def sms_login_view(request):
    """Two steps on one URL: ask for a code, then enter it. Works without JavaScript."""
    step = request.POST.get("step", "request")
    if request.method == "POST" and step == "request":
        form = OtpRequestForm(request.POST)
        if form.is_valid():
            try:
                services.otp_send(mobile=form.cleaned_data["mobile"], ip=client_ip(request))
            except (Invalid, Throttled) as exc:
                add_service_errors(form, exc)
            else:
                verify = OtpVerifyForm(initial={"mobile": form.cleaned_data["mobile"]})
                messages.info(request, _("If this number has an account, a code is on its way."))
                return render(
                    request,
                    "accounts/sms_login.html",
                    {"form": verify, "step": "verify", "demo_texts": DEMO_TEXTS},
                )
        return render(request, "accounts/sms_login.html", {"form": form, "step": "request"})
    if request.method == "POST" and step == "verify":
        form = OtpVerifyForm(request.POST)
        if form.is_valid():
            try:
                user = services.otp_verify(
                    mobile=form.cleaned_data["mobile"],
                    code=form.cleaned_data["code"],
                    ip=client_ip(request),
                )
            except (Invalid, Throttled) as exc:
                add_service_errors(form, exc)
            else:
                if user is not None:
                    _start_session(request, user)
                    return redirect("home")
                form.add_error("code", _("This code is wrong or has expired."))
        return render(request, "accounts/sms_login.html", {"form": form, "step": "verify"})
    return render(request, "accounts/sms_login.html", {"form": OtpRequestForm(), "step": "request"})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("home")


PENDING_REGISTRATION = "pending_registration"


def _keep_pending(request, data) -> None:
    """What was typed at step one, until the code comes back: encrypted like personal data,
    the password only as its hash."""
    pending = {
        "name": data["name"],
        "mobile": data["mobile"],
        "password_hash": make_password(data["password"]),
        "kind": data["kind"],
        "platform": data["platform"].pk if data["platform"] else None,
        "home_district": data["home_district"].pk,
        "id_number": data["id_number"],
        "consent": data["consent"],
    }
    request.session[PENDING_REGISTRATION] = pii.encrypt(json.dumps(pending))


def _pending(request) -> dict | None:
    token = request.session.get(PENDING_REGISTRATION)
    try:
        return json.loads(pii.decrypt(token)) if token else None
    except ValueError:
        return None


def _code_page(request, form, pending):
    return render(
        request,
        "accounts/register_code.html",
        {"form": form, "masked_mobile": mask_mobile(pending["mobile"]), "demo_texts": DEMO_TEXTS},
    )


def register_view(request):
    """Two steps: the details (the answer never says whether the number is taken), then the
    code texted to the number; only then is the account created."""
    step = request.POST.get("step", "details")
    if request.method == "POST" and step == "code":
        return _register_code(request)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_code_send(
                mobile=form.cleaned_data["mobile"],
                ip=client_ip(request),
                language=request.LANGUAGE_CODE,
            )
        except (Invalid, Throttled) as exc:
            add_service_errors(form, exc)
        else:
            _keep_pending(request, form.cleaned_data)
            return _code_page(request, RegistrationCodeForm(), _pending(request))
    return render(request, "accounts/register.html", {"form": form})


def _register_code(request):
    pending = _pending(request)
    if pending is None:
        messages.error(request, _("Your registration timed out. Please fill in the form again."))
        return redirect("accounts:register")
    form = RegistrationCodeForm(request.POST)
    if not form.is_valid():
        return _code_page(request, form, pending)
    try:
        verified = services.registration_code_check(
            mobile=pending["mobile"], code=form.cleaned_data["code"], ip=client_ip(request)
        )
    except Throttled as exc:
        add_service_errors(form, exc)
        return _code_page(request, form, pending)
    if not verified:
        form.add_error("code", _("This code is wrong or has expired."))
        return _code_page(request, form, pending)
    try:
        user = services.worker_register(
            name=pending["name"],
            mobile=pending["mobile"],
            password=None,
            password_hash=pending["password_hash"],
            kind=pending["kind"],
            platform=orgs.platform_get(platform_id=pending["platform"])
            if pending["platform"]
            else None,
            home_district=places.district_get(district_id=pending["home_district"]),
            id_number=pending["id_number"],
            consent=pending["consent"],
            language=request.LANGUAGE_CODE,
        )
    except Invalid as exc:
        # Only the holder of the phone gets here: they may learn about their ID number.
        del request.session[PENDING_REGISTRATION]
        typed = {k: v for k, v in pending.items() if k not in ("password_hash", "consent")}
        details = RegistrationForm(data={**typed, "platform": typed["platform"] or ""})
        details.is_valid()  # bound, so the service's errors show beside their fields
        for name in ("password", "password2", "consent"):
            details.errors.pop(name, None)  # to type again, not an error
        add_service_errors(details, exc)
        return render(request, "accounts/register.html", {"form": details})
    del request.session[PENDING_REGISTRATION]
    _start_session(request, user)
    messages.success(request, _("Welcome to Yizhan! Your account is ready."))
    return redirect("accounts:profile")


@login_required
def profile_view(request):
    """The person's page: their mobile and ID number masked until they tap "show" (a POST,
    audited), then in full on this one response, never cached."""
    worker = getattr(request.user, "worker", None)
    revealed = None
    if request.method == "POST" and request.POST.get("reveal"):
        revealed = services.own_data_reveal(user=request.user, request=request)
    response = render(
        request,
        "accounts/profile.html",
        {
            "worker": worker,
            "revealed": revealed,
            "masked_mobile": mask_mobile(request.user.mobile),
            "masked_id": mask_id_number(worker.id_number) if worker else "",
            "shortcuts": nav.entries_for(request.user, roles(request.user), nav.ME),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_view(request):
    data = services.my_data_export(user=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="yizhan-my-data.json"'
    return response


@login_required
def delete_request_view(request):
    """Deleting one's account, after a page that says what is lost (points, pick-ups,
    open demands) and a tick to confirm."""
    missing_tick = False
    if request.method == "POST":
        missing_tick = request.POST.get("confirm") != "yes"
    if request.method == "POST" and not missing_tick:
        deletion = services.deletion_request_create(user=request.user)
        logout(request)
        messages.success(
            request, _("Your account is closed and your personal data will be erased shortly.")
        )
        return redirect("accounts:deletion_status", token=deletion.token)
    return render(
        request,
        "accounts/delete.html",
        {"losses": services.deletion_losses(user=request.user), "missing_tick": missing_tick},
        status=422 if missing_tick else 200,
    )


def deletion_status_view(request, token):
    """Where a deletion request stands, for the person (logged out by then): no personal
    data, reached by the unguessable link they were sent to."""
    state = services.deletion_request_state(token=token)
    response = render(request, "accounts/deletion_status.html", {"deletion": state})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def demo_texts_view(request):
    """The demo's text messages (the outbox SMS backend): how a visitor reads the login code
    that a real deployment would text to a phone. Not served in production."""
    if not DEMO_TEXTS:
        raise NotFound
    rows = [
        {"to": mask_mobile(m.mobile), "text": m.text, "at": m.sent_at} for m in sms.outbox(limit=20)
    ]
    return render(request, "accounts/demo_texts.html", {"texts": rows})


SEARCHES_KEY = "people_searches"
SEARCHES_KEPT = 5


def _search_result(request):
    """The people search this list shows (?search=<token>), from the session: the query
    itself never travels in a URL, so it is in no access log nor browser history."""
    token = request.GET.get("search", "")
    found = (request.session.get(SEARCHES_KEY) or {}).get(token) if token else None
    if token and found is None:
        messages.info(request, _("That search has expired: search again."))
    return token if found else "", found


@role_required(Role.CITY_ADMIN, Role.DISPATCHER)
def people_view(request):
    query = request.GET
    district_id = param_id(query.get("district"))
    kind = param_choice(query.get("kind"), WorkerProfile.Kind.choices)
    platform_id = param_id(query.get("platform"))
    token, search = _search_result(request)
    sorting = selectors.people_sorting(query.get("sort"))
    qs = selectors.worker_list(
        district_id=district_id,
        kind=kind or None,
        platform_id=platform_id,
        ids=search["ids"] if search else None,
        sort=sorting,
    )
    return render(
        request,
        "accounts/people.html",
        {
            "page": page_of(qs, query.get("page"), 50),
            "headers": sorting.headers(query),
            "districts": places.districts(),
            "platforms": orgs.platforms(),
            "kinds": WorkerProfile.Kind.choices,
            "search": search,
            "search_form": PeopleSearchForm(),
            "filtered": bool(district_id or kind or platform_id or search),
            "filters": {
                "district": str(district_id or ""),
                "kind": kind,
                "platform": str(platform_id or ""),
                "search": token,
                "sort": query.get("sort", "")[:20],
            },
        },
    )


@require_POST
@role_required(Role.CITY_ADMIN, Role.DISPATCHER)
def people_search_view(request):
    """The search box posts here (a mobile number is personal data: not in a URL); the list
    then shows the result under a short-lived token, with the filters it was sent with."""
    form = PeopleSearchForm(request.POST)
    keep = {
        k: v
        for k in ("district", "kind", "platform", "sort")
        if (v := param_text(request.POST.get(k), max_length=20))
    }
    if not form.is_valid():
        messages.error(request, _("Type a name or a mobile number to search."))
        return redirect(f"{reverse('accounts:people')}?{urlencode(keep)}")
    try:
        result = services.people_search(
            staff=request.user, query=form.cleaned_data["q"], request=request
        )
    except Invalid as exc:
        messages.error(request, " ".join(m for _f, m in exc.field_errors()))
        return redirect(f"{reverse('accounts:people')}?{urlencode(keep)}")
    token = secrets.token_urlsafe(8)
    searches = dict(list((request.session.get(SEARCHES_KEY) or {}).items())[-(SEARCHES_KEPT - 1) :])
    searches[token] = {"ids": result.ids, "label": result.label, "by": result.by}
    request.session[SEARCHES_KEY] = searches
    return redirect(f"{reverse('accounts:people')}?{urlencode({**keep, 'search': token})}")


@role_required(Role.CITY_ADMIN, Role.DISPATCHER)
def person_view(request, worker_id: int):
    worker = selectors.worker_get(worker_id=worker_id)
    revealed = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        revealed = services.worker_reveal(
            staff=request.user, worker=worker, reason=form.cleaned_data["reason"], request=request
        )
    back = request.META.get("HTTP_REFERER", "")
    if not back.split("?")[0].endswith(reverse("accounts:people")):
        back = reverse("accounts:people")
    return render(
        request,
        "accounts/person.html",
        {"worker": worker, "form": form, "revealed": revealed, "back_url": back},
    )
