"""Account pages: thin — parse the form, call one service, render or redirect."""

import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts import selectors, services
from yizhan.accounts.forms import (
    LoginForm,
    OtpRequestForm,
    OtpVerifyForm,
    RegistrationForm,
    RevealForm,
)
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.accounts.permissions import role_required, roles
from yizhan.core import nav
from yizhan.core.audit import client_ip
from yizhan.core.errors import Invalid, Throttled
from yizhan.core.forms import add_service_errors
from yizhan.core.pii import mask_id_number, mask_mobile
from yizhan.places import selectors as places


def _next_url(request, default="home"):
    nxt = request.POST.get("next") or request.GET.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return nxt
    return default


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
                    request, "accounts/sms_login.html", {"form": verify, "step": "verify"}
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


def register_view(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.worker_register(
                name=data["name"],
                mobile=data["mobile"],
                password=data["password"],
                kind=data["kind"],
                platform=data["platform"],
                home_district=data["home_district"],
                id_number=data["id_number"],
                consent=data["consent"],
                language=request.LANGUAGE_CODE,
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            _start_session(request, user)
            messages.success(request, _("Welcome to Yizhan! Your account is ready."))
            return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form})


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
        services.deletion_request_create(user=request.user)
        logout(request)
        messages.success(
            request, _("Your account is closed and your personal data will be erased shortly.")
        )
        return redirect("home")
    return render(
        request,
        "accounts/delete.html",
        {"losses": services.deletion_losses(user=request.user), "missing_tick": missing_tick},
        status=422 if missing_tick else 200,
    )


@role_required(Role.CITY_ADMIN, Role.DISPATCHER)
def people_view(request):
    district = request.GET.get("district") or ""
    district = district if district.isdigit() and len(district) <= 18 else None
    kind = request.GET.get("kind") or None
    mobile = request.GET.get("mobile") or None
    qs = selectors.worker_list(district_id=district, kind=kind, mobile=mobile)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "page": page,
            "districts": places.districts(),
            "kinds": WorkerProfile.Kind.choices,
            "filters": {"district": district or "", "kind": kind or "", "mobile": mobile or ""},
        },
    )


@role_required(Role.CITY_ADMIN, Role.DISPATCHER)
def person_view(request, worker_id: int):
    worker = selectors.worker_get(worker_id=worker_id)
    revealed = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        revealed = services.worker_reveal(
            staff=request.user, worker=worker, reason=form.cleaned_data["reason"], request=request
        )
    return render(
        request, "accounts/person.html", {"worker": worker, "form": form, "revealed": revealed}
    )
