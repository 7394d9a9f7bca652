"""Membership pages: thin — parse, call one service or selector, render or redirect.

Workers' pages (phone): my memberships and cards, joining, one-step check-in, my grid.
Officers' consoles (desktop): an organisation's applications, check-ins, members and roster;
the city's coverage and escalations; the departments' registry checks.
"""

import datetime as dt
import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import Role, role_required
from yizhan.core import audit
from yizhan.core.errors import Invalid, NotAllowed, NotFound, YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.core.models import AuditLog
from yizhan.membership import permissions as perms
from yizhan.membership import selectors, services
from yizhan.membership.forms import (
    ApplyForm,
    AppointForm,
    FamilyForm,
    OfficerForm,
    OptionalReasonForm,
    OrganisationForm,
    ReasonForm,
    RegistryForm,
    RevealForm,
)
from yizhan.membership.models import SENSITIVE_FAMILIES, Family, GridAppointment, Membership
from yizhan.membership.rules import card_token, join_token, local_date, rests_on_guess, tokens_match
from yizhan.places import selectors as places

WORKER = Role.WORKER


def _back(request, fallback: str) -> str:
    from yizhan.core.redirects import safe_target

    back = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    return safe_target(request, back, fallback)


def _step(request, action, *, done: str, back: str):
    """Run one service step from a button: its refusal becomes a message on the same page.
    A bare 403 (not an officer at all) stays a 403."""
    try:
        result = action()
    except NotAllowed as exc:
        if str(exc.message) == str(NotAllowed.default_message):
            raise
        messages.error(request, str(exc.message))
        return redirect(_back(request, back)), None
    except YizhanError as exc:
        messages.error(request, str(exc.message))
        return redirect(_back(request, back)), None
    messages.success(request, done)
    return None, result


def _console_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not perms.uses_console(request.user):
            raise NotAllowed()
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _org_for_officer(request, organisation_id):
    org = selectors.organisation_get(organisation_id)
    if not (perms.acts_for(request.user, org) or perms.sees_members(request.user, org)):
        raise NotAllowed()
    return org


def _qr_svg(data: str) -> str:
    return segno.make(data, error="m").svg_inline(scale=6, border=2)


# --- the worker -----------------------------------------------------------------------------


@role_required(WORKER)
def mine_view(request):
    memberships = selectors.my_memberships(request.user)
    appointments = selectors.my_appointments(request.user)
    return render(
        request,
        "membership/mine.html",
        {
            "current": [m for m in memberships if m.is_live],
            "past": [m for m in memberships if not m.is_live],
            "proposals": [a for a in appointments if a.state == GridAppointment.State.PROPOSED],
            "grid_member": any(a.state == GridAppointment.State.ACTIVE for a in appointments),
        },
    )


@role_required(WORKER)
def card_view(request, membership_id: int):
    membership = selectors.membership_for_owner(request.user, membership_id)
    return render(
        request,
        "membership/card.html",
        {
            "m": membership,
            "org": membership.organisation,
            "history": selectors.history(membership),
            "waiting": selectors.waiting_transfer(membership),
            "held": membership.state in (Membership.State.ACTIVE, Membership.State.SUSPENDED),
        },
    )


@role_required(WORKER)
def card_qr_view(request, membership_id: int):
    membership = selectors.membership_for_owner(request.user, membership_id)
    if not membership.number:
        raise NotFound()
    url = request.build_absolute_uri(selectors.card_verify_url(membership))
    response = HttpResponse(content_type="image/svg+xml")
    segno.make(url, error="m").save(response, kind="svg", scale=8, border=2, xmldecl=False)
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def card_verify_view(request, number: str, token: str):
    """What a card's QR code opens: whether the card is valid, for whoever the member shows it
    to (logged in). The name stays masked; the organisation is what the card is for."""
    valid = tokens_match(token, card_token(number))
    membership = selectors.card_by_number(number) if valid else None
    if membership is not None:
        selectors._attach_people([membership])
    return render(request, "membership/verify.html", {"m": membership, "valid": valid})


@require_POST
@role_required(WORKER)
def leave_view(request, membership_id: int):
    fail, _result = _step(
        request,
        lambda: services.membership_leave(user=request.user, membership_id=membership_id),
        done=_("Your membership has ended."),
        back=reverse("membership:mine"),
    )
    return fail or redirect("membership:mine")


