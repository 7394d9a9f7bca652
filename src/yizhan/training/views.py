"""Training and events: the pages. Worker pages (phone) extend core/base.html; the organiser's
console (desktop) extends core/staff_base.html. Views parse, call one service or selector,
and render; a refused step raised outside a form becomes a message on the page the person
came from (core.middleware.ServiceErrorMiddleware)."""

import datetime as dt
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import role_required
from yizhan.core.errors import Invalid, NotAllowed, YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.training import certificates, conf, forms, ics, selectors, services, tokens
from yizhan.training import permissions as perms
from yizhan.training.models import Activity, Enrolment, Topic

SCAN_KEY = "training_scan"


def _hhmm(moment) -> str:
    return date_format(timezone.localtime(moment), "H:i")


def _float(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -1000 < number < 1000 else None


# --- the worker's pages ----------------------------------------------------------------------


@login_required
def index_view(request):
    """Upcoming courses and events: at the worker's usual stations, then near them."""
    if not perms.is_worker(request.user) and perms.uses_console(request.user):
        return redirect("training:console")
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    if lat is None or lng is None:
        lat = lng = None
    kind = request.GET.get("kind", "")
    found = selectors.upcoming_for_worker(worker=request.user, lat=lat, lng=lng, kind=kind)
    return render(
        request,
        "training/index.html",
        {"found": found, "kind": kind, "located": lat is not None},
    )


@login_required
def activity_view(request, activity_id):
    activity, enrolment = selectors.activity_for_viewer(user=request.user, activity_id=activity_id)
    sessions = selectors.sessions_of(activity)
    attended = selectors.attendance_of(enrolment)
    context = {
        "activity": activity,
        "enrolment": enrolment,
        "sessions": [(s, attended.get(s.pk)) for s in sessions],
        "position": selectors.waitlist_position(enrolment) if enrolment else None,
        "can_manage": perms.can_manage(request.user, activity),
        "is_worker": perms.is_worker(request.user),
        "now": timezone.now(),
        "demands": selectors.symposium_demands(activity=activity, viewer=request.user),
        "has_quiz": activity.quiz_pass_percent is not None,
        "needs_check_out": activity.is_course and activity.min_attendance_percent > 0,
    }
    return render(request, "training/activity.html", context)


@require_POST
@login_required
def signup_view(request, activity_id):
    enrolment = services.signup(worker=request.user, activity_id=activity_id)
    if enrolment.status == Enrolment.Status.CONFIRMED:
        messages.success(request, _("You are signed up. See you there!"))
    else:
        messages.info(
            request,
            _("It is full: you are on the waiting list. We will tell you when a place frees."),
        )
    return redirect("training:activity", activity_id)


@require_POST
@login_required
def cancel_view(request, activity_id):
    services.signup_cancel(worker=request.user, activity_id=activity_id)
    messages.success(request, _("Cancelled. Your place goes to the next on the waiting list."))
    return redirect("training:activity", activity_id)


@require_POST
@login_required
def accept_view(request, activity_id):
    services.offer_accept(worker=request.user, activity_id=activity_id)
    messages.success(request, _("The place is yours. See you there!"))
    return redirect("training:activity", activity_id)


@require_POST
@login_required
def decline_view(request, activity_id):
    services.offer_decline(worker=request.user, activity_id=activity_id)
    messages.info(request, _("Declined: the place goes to the next on the waiting list."))
    return redirect("training:activity", activity_id)


@login_required
def mine_view(request):
    feed = request.build_absolute_uri(
        reverse("training:feed", args=[tokens.feed_token(request.user.pk)])
    )
    return render(
        request,
        "training/mine.html",
        {"mine": selectors.my_enrolments(worker=request.user), "feed_url": feed},
    )


@login_required
def pass_view(request):
    """The worker's personal check-in code, for the organiser to scan at the door."""
    if not perms.is_worker(request.user):
        raise NotAllowed
    code = tokens.personal_code(request.user.pk)
    url = request.build_absolute_uri(reverse("training:pass_scan", args=[code]))
    svg = segno.make(url, error="m").svg_inline(scale=7, border=2)
    return render(
        request,
        "training/pass.html",
        {"code": code, "svg": mark_safe(svg)},  # noqa: S308 - segno's own SVG
    )


@never_cache
def scan_view(request):
    """The door code's target: check it is fresh now, keep the scan, then ask to check in
    (after logging in, if need be: the scan is kept for a few minutes)."""
    try:
        session_id = tokens.read_door_token(request.GET.get("t", ""))
    except Invalid as exc:
        return render(
            request, "core/error.html", {"status": 400, "message": exc.message}, status=400
        )
    request.session[SCAN_KEY] = {"session": session_id, "at": timezone.now().isoformat()}
    target = reverse("training:scan_confirm")
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    return redirect(target)


def _kept_scan(request) -> tuple[int, dt.datetime] | None:
    kept = request.session.get(SCAN_KEY) or {}
    at = parse_datetime(kept.get("at") or "")
    if not kept.get("session") or at is None:
        return None
    return int(kept["session"]), at


@login_required
@never_cache
def scan_confirm_view(request):
    kept = _kept_scan(request)
    if kept is None:
        return render(
            request,
            "core/error.html",
            {"status": 400, "message": _("Scan the code on the screen at the door first.")},
            status=400,
        )
    session_id, scanned_at = kept
    session = selectors.session_brief(session_id=session_id)
    if request.method == "POST":
        return _scan_post(request, session, scanned_at)
    attended = selectors.worker_attendance(worker=request.user, session=session)
    return render(
        request,
        "training/scan.html",
        {
            "session": session,
            "activity": session.activity,
            "attendance": attended,
            "needs_check_out": session.activity.is_course
            and session.activity.min_attendance_percent > 0,
        },
    )


def _scan_post(request, session, scanned_at):
    activity = session.activity
    try:
        if request.POST.get("action") == "checkout":
            services.check_out(actor=request.user, session_id=session.pk)
            messages.success(
                request,
                _("Checked out at %(t)s. Thank you for coming!") % {"t": _hhmm(timezone.now())},
            )
            request.session.pop(SCAN_KEY, None)
            return redirect("training:activity", activity.pk)
        result = services.check_in_scanned(
            worker=request.user,
            session_id=session.pk,
            scanned_at=scanned_at,
            lat=_float(request.POST.get("lat")),
            lng=_float(request.POST.get("lng")),
            crs=request.POST.get("crs") or "wgs84",
        )
    except YizhanError as exc:
        messages.error(request, str(exc.field_errors()[0][1]))
        return redirect("training:scan_confirm")
    if result.created:
        messages.success(
            request,
            _("Checked in at %(t)s. Welcome!") % {"t": _hhmm(result.attendance.checked_in_at)},
        )
    else:
        messages.info(
            request,
            _("You already checked in at %(t)s.") % {"t": _hhmm(result.attendance.checked_in_at)},
        )
    return redirect("training:activity", activity.pk)


@login_required
def quiz_view(request, activity_id):
    activity, enrolment = selectors.activity_for_viewer(user=request.user, activity_id=activity_id)
    questions = selectors.quiz_questions(activity)
    if activity.quiz_pass_percent is None or not questions:
        raise Http404
    if request.method == "POST":
        answers = {q.pk: request.POST.get(f"q{q.pk}", "") for q in questions}
        score = services.quiz_submit(worker=request.user, activity_id=activity.pk, answers=answers)
        if score >= activity.quiz_pass_percent:
            messages.success(request, _("You scored %(s)d%%: passed.") % {"s": score})
        else:
            messages.error(
                request,
                _("You scored %(s)d%%; the pass mark is %(p)d%%. Try again.")
                % {"s": score, "p": activity.quiz_pass_percent},
            )
        return redirect("training:activity", activity.pk)
    return render(
        request,
        "training/quiz.html",
        {"activity": activity, "enrolment": enrolment, "questions": questions},
    )


@login_required
def wish_view(request):
    form = forms.WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wish_create(worker=request.user, **form.cleaned_data)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you: organisers see what workers in your district ask for.")
            )
            return redirect("training:index")
    return render(request, "training/wish.html", {"form": form})


