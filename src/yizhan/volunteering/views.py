"""Volunteer pages: thin — parse, call one service or selector, render or redirect.

Volunteers (workers enrolled in a team) use their phone: trips with one-tap accept or
decline, the steps on the road with directions, availability, hours and points. The
coordinator works at a desk: the day's requests, the plan on a map and a timeline, pins,
publishing, booking, beneficiaries, teams and credentials, campaigns. Grid officers see and
register the beneficiaries of their community.
"""

import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yizhan.core.errors import Invalid, NotFound, YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.core.redirects import safe_target
from yizhan.volunteering import forms, permissions, selectors, services
from yizhan.volunteering.models import Campaign, Plan, Request

# --- access -----------------------------------------------------------------------------------


def _login_required(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return None


def volunteer_page(view):
    def wrapper(request, *args, **kwargs):
        return _login_required(request) or (
            view(request, *args, **kwargs)
            if permissions.is_volunteer(request.user)
            else render(request, "volunteering/not_volunteer.html", status=403)
        )

    wrapper.__name__ = view.__name__
    return wrapper


def staff_page(check):
    def decorator(view):
        def wrapper(request, *args, **kwargs):
            gate = _login_required(request)
            if gate:
                return gate
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.__name__ = view.__name__
        return wrapper

    return decorator


coordinator_page = staff_page(permissions.is_coordinator)
community_page = staff_page(permissions.can_register_beneficiaries)


def _back(request) -> str:
    """Where the person came from, if it is this site; else the console."""
    return safe_target(request, request.META.get("HTTP_REFERER"), reverse("volunteering:console"))


def _day(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else timezone.localdate() + dt.timedelta(days=1)
    except ValueError:
        return timezone.localdate() + dt.timedelta(days=1)


# --- The volunteer's phone --------------------------------------------------------------------


@volunteer_page
def home_view(request):
    trips = list(selectors.my_trips(request.user))
    return render(
        request,
        "volunteering/home.html",
        {
            "offers": [t for t in trips if t.status == "offered"],
            "upcoming": [t for t in trips if t.status != "offered"],
            "free_form": forms.FreeNowForm(),
            "volunteer": selectors.volunteer_for(request.user),
        },
    )


@volunteer_page
def trip_view(request, pk):
    trip = selectors.trip_for_volunteer(request.user, pk)
    return render(
        request,
        "volunteering/trip.html",
        {**selectors.trip_card(trip), "decline_form": forms.DeclineForm()},
    )


STEPS = {
    "accept": (services.trip_accept, gettext_lazy("Accepted. Thank you!")),
    "pickup": (services.trip_pick_up, gettext_lazy("Picked up. Drive safely.")),
    "dropoff": (services.trip_drop_off, gettext_lazy("Done. We texted the passenger to confirm.")),
    "noshow": (services.trip_no_show, gettext_lazy("No-show recorded.")),
}


@require_POST
@volunteer_page
def trip_step_view(request, pk, step):
    if step == "decline":
        form = forms.DeclineForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.trip_decline(user=request.user, trip_id=pk, reason=reason)
        messages.success(request, _("Declined. We will ask someone else."))
        return redirect("volunteering:home")
    if step not in STEPS:
        raise NotFound()
    action, said = STEPS[step]
    action(user=request.user, trip_id=pk)
    messages.success(request, str(said))
    return redirect("volunteering:trip", pk)


@volunteer_page
def availability_view(request):
    form = forms.AvailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.availability_add(user=request.user, **form.cleaned_data)
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. Plans will use this window."))
            return redirect("volunteering:availability")
    return render(
        request,
        "volunteering/availability.html",
        {"form": form, "slots": selectors.my_availability(request.user)},
    )


@require_POST
@volunteer_page
def availability_remove_view(request, pk):
    services.availability_remove(user=request.user, availability_id=pk)
    messages.success(request, _("Removed."))
    return redirect("volunteering:availability")


@require_POST
@volunteer_page
def free_now_view(request):
    form = forms.FreeNowForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Choose how long you are free."), field="minutes")
    data = form.cleaned_data
    shared = data["share"] and data["lat"] is not None and data["lng"] is not None
    services.free_now(
        user=request.user,
        minutes=data["minutes"],
        lat=data["lat"] if shared else None,
        lng=data["lng"] if shared else None,
    )
    messages.success(request, _("Thanks! Urgent requests near you may reach you now."))
    return redirect("volunteering:home")


@volunteer_page
def hours_view(request):
    return render(
        request,
        "volunteering/hours.html",
        {**selectors.my_hours(request.user), "points": selectors.points_balance(request.user)},
    )


def _xlsx(rows, title: str, filename: str) -> HttpResponse:
    from openpyxl import Workbook

    headers = [
        ("date", _("Date")),
        ("volunteer", _("Volunteer")),
        ("kind", _("Service")),
        ("from", _("From")),
        ("to", _("To")),
        ("minutes", _("Minutes")),
        ("hours", _("Hours")),
        ("confirmed_via", _("Confirmed by")),
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = title[:30]
    sheet.append([label for _key, label in headers])
    for row in rows:
        sheet.append([row[key] for key, _label in headers])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@volunteer_page
def hours_export_view(request):
    return _xlsx(
        selectors.hours_rows(user=request.user), _("Service hours"), "my-volunteer-hours.xlsx"
    )


def confirm_view(request):
    """The beneficiary's confirmation page (the same code as the SMS reply); no login."""
    form = forms.ConfirmForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.trip_confirm_by_code(**form.cleaned_data)
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            done = True
    return render(request, "volunteering/confirm.html", {"form": form, "done": done})


# --- The coordinator's console ----------------------------------------------------------------


@coordinator_page
def console_view(request):
    day = _day(request.GET.get("day"))
    board = selectors.day_board(day)
    return render(
        request,
        "volunteering/console.html",
        {
            **board,
            "day": day,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "volunteers": selectors.pinnable_volunteers(),
        },
    )


@require_POST
@coordinator_page
def solve_view(request):
    day = _day(request.POST.get("day"))
    plan = services.plan_solve(by=request.user, day=day)
    f = plan.figures
    messages.success(
        request,
        _("Planned %(served)s of %(n)s requests, %(km)s km empty driving (greedy: %(gkm)s km).")
        % {
            "served": f["served"],
            "n": f["requests"],
            "km": f["empty_km"],
            "gkm": plan.baseline["empty_km"],
        },
    )
    return redirect(f"{reverse('volunteering:console')}?day={day.isoformat()}")


@require_POST
@coordinator_page
def publish_view(request, pk):
    plan = Plan.objects.filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    n = services.plan_publish(by=request.user, plan=plan)
    messages.success(request, _("%(n)s trips offered to volunteers by notice and SMS.") % {"n": n})
    return redirect(f"{reverse('volunteering:console')}?day={plan.day.isoformat()}")


def _request(pk) -> Request:
    r = Request.objects.select_related("beneficiary").filter(pk=pk).first()
    if r is None:
        raise NotFound()
    return r


@require_POST
@coordinator_page
def pin_view(request, pk):
    r = _request(pk)
    form = forms.PinForm(request.POST)
    volunteer = None
    if form.is_valid() and form.cleaned_data["volunteer"]:
        volunteer = (
            selectors.pinnable_volunteers().filter(pk=form.cleaned_data["volunteer"]).first()
        )
        if volunteer is None:
            raise Invalid(_("Choose a volunteer."), field="volunteer")
    services.request_pin(by=request.user, request=r, volunteer=volunteer)
    messages.success(
        request, _("Pinned. Solve again to plan with it.") if volunteer else _("Unpinned.")
    )
    return redirect(
        f"{reverse('volunteering:console')}?day={timezone.localdate(r.earliest).isoformat()}"
    )


@require_POST
@community_page
def cancel_view(request, pk):
    r = _request(pk)
    services.request_cancel(by=request.user, request=r, reason=request.POST.get("reason", ""))
    messages.success(request, _("Request cancelled."))
    return redirect(_back(request))


@require_POST
@coordinator_page
def urgent_view(request, pk):
    offers = services.urgent_offer(by=request.user, request=_request(pk))
    if offers:
        messages.success(request, _("Offered to %(n)s nearby volunteers.") % {"n": len(offers)})
    else:
        messages.error(request, _("Nobody qualified is free nearby. Call around."))
    return redirect(_back(request))


@require_POST
@coordinator_page
def call_view(request, pk):
    form = forms.CallForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.trip_confirm_by_phone(by=request.user, trip_id=pk, note=note)
    messages.success(request, _("Confirmed by phone. Hours recorded."))
    return redirect(_back(request))


@community_page
def book_view(request):
    beneficiaries = selectors.beneficiaries_for(request.user).exclude(kind="meals")
    initial = {"day": timezone.localdate() + dt.timedelta(days=1), "days": 30}
    if request.GET.get("beneficiary"):
        initial["beneficiary"] = request.GET["beneficiary"]
    form = forms.BookForm(request.POST or None, beneficiaries=beneficiaries, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            first_day = _book(request.user, d)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Booked."))
            if permissions.is_coordinator(request.user):
                return redirect(f"{reverse('volunteering:console')}?day={first_day.isoformat()}")
            return redirect("volunteering:beneficiaries")
    return render(request, "volunteering/book.html", {"form": form})


def _book(user, d) -> dt.date:
    common = dict(
        by=user,
        beneficiary=d["beneficiary"],
        dropoff_label=d["dropoff_label"],
        dropoff_lat=d["dropoff_lat"],
        dropoff_lng=d["dropoff_lng"],
    )
    if d["standing"]:
        standing = services.standing_ride_book(
            **common,
            weekdays=d["weekdays"],
            appointment=d["appointment"],
            starts_on=d["day"],
            days=d["days"] or 30,
            return_at=d["return_at"],
            lead_minutes=d["lead"],
        )
        first = standing.requests.order_by("earliest").first()
        return timezone.localdate(first.earliest)
    latest = timezone.make_aware(dt.datetime.combine(d["day"], d["appointment"]))
    back = (
        timezone.make_aware(dt.datetime.combine(d["day"], d["return_at"]))
        if d["return_at"]
        else None
    )
    services.ride_book(
        **common,
        earliest=latest - dt.timedelta(minutes=d["lead"]),
        latest=latest,
        appointment_at=latest,
        return_earliest=back,
        urgent=d["urgent"],
        note=d["note"],
    )
    return d["day"]


@community_page
def beneficiaries_view(request):
    form = forms.BeneficiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            b = services.beneficiary_register(by=request.user, **form.cleaned_data)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registered %(name)s.") % {"name": b.masked_name})
            return redirect("volunteering:beneficiaries")
    page = Paginator(selectors.beneficiaries_for(request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "volunteering/beneficiaries.html", {"form": form, "page": page})


@community_page
def beneficiary_view(request, pk):
    b = selectors.beneficiary_for(request.user, pk)
    revealed = None
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        revealed = selectors.beneficiary_reveal(
            user=request.user, beneficiary=b, reason=form.cleaned_data["reason"], request=request
        )
    return render(
        request,
        "volunteering/beneficiary.html",
        {
            "b": b,
            "form": form,
            "revealed": revealed,
            "requests": b.requests.order_by("-earliest")[:20],
        },
    )


@require_POST
@community_page
def beneficiary_erase_view(request, pk):
    b = selectors.beneficiary_for(request.user, pk)
    services.beneficiary_erase(by=request.user, beneficiary=b)
    messages.success(request, _("The person's data was erased."))
    return redirect("volunteering:beneficiaries")


@coordinator_page
def teams_view(request):
    return render(
        request,
        "volunteering/teams.html",
        {
            "teams": [(t, selectors.team_members(t)) for t in selectors.teams()],
            "expiring": selectors.expiring_credentials(),
            "roster": selectors.volunteer_roster(),
            "today": timezone.localdate(),
        },
    )


@coordinator_page
def hours_all_export_view(request):
    return _xlsx(selectors.hours_rows(), _("Service hours"), "volunteer-hours.xlsx")


@coordinator_page
def campaigns_view(request):
    return render(request, "volunteering/campaigns.html", {"campaigns": selectors.campaigns()})


@coordinator_page
def campaign_view(request, pk):
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise NotFound()
    if request.method == "POST":
        n = services.rehearsal_schedule(by=request.user, campaign=campaign)
        messages.success(request, _("%(n)s rehearsal duties scheduled.") % {"n": n})
        return redirect("volunteering:campaign", pk)
    return render(request, "volunteering/campaign.html", selectors.campaign_board(campaign))