@role_required(WORKER)
def join_view(request):
    family = request.GET.get("family", "")
    district = request.GET.get("district", "")
    district_id = int(district) if district.isdigit() and len(district) < 12 else None
    organisations = selectors.organisations_to_join(
        family=family, district_id=district_id, q=request.GET.get("q", "")
    )
    return render(
        request,
        "membership/join.html",
        {
            "organisations": organisations[:100],
            "families": [(f, label) for f, label in Family.choices if f != Family.GRID],
            "districts": places.districts(),
            "family": family,
            "district_id": district_id,
            "q": request.GET.get("q", "")[:40],
        },
    )


@role_required(WORKER)
def organisation_view(request, code: str):
    """An organisation's page for workers: apply to join (from the list or its QR code)."""
    org = selectors.organisation_by_code(code)
    token = request.GET.get("t", "") or request.POST.get("token", "")
    via_qr = bool(token) and tokens_match(token, join_token(org.code))
    form = ApplyForm(request.POST or None, initial={"token": token if via_qr else ""})
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_apply(
                user=request.user,
                organisation=org,
                consent=form.cleaned_data["consent"],
                via=Membership.Via.QR if form.cleaned_data["token"] else Membership.Via.APP,
                token=form.cleaned_data["token"],
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Application sent. The officers will review it."))
            return redirect("membership:card", membership.pk)
    return render(
        request,
        "membership/organisation.html",
        {
            "org": org,
            "form": form,
            "sensitive": org.family in SENSITIVE_FAMILIES,
            "consented": org.family in SENSITIVE_FAMILIES
            and selectors.has_consent(request.user, org.family),
            "via_qr": via_qr,
        },
    )


@role_required(WORKER)
def check_in_view(request):
    """Step one of check-in: the stations near where the worker is (shared location) or found
    by code; the worker picks one."""
    stations, located = [], False
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            stations = selectors.stations_near(lat=lat, lng=lng)
            located = True
    except (KeyError, ValueError):
        pass
    code = request.GET.get("code", "").strip()[:20]
    if code:
        try:
            station = selectors.station_by_code(code)
        except NotFound:
            messages.error(request, _("No station has the code %(code)s.") % {"code": code})
        else:
            return redirect("membership:at_station", station.code)
    return render(
        request,
        "membership/check_in.html",
        {"stations": stations, "located": located},
    )


@role_required(WORKER)
def at_station_view(request, code: str):
    """Step two: the organisations at this station and around it, each with one button."""
    station = selectors.station_by_code(code)
    if request.method == "POST":
        org_id = request.POST.get("organisation", "")
        if not org_id.isdigit() or len(org_id) > 18:
            raise NotFound()
        org = selectors.organisation_get(int(org_id))
        fail, result = _step(
            request,
            lambda: services.check_in(
                user=request.user,
                organisation=org,
                station=station,
                client_key=request.POST.get("key", "")[:64],
            ),
            done=_("Checked in. %(org)s will acknowledge your transfer.") % {"org": org.name},
            back=reverse("membership:at_station", args=[station.code]),
        )
        return fail or redirect("membership:transfer", result[0].pk)
    mine = {m.family: m for m in selectors.my_memberships(request.user) if m.is_live}
    organisations = selectors.organisations_here(station=station)
    for org in organisations:
        org.mine = mine.get(org.family)
    return render(
        request,
        "membership/at_station.html",
        {"station": station, "organisations": organisations, "key": uuid.uuid4().hex},
    )


@role_required(WORKER)
def transfer_view(request, transfer_id: int):
    transfer = selectors.transfer_for_owner(request.user, transfer_id)
    if request.method == "POST":
        fail, _result = _step(
            request,
            lambda: services.transfer_cancel(user=request.user, transfer_id=transfer.pk),
            done=_("Check-in cancelled; your membership stays where it was."),
            back=request.path,
        )
        return fail or redirect("membership:mine")
    return render(
        request,
        "membership/transfer.html",
        {"t": transfer, "guessed": transfer.state == "pending" and rests_on_guess(transfer.due_at)},
    )


@role_required(WORKER)
def consent_view(request):
    if request.method == "POST":
        family = request.POST.get("family", "")
        fail, ended = _step(
            request,
            lambda: services.consent_withdraw(user=request.user, family=family),
            done=_("Consent withdrawn."),
            back=request.path,
        )
        if fail:
            return fail
        return redirect("membership:consent")
    return render(
        request, "membership/consent.html", {"consents": selectors.consents(request.user)}
    )


def _month(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        return local_date(timezone.now()).replace(day=1)


@role_required(WORKER)
def grid_view(request):
    appointments, reports = selectors.my_grid(request.user)
    return render(
        request,
        "membership/grid.html",
        {"appointments": appointments, "reports": reports},
    )


@role_required(WORKER)
def appointment_view(request, appointment_id: int):
    appointment = selectors.appointment_for_owner(request.user, appointment_id)
    if request.method == "POST":
        accept = request.POST.get("answer") == "accept"
        fail, _result = _step(
            request,
            lambda: services.grid_consent(
                user=request.user, appointment_id=appointment.pk, accept=accept
            ),
            done=_("Thank you: you are now a grid member.")
            if accept
            else _("You declined the appointment."),
            back=request.path,
        )
        return fail or redirect("membership:grid" if accept else "membership:mine")
    return render(request, "membership/appointment.html", {"a": appointment})


# --- the organisation console ------------------------------------------------------------------


@_console_required
def console_view(request):
    organisations = selectors.console_organisations(request.user)
    for org in organisations:
        org.figures = selectors.organisation_figures(org)
    return render(request, "membership/console.html", {"organisations": organisations})


@_console_required
def org_view(request, organisation_id: int):
    org = _org_for_officer(request, organisation_id)
    acts = perms.acts_for(request.user, org)
    context = {
        "org": org,
        "acts": acts,
        "figures": selectors.organisation_figures(org),
        "children": selectors.children(org),
        "officers": selectors.officers(org),
        "parent_link": org.parent is not None
        and (
            perms.acts_for(request.user, org.parent) or perms.sees_members(request.user, org.parent)
        ),
        "can_add_child": perms.can_create_organisation(request.user, org),
        "can_manage_officers": perms.can_manage_officers(request.user, org),
    }
    if acts:
        context.update(
            applications=selectors.applications(org),
            incoming=selectors.incoming_transfers(org),
            outgoing=selectors.outgoing_transfers(org),
            reason_form=ReasonForm(),
        )
    return render(request, "membership/org.html", context)


def _org_step(request, organisation_id, action, done):
    org = selectors.organisation_get(organisation_id)
    back = reverse("membership:org", args=[org.pk])
    fail, _result = _step(request, action, done=done, back=back)
    return fail or redirect(back)


@require_POST
@_console_required
def approve_view(request, membership_id: int):
    m = selectors.membership_get(membership_id)
    return _org_step(
        request,
        m.organisation_id,
        lambda: services.membership_approve(actor=request.user, membership_id=m.pk),
        _("Approved; the member's card is ready."),
    )


@require_POST
@_console_required
def reject_view(request, membership_id: int):
    m = selectors.membership_get(membership_id)
    return _org_step(
        request,
        m.organisation_id,
        lambda: services.membership_reject(
            actor=request.user, membership_id=m.pk, reason=request.POST.get("reason", "")
        ),
        _("Application rejected; the applicant was told why."),
    )


@require_POST
@_console_required
def acknowledge_view(request, transfer_id: int):
    fail, transfer = _step(
        request,
        lambda: services.transfer_acknowledge(actor=request.user, transfer_id=transfer_id),
        done=_("Transfer acknowledged: the member is now on your roll."),
        back=reverse("membership:console"),
    )
    return fail or redirect(_back(request, reverse("membership:org", args=[transfer.to_org_id])))


@require_POST
@_console_required
def decline_view(request, transfer_id: int):
    fail, transfer = _step(
        request,
        lambda: services.transfer_decline(
            actor=request.user, transfer_id=transfer_id, reason=request.POST.get("reason", "")
        ),
        done=_("Check-in declined; the member was told why."),
        back=reverse("membership:console"),
    )
    return fail or redirect("membership:org", transfer.to_org_id)


@_console_required
def members_view(request, organisation_id: int):
    org = _org_for_officer(request, organisation_id)
    if not perms.sees_members(request.user, org):
        raise NotAllowed()
    state = request.GET.get("state", "")
    number = request.GET.get("number", "")
    page = selectors.members_page(org, page=request.GET.get("page"), state=state, number=number)
    return render(
        request,
        "membership/members.html",
        {
            "org": org,
            "page": page,
            "states": Membership.State.choices,
            "state": state,
            "number": number[:20],
            "filters": {"state": state, "number": number[:20]},
        },
    )


@_console_required
def member_view(request, membership_id: int):
    m = selectors.membership_get(membership_id)
    org = m.organisation
    if not perms.sees_members(request.user, org):
        raise NotAllowed()
    revealed = None
    form = RevealForm(request.POST or None) if request.method == "POST" else RevealForm()
    if request.method == "POST" and form.is_valid() and m.member is not None:
        audit.record(
            actor=request.user,
            action=AuditLog.Action.PII_READ,
            subject=m,
            fields=["name", "mobile"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        revealed = {"name": m.member.name, "mobile": m.member.mobile}
    elif m.family in SENSITIVE_FAMILIES and request.method == "GET":
        # Opening a union or party member's record is itself a read of sensitive data.
        audit.record(
            actor=request.user,
            action=AuditLog.Action.PII_READ,
            subject=m,
            fields=["membership"],
            reason="member record",
            request=request,
        )
    return render(
        request,
        "membership/member.html",
        {
            "m": m,
            "org": org,
            "acts": perms.acts_for(request.user, org),
            "history": selectors.history(m),
            "transfers": selectors.transfers_of(m),
            "form": form,
            "revealed": revealed,
            "reason_form": ReasonForm(),
            "note_form": OptionalReasonForm(),
        },
    )


@require_POST
@_console_required
def member_step_view(request, membership_id: int, step: str):
    steps = {
        "suspend": (services.membership_suspend, _("Membership suspended.")),
        "reinstate": (services.membership_reinstate, _("Membership reinstated.")),
        "end": (services.membership_end, _("Membership ended.")),
    }
    if step not in steps:
        raise NotFound()
    service, done = steps[step]
    back = reverse("membership:member", args=[membership_id])
    fail, _result = _step(
        request,
        lambda: service(
            actor=request.user, membership_id=membership_id, reason=request.POST.get("reason", "")
        ),
        done=done,
        back=back,
    )
    return fail or redirect(back)


@_console_required
def org_qr_view(request, organisation_id: int):
    """A poster for the station's wall: scan to apply to this organisation."""
    org = _org_for_officer(request, organisation_id)
    if not perms.acts_for(request.user, org):
        raise NotAllowed()
    url = request.build_absolute_uri(
        reverse("membership:organisation", args=[org.code]) + "?t=" + join_token(org.code)
    )
    return render(request, "membership/org_qr.html", {"org": org, "svg": _qr_svg(url), "url": url})


@_console_required
def org_new_view(request, organisation_id: int | None = None):
    parent = selectors.organisation_get(organisation_id) if organisation_id else None
    if not perms.can_create_organisation(request.user, parent):
        raise NotAllowed()
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            station = (
                selectors.station_by_code(data["station_code"]) if data["station_code"] else None
            )
            org = services.organisation_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                code=data["code"],
                parent=parent,
                station=station,
                district=parent.district if parent and not station else None,
                subdistrict=parent.subdistrict if parent and not station else None,
                community=parent.community if parent and not station else None,
                ack_working_days=data["ack_working_days"],
            )
        except NotFound:
            form.add_error("station_code", _("No station has this code."))
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Organisation created."))
            return redirect("membership:org", org.pk)
    return render(request, "membership/org_new.html", {"form": form, "parent": parent})


@_console_required
def officers_view(request, organisation_id: int):
    org = selectors.organisation_get(organisation_id)
    if not perms.can_manage_officers(request.user, org):
        raise NotAllowed()
    form = OfficerForm(request.POST or None)
    if request.method == "POST" and request.POST.get("remove", "").isdigit():
        officer = next(
            (o for o in selectors.officers(org) if str(o.pk) == request.POST["remove"]), None
        )
        if officer is None:
            raise NotFound()
        services.officer_remove(actor=request.user, officer=officer)
        messages.success(request, _("Officer removed."))
        return redirect("membership:officers", org.pk)
    if request.method == "POST" and form.is_valid():
        user = selectors.user_by_mobile(form.cleaned_data["mobile"])
        if user is None:
            form.add_error("mobile", _("No account has this mobile number."))
        else:
            services.officer_appoint(
                actor=request.user, organisation=org, user=user, post=form.cleaned_data["post"]
            )
            messages.success(request, _("Officer appointed."))
            return redirect("membership:officers", org.pk)
    return render(
        request,
        "membership/officers.html",
        {"org": org, "officers": selectors.officers(org), "form": form},
    )


# --- grid-member rosters ---------------------------------------------------------------------


@_console_required
def roster_view(request, community_id: int):
    community = places.community_get(community_id=community_id)
    if community is None:
        raise NotFound()
    if not perms.can_appoint_in(request.user, community.pk):
        raise NotAllowed()
    form = AppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        worker = selectors.worker_by_mobile(form.cleaned_data["mobile"])
        try:
            services.grid_appoint(
                actor=request.user,
                community=community,
                worker=worker,
                grid=form.cleaned_data["grid"],
            )
        except Invalid as exc:
            if worker is None:
                form.add_error("mobile", _("No registered worker has this mobile number."))
            else:
                add_service_errors(form, exc)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Appointment proposed; it starts when the worker agrees."))
            return redirect("membership:roster", community.pk)
    month = _month(request.GET.get("month"))
    months = [month]
    for _i in range(5):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return render(
        request,
        "membership/roster.html",
        {
            "community": community,
            "form": form,
            "roster": selectors.roster(community.pk),
            "activity": selectors.grid_activity(community_id=community.pk, month=month),
            "month": month,
            "months": months,
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@_console_required
def appointment_step_view(request, appointment_id: int, step: str):
    back = _back(request, reverse("membership:console"))
    actions = {
        "suspend": lambda: services.grid_suspend(
            actor=request.user, appointment_id=appointment_id, reason=request.POST.get("reason", "")
        ),
        "reinstate": lambda: services.grid_reinstate(
            actor=request.user, appointment_id=appointment_id
        ),
        "end": lambda: services.grid_end(
            actor=request.user, appointment_id=appointment_id, reason=request.POST.get("reason", "")
        ),
    }
    if step not in actions:
        raise NotFound()
    fail, _result = _step(request, actions[step], done=_("Appointment updated."), back=back)
    return fail or redirect(back)


# --- the city ----------------------------------------------------------------------------------


@login_required
def coverage_view(request):
    if not perms.can_read_coverage(request.user):
        raise NotAllowed()
    form = FamilyForm(request.GET or None)
    family = (
        form.cleaned_data["family"]
        if form.is_valid() and form.cleaned_data["family"]
        else Family.UNION
    )
    district_ids = perms.coverage_district_ids(request.user)
    rows = selectors.coverage_by_district(family=family, district_ids=district_ids)
    chart = {
        "labels": [r["district"].name for r in rows],
        "members": [r["members_pct"] or 0 for r in rows],
        "employers": [r["covered_pct"] or 0 for r in rows],
        "members_label": _("Workers who are members (%)"),
        "employers_label": _("Employers with members (%)"),
    }
    return render(
        request,
        "membership/coverage.html",
        {
            "rows": rows,
            "organisations": selectors.coverage_by_organisation(
                family=family, district_ids=district_ids
            ),
            "family": family,
            "families": Family.choices,
            "chart": chart,
        },
    )


@login_required
def escalations_view(request):
    if not perms.can_see_escalations(request.user):
        raise NotAllowed()
    return render(
        request, "membership/escalations.html", {"transfers": selectors.escalated_transfers()}
    )


# --- registry checks ---------------------------------------------------------------------------


@login_required
def registry_view(request):
    """A department's yes/no questions: a list of ID numbers in, one yes or no per row out."""
    if not perms.can_query_registry(request.user):
        raise NotAllowed()
    form = RegistryForm(
        request.POST or None,
        request.FILES or None,
        questions=selectors.registry_questions(),
        organisations=selectors.askable_organisations(),
    )
    result = None
    if request.method == "POST" and form.is_valid():
        ids = form.id_list()
        org = None
        if form.cleaned_data.get("organisation"):
            try:
                org = selectors.organisation_get(form.cleaned_data["organisation"])
            except NotFound:
                org = None
        try:
            answers = services.registry_check(
                actor=request.user,
                question=form.cleaned_data["question"],
                id_numbers=ids,
                purpose=form.cleaned_data["purpose"],
                legal_basis=form.cleaned_data["legal_basis"],
                organisation=org,
            )
        except NotAllowed as exc:
            if str(exc.message) == str(NotAllowed.default_message):
                raise
            add_service_errors(form, exc)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            from yizhan.core.pii import mask_id_number

            # The answer is shown; the list itself is not sent back to the browser.
            form = RegistryForm(
                initial={
                    k: form.cleaned_data[k]
                    for k in ("question", "organisation", "purpose", "legal_basis")
                },
                questions=selectors.registry_questions(),
                organisations=selectors.askable_organisations(),
            )
            result = {
                "rows": [
                    {
                        "n": i + 1,
                        "id": mask_id_number(ids[i].strip()) if a is not None else "—",
                        "answer": a,
                    }
                    for i, a in enumerate(answers[:500])
                ],
                "total": len(answers),
                "yes": sum(1 for a in answers if a),
                "invalid": sum(1 for a in answers if a is None),
                "more": max(0, len(answers) - 500),
            }
    return render(
        request,
        "membership/registry.html",
        {"form": form, "result": result, "log": selectors.registry_log(request.user)},
    )