@login_required
def certificate_view(request, code):
    enrolment = selectors.certificate_for_owner(user=request.user, code=code)
    verify = request.build_absolute_uri(
        reverse("training:verify_code", args=[enrolment.display_certificate_code])
    )
    pdf = certificates.render_for(enrolment, verify_url=verify)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{enrolment.display_certificate_code}.pdf"'
    )
    return response


def verify_view(request, code=""):
    """Public: anyone holding a certificate's code checks that it is real (name masked)."""
    code = code or request.GET.get("code", "")
    found = selectors.certificate_lookup(code=code) if code else None
    return render(
        request,
        "training/verify.html",
        {"code": code, "found": found, "asked": bool(code)},
        status=200 if found or not code else 404,
    )


@login_required
def activity_ics_view(request, activity_id):
    activity, _enrolment = selectors.activity_for_viewer(user=request.user, activity_id=activity_id)
    body = ics.calendar_file(
        selectors.sessions_of(activity),
        name=activity.title,
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="yizhan-{activity.pk}.ics"'
    return response


@never_cache
def feed_view(request, token):
    """The worker's personal calendar feed: a secret address a calendar app subscribes to."""
    user = selectors.feed_owner(token=token)
    if user is None:
        raise Http404
    body = ics.calendar_file(
        selectors.feed_sessions(worker=user),
        name=_("Yizhan courses and events"),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- the organiser's console -------------------------------------------------------------------


@role_required(*perms.CONSOLE_ROLES)
def console_view(request):
    return render(
        request,
        "training/console.html",
        {
            "upcoming": selectors.console_activities(user=request.user),
            "past": selectors.console_activities(user=request.user, past=True)[:20],
            "kinds": perms.kinds_for(request.user),
        },
    )


def _initial_for_new(request) -> dict:
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    initial = {
        "kind": request.GET.get("kind") or "course",
        "starts_at": start.replace(hour=14),
        "ends_at": start.replace(hour=16),
    }
    topic, district = request.GET.get("topic", ""), request.GET.get("district", "")
    if topic in Topic.values:
        initial.update(topic=topic, cites=f"{topic}:{district}", title=Topic(topic).label)
        if district.isdigit():
            initial.update(audience=Activity.Audience.DISTRICT, audience_district=district)
    return initial


@role_required(*perms.CONSOLE_ROLES)
def console_new_view(request):
    form = forms.ActivityForm(
        request.POST or None, user=request.user, initial=_initial_for_new(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            invite_ids = selectors.worker_ids_by_mobile(form.cleaned_data["invite_mobiles"])
            activity = services.activity_create(
                organiser=request.user,
                data=form.to_data(invite_ids=invite_ids),
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Published: workers can sign up now."))
            return redirect("training:console_activity", activity.pk)
    station = form["station"].value()
    heat = selectors.station_heat(station_id=int(station)) if str(station or "").isdigit() else None
    return render(
        request,
        "training/console_new.html",
        {"form": form, "heat": heat, "idempotency_key": services.new_idempotency_key()},
    )


@role_required(*perms.CONSOLE_ROLES)
def console_heat_view(request):
    """The chosen station's visitors by weekday and hour (an htmx fragment of the form)."""
    station = request.GET.get("station", "")
    heat = selectors.station_heat(station_id=int(station)) if station.isdigit() else None
    return render(request, "training/_heat.html", {"heat": heat})


@role_required(*perms.CONSOLE_ROLES)
def console_activity_view(request, activity_id):
    activity = selectors.activity_for_manager(user=request.user, activity_id=activity_id)
    demand_form = None
    if activity.is_symposium:
        demand_form = forms.DemandForm(attendees=selectors.attendee_choices(activity))
    return render(
        request,
        "training/console_activity.html",
        {
            "activity": activity,
            "sessions": selectors.sessions_of(activity),
            "roster": selectors.roster(activity=activity),
            "cancel_form": forms.CancelForm(),
            "invite_form": forms.InviteForm(),
            "demand_form": demand_form,
            "demands": selectors.symposium_demands(activity=activity),
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(*perms.CONSOLE_ROLES)
def console_cancel_view(request, activity_id):
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        raise Invalid(field="reason", message=_("Say why, in at most 300 characters."))
    services.activity_cancel(
        actor=request.user, activity_id=activity_id, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Cancelled; everyone signed up has been told."))
    return redirect("training:console_activity", activity_id)


@require_POST
@role_required(*perms.CONSOLE_ROLES)
def console_invite_view(request, activity_id):
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        raise Invalid(field="mobiles", message=_("Give one mobile number a line."))
    invited, unknown = services.invite(
        actor=request.user, activity_id=activity_id, mobiles=form.cleaned_data["mobiles"]
    )
    messages.success(request, _("%(n)d invited.") % {"n": invited})
    if unknown:
        messages.warning(
            request, _("Not workers on Yizhan: %(list)s") % {"list": ", ".join(unknown)}
        )
    return redirect("training:console_activity", activity_id)


@require_POST
@role_required(*perms.CONSOLE_ROLES)
def console_demand_view(request, activity_id):
    activity = selectors.activity_for_manager(user=request.user, activity_id=activity_id)
    form = forms.DemandForm(request.POST, attendees=selectors.attendee_choices(activity))
    if form.is_valid():
        d = form.cleaned_data
        try:
            case = services.demand_record(
                actor=request.user,
                activity_id=activity.pk,
                category_id=int(d["category"]),
                description=d["description"],
                worker_id=int(d["worker"]) if d["worker"] else None,
                name=d["name"],
                mobile=d["mobile"],
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Demand #%(id)s recorded. Add the next one.") % {"id": case.pk}
            )
            return redirect("training:console_activity", activity.pk)
    for _field, errors in form.errors.items():
        for error in errors:
            messages.error(request, error)
    return redirect("training:console_activity", activity.pk)


@role_required(*perms.CONSOLE_ROLES)
def console_door_view(request, session_id):
    """The door: the rotating code on a screen, a scanner field for personal codes, a
    search by name for a dead phone, and who is in."""
    session = selectors.session_for_manager(user=request.user, session_id=session_id)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "training/door.html",
        {
            "session": session,
            "activity": session.activity,
            "form": forms.CodeForm(),
            "counts": selectors.door_counts(session),
            "recent": selectors.recent_check_ins(session),
            "q": q,
            "found": selectors.roster_search(activity=session.activity, q=q) if q else None,
            "step": conf.DOOR_QR_STEP_SECONDS,
            "needs_check_out": session.activity.is_course
            and session.activity.min_attendance_percent > 0,
        },
    )


@never_cache
@role_required(*perms.CONSOLE_ROLES)
def console_door_qr_view(request, session_id):
    """The door code now, as an SVG QR code (the door page reloads it every few seconds)."""
    session = selectors.session_for_manager(user=request.user, session_id=session_id)
    token = tokens.door_token(session.pk)
    url = request.build_absolute_uri(reverse("training:scan") + f"?t={token}")
    svg = io.BytesIO()  # a standalone SVG file (with its namespace), drawn by an <img>
    segno.make(url, error="m").save(svg, kind="svg", scale=8, border=2, xmldecl=False)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["X-Door-Token"] = token
    return response


def _door_result(request, result):
    if result.created:
        messages.success(
            request,
            _("Checked in: %(p)s at %(t)s.")
            % {"p": result.person, "t": _hhmm(result.attendance.checked_in_at)},
        )
    else:
        messages.info(
            request,
            _("%(p)s was already checked in at %(t)s.")
            % {"p": result.person, "t": _hhmm(result.attendance.checked_in_at)},
        )


@require_POST
@role_required(*perms.CONSOLE_ROLES)
def console_scan_view(request, session_id):
    form = forms.CodeForm(request.POST)
    if not form.is_valid():
        raise Invalid(field="code", message=_("Scan or type the worker's code."))
    result = services.check_in_by_code(
        organiser=request.user, session_id=session_id, code=form.cleaned_data["code"]
    )
    _door_result(request, result)
    return redirect("training:door", session_id)


@require_POST
@role_required(*perms.CONSOLE_ROLES)
def console_manual_view(request, session_id):
    enrolment_id = request.POST.get("enrolment", "")
    if not enrolment_id.isdigit() or len(enrolment_id) > 18:
        raise Invalid(field="enrolment", message=_("Choose the worker."))
    result = services.check_in_manually(
        organiser=request.user, session_id=session_id, enrolment_id=int(enrolment_id)
    )
    _door_result(request, result)
    return redirect("training:door", session_id)


@require_POST
@role_required(*perms.CONSOLE_ROLES)
def console_checkout_view(request, session_id):
    enrolment_id = request.POST.get("enrolment", "")
    if enrolment_id == "all":
        n = services.check_out_everyone(organiser=request.user, session_id=session_id)
        messages.success(request, _("%(n)d checked out.") % {"n": n})
    elif enrolment_id.isdigit() and len(enrolment_id) <= 18:
        services.check_out(
            actor=request.user, session_id=session_id, enrolment_id=int(enrolment_id)
        )
        messages.success(request, _("Checked out."))
    else:
        raise Invalid(field="enrolment", message=_("Choose the worker."))
    return redirect("training:door", session_id)


@login_required
def pass_scan_view(request, code):
    """An organiser's phone camera opened a worker's personal code: check them in to one of
    the organiser's sessions whose door is open now."""
    if not perms.uses_console(request.user):
        raise NotAllowed(_("Show this code to the organiser at the door."))
    worker = selectors.pass_holder(code=code)
    sessions = selectors.open_sessions_for(user=request.user)
    if request.method == "POST":
        session_id = request.POST.get("session", "")
        if not session_id.isdigit() or len(session_id) > 18:
            raise Invalid(field="session", message=_("Choose the session."))
        result = services.check_in_by_code(
            organiser=request.user, session_id=int(session_id), code=code
        )
        _door_result(request, result)
        return redirect("training:door", int(session_id))
    return render(
        request, "training/pass_scan.html", {"worker": worker, "sessions": sessions, "code": code}
    )


@role_required(*perms.CONSOLE_ROLES)
def console_demand_groups_view(request):
    """Demand first: what workers ask to learn, by topic and district."""
    return render(request, "training/console_demand.html", {"groups": selectors.demand_groups()})
