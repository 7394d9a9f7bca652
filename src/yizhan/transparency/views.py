"""Transparency pages, thin: parse, call one service or selector, render.

- public, no login: the platforms (index) and one platform's page (caps, rules, their
  history as charts and tables, the monthly index, the scorecard with the platform's answers);
- the worker's 查一查 on a phone: orders by hand or a statement, weeks against the cap, the
  one-tap commission case, working time against the limits;
- the platform representative's console and the city's review, on a desktop.
"""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import Role, role_required
from yizhan.core.errors import Invalid, NotAllowed, NotFound, YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.transparency import forms, links, selectors, services
from yizhan.transparency import permissions as perms
from yizhan.transparency.models import Disclosure, ServiceType
from yizhan.transparency.money import percent
from yizhan.transparency.scorecard import scorecard

WORKER = Role.WORKER


def _platform_or_404(code):
    platform = links.platform(code=code)
    if platform is None:
        raise NotFound
    return platform


# --- public pages ------------------------------------------------------------------------------


def index_view(request):
    return render(
        request,
        "transparency/index.html",
        {
            "summaries": selectors.platform_summaries(),
            "k": selectors.config().k_anonymity,
            "is_worker": perms.is_worker(request.user),
        },
    )


def platform_view(request, code):
    platform = _platform_or_404(code)
    current = selectors.current_disclosure(platform)
    history = [
        d for d in selectors.disclosure_history(platform) if d.state == Disclosure.State.PUBLISHED
    ]
    return render(
        request,
        "transparency/platform.html",
        {
            "platform": platform,
            "current": current,
            "upcoming": selectors.upcoming_disclosure(platform),
            "stale": selectors.is_stale(current),
            "history": history,
            "cap_chart": selectors.cap_history_chart(platform),
            "index_chart": selectors.index_chart(platform),
            "index_rows": selectors.index_rows(platform=platform),
            "card": scorecard(platform),
            "k": selectors.config().k_anonymity,
        },
    )


# --- the worker's check (查一查) ------------------------------------------------------------------


def _initial_platform(user):
    return getattr(getattr(user, "worker", None), "platform_id", None)


@role_required(WORKER)
def check_view(request):
    user = request.user
    form = forms.OrderForm(
        request.POST or None,
        request.FILES or None,
        worker=user,
        initial={"platform": _initial_platform(user), "completed_on": selectors.local_today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_record(
                worker=user,
                platform=links.platform(platform_id=data["platform"]),
                service_type=data["service_type"],
                completed_on=data["completed_on"],
                fare_fen=data["fare"],
                payout_fen=data["payout"],
                order_no=data["order_no"],
                screenshot=data["screenshot"],
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            if order.cap_bp is None:
                text = _("Recorded: commission %(rate)s. The platform has published no cap for it.")
            elif order.is_above:
                text = _("Recorded: commission %(rate)s, above the published cap of %(cap)s.")
            else:
                text = _("Recorded: commission %(rate)s, within the published cap of %(cap)s.")
            messages.success(
                request, text % {"rate": percent(order.rate_bp), "cap": percent(order.cap_bp)}
            )
            return redirect("transparency:check")
    return render(
        request,
        "transparency/check.html",
        {"form": form, "weeks": selectors.worker_weeks(worker=user)},
    )


@role_required(WORKER)
def upload_view(request):
    user = request.user
    form = forms.StatementForm(
        request.POST or None,
        request.FILES or None,
        worker=user,
        initial={"platform": _initial_platform(user)},
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.statement_import(
                worker=user,
                platform=links.platform(platform_id=form.cleaned_data["platform"]),
                filename=upload.name,
                data=upload.read(),
                screenshot=form.cleaned_data["screenshot"],
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "transparency/upload.html",
        {
            "form": form,
            "result": result,
            "weeks": selectors.worker_weeks(worker=user)[:6] if result else [],
            "statements": selectors.worker_statements(worker=user)[:5],
        },
    )


def _week_args(platform_code, service_code, start):
    platform = _platform_or_404(platform_code)
    service_type = ServiceType.objects.filter(code=service_code).first()
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        raise NotFound from None
    if service_type is None or day.weekday() != 0:
        raise NotFound
    return platform, service_type, day


@role_required(WORKER)
def week_view(request, platform_code, service_code, start):
    platform, service_type, day = _week_args(platform_code, service_code, start)
    row = selectors.worker_week(
        worker=request.user, platform=platform, service_type=service_type, start=day
    )
    if row is None:
        raise NotFound
    orders = selectors.week_orders(
        worker=request.user, platform=platform, service_type=service_type, start=day
    )
    route = selectors.route_for(platform_kind=platform.kind, service_type=service_type)
    return render(
        request,
        "transparency/week.html",
        {"row": row, "orders": orders, "route": route},
    )


@require_POST
@role_required(WORKER)
def dispute_view(request, platform_code, service_code, start):
    platform, service_type, day = _week_args(platform_code, service_code, start)
    dispute, created = services.dispute_file(
        worker=request.user,
        platform=platform,
        service_type=service_type,
        week_start=day,
        withhold_identity=request.POST.get("withhold_identity") == "on",
    )
    if created:
        messages.success(
            request,
            _("Commission case #%(id)s filed. You will be told of every step.")
            % {"id": dispute.case_id},
        )
    return redirect("cases:detail", dispute.case_id)


@role_required(WORKER)
def hours_view(request):
    user = request.user
    form = forms.WorkDayForm(
        request.POST or None,
        worker=user,
        initial={"platform": _initial_platform(user), "day": selectors.local_today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.workday_record(
                worker=user,
                platform=links.platform(platform_id=data["platform"]),
                day=data["day"],
                online_minutes=data["online"],
                driving_minutes=data["driving"],
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Working time recorded."))
            return redirect("transparency:hours")
    return render(
        request,
        "transparency/hours.html",
        {"form": form, "weeks": selectors.worker_hours(worker=user)},
    )


# --- the platform representative's console --------------------------------------------------------


def _rep_platform(request):
    platforms = selectors.rep_platforms(request.user)
    if not platforms:
        raise NotAllowed
    wanted = request.GET.get("platform") or request.POST.get("platform")
    for p in platforms:
        if str(p.pk) == wanted:
            return p, platforms
    return platforms[0], platforms


def _console_url(platform) -> str:
    return f"{reverse('transparency:console')}?platform={platform.pk}"


@role_required(Role.PLATFORM_REP)
def console_view(request):
    platform, platforms = _rep_platform(request)
    current = selectors.current_disclosure(platform)
    cases = Paginator(links.cases_about_platforms(user=request.user), 10).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "transparency/console.html",
        {
            "platform": platform,
            "platforms": platforms,
            "current": current,
            "pending": selectors.pending_disclosure(platform),
            "upcoming": selectors.upcoming_disclosure(platform),
            "stale": selectors.is_stale(current),
            "stale_on": selectors.stale_since(current) if current else None,
            "history": selectors.disclosure_history(platform)[:10],
            "card": scorecard(platform),
            "answer_form": forms.AnswerForm(),
            "cases": cases,
        },
    )


@role_required(Role.PLATFORM_REP)
def console_file_view(request):
    platform, _platforms = _rep_platform(request)
    current = selectors.current_disclosure(platform) or selectors.upcoming_disclosure(platform)
    form = forms.DisclosureForm(
        request.POST or None,
        platform=platform,
        current=current,
        initial={"effective_from": selectors.local_today() + dt.timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disclosure_file(
                platform=platform,
                actor=request.user,
                effective_from=data["effective_from"],
                caps=[services.CapIn(st_id, bp) for st_id, bp in data["caps"]],
                pricing_rules=data["pricing_rules"],
                pay_standards=data["pay_standards"],
                injury_insurance=data["injury_insurance"],
                appeal_channel=data["appeal_channel"],
                max_continuous_minutes=data["max_continuous_minutes"],
                forced_rest_minutes=data["forced_rest_minutes"],
                max_daily_minutes=data["max_daily"],
                max_weekly_minutes=data["max_weekly"],
                idempotency_key=request.POST.get("idempotency_key", "")[:100],
            )
        except YizhanError as exc:
            _caps_errors_to_fields(form, exc)
        else:
            messages.success(request, _("Filed. The city reviews it before it is published."))
            return redirect(_console_url(platform))
    import secrets

    return render(
        request,
        "transparency/console_file.html",
        {"form": form, "platform": platform, "current": current, "token": secrets.token_hex(16)},
    )


def _caps_errors_to_fields(form, exc):
    """A cap refused by the service is shown at the top of the caps."""
    if isinstance(exc, Invalid) and "caps" in exc.fields:
        for message in exc.fields.pop("caps"):
            form.add_error(None, message)
        if not exc.fields:
            return
    add_service_errors(form, exc)


@require_POST
@role_required(Role.PLATFORM_REP)
def console_confirm_view(request):
    platform, _platforms = _rep_platform(request)
    services.disclosure_confirm(platform=platform, actor=request.user)
    messages.success(request, _("Confirmed: the disclosure in force is still accurate."))
    return redirect(_console_url(platform))


@require_POST
@role_required(Role.PLATFORM_REP)
def console_answer_view(request):
    platform, _platforms = _rep_platform(request)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Choose a principle and write the answer."))
    services.scorecard_answer(
        platform=platform,
        actor=request.user,
        principle=form.cleaned_data["principle"],
        text=form.cleaned_data["text"],
    )
    messages.success(request, _("Your answer is shown beside the scorecard."))
    return redirect(_console_url(platform))


@role_required(Role.PLATFORM_REP)
def console_case_view(request, case_id):
    case = links.case_for_viewer(user=request.user, case_id=case_id)
    form = forms.CaseStatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_statement(
                case_id=case.pk, actor=request.user, text=form.cleaned_data["text"]
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your statement is part of the case history."))
            return redirect("transparency:console_case", case.pk)
    statements = [e for e in links.case_history(case) if links.is_platform_statement(e)]
    return render(
        request,
        "transparency/console_case.html",
        {
            "case": case,
            "form": form,
            "statements": statements,
            "dispute": selectors.dispute_for_case(case.pk),
            "may_answer": perms.represents(request.user, case.platform_id)
            and case.state != "closed",
        },
    )


# --- the city's review --------------------------------------------------------------------------


def _require_review(user):
    if not perms.sees_review(user):
        raise NotAllowed


@role_required(Role.CITY_ADMIN, Role.DISPATCHER)
def review_view(request):
    _require_review(request.user)
    config = selectors.config()
    month = selectors.month_start(selectors.local_today())
    last_month = selectors.month_start(month - dt.timedelta(days=1))
    coverage = selectors.order_counts_by_platform(last_month)
    summaries = selectors.platform_summaries()
    for s in summaries:
        s.orders, s.workers = coverage.get(s.platform.pk, (0, 0))
    return render(
        request,
        "transparency/review.html",
        {
            "queue": selectors.review_queue(),
            "summaries": summaries,
            "last_month": last_month,
            "k": config.k_anonymity,
            "can_configure": perms.can_configure(request.user),
            "config_form": forms.ConfigForm(
                initial={
                    "k_anonymity": config.k_anonymity,
                    "stale_after_days": config.stale_after_days,
                }
            ),
            "route_form": forms.RouteForm(),
            "rules": selectors.routing_rules(),
            "index_form": forms.IndexForm(initial={"month": last_month.strftime("%Y-%m")}),
            "latest_index": selectors.latest_index_month(),
        },
    )


@role_required(Role.CITY_ADMIN, Role.DISPATCHER, Role.PLATFORM_REP)
def review_detail_view(request, disclosure_id):
    disclosure = selectors.disclosure_for_viewer(user=request.user, disclosure_id=disclosure_id)
    current = selectors.current_disclosure(disclosure.platform)
    compare = current if current and current.pk != disclosure.pk else None
    return render(
        request,
        "transparency/review_detail.html",
        {
            "d": disclosure,
            "compare": compare,
            "cap_changes": selectors.cap_changes(compare, disclosure),
            "changed": [
                Disclosure._meta.get_field(name).verbose_name
                for name in selectors.changed_fields(compare, disclosure)
            ],
            "may_decide": perms.can_review(request.user)
            and disclosure.state == Disclosure.State.SUBMITTED,
            "decision_form": forms.DecisionForm(),
            "reject_form": forms.RejectForm(),
            "staff_page": not perms.represents(request.user, disclosure.platform_id),
        },
    )


@require_POST
@role_required(Role.CITY_ADMIN)
def review_publish_view(request, disclosure_id):
    disclosure = selectors.disclosure_for_viewer(user=request.user, disclosure_id=disclosure_id)
    services.disclosure_publish(
        disclosure=disclosure, actor=request.user, note=request.POST.get("note", "")
    )
    messages.success(request, _("Published. The platform's workers are being told."))
    return redirect("transparency:review")


@require_POST
@role_required(Role.CITY_ADMIN)
def review_reject_view(request, disclosure_id):
    disclosure = selectors.disclosure_for_viewer(user=request.user, disclosure_id=disclosure_id)
    services.disclosure_reject(
        disclosure=disclosure, actor=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("Returned to the platform for correction."))
    return redirect("transparency:review")


@require_POST
@role_required(Role.CITY_ADMIN)
def review_index_view(request):
    form = forms.IndexForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Choose a month."))
    rows = services.index_compute(month=form.cleaned_data["month"])
    published = sum(1 for r in rows if r.published)
    messages.success(
        request,
        _("Index computed: %(p)s of %(n)s platform services published.")
        % {"p": published, "n": len(rows)},
    )
    return redirect("transparency:review")


@require_POST
@role_required(Role.CITY_ADMIN)
def review_settings_view(request):
    form = forms.ConfigForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Enter whole numbers."))
    services.config_update(actor=request.user, **form.cleaned_data)
    messages.success(request, _("Settings saved."))
    return redirect("transparency:review")


@require_POST
@role_required(Role.CITY_ADMIN)
def review_routes_view(request):
    form = forms.RouteForm(request.POST)
    if not form.is_valid():
        raise Invalid(_("Choose a platform kind and a department."))
    services.routing_rule_set(
        actor=request.user,
        platform_kind=form.cleaned_data["platform_kind"],
        service_type=form.cleaned_data["service_type"],
        department=links.department(department_id=form.cleaned_data["department"]),
    )
    messages.success(request, _("Routing rule saved."))
    return redirect("transparency:review")


# --- the dispatcher: commission cases by rule ------------------------------------------------------


@role_required(Role.DISPATCHER, Role.CITY_ADMIN)
def disputes_view(request):
    page = Paginator(selectors.disputes_to_route(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    for dispute in page:
        dispute.case = links.case_for_viewer(user=request.user, case_id=dispute.case_id)
        dispute.routable = dispute.department_id is not None and dispute.case.state in (
            "submitted",
            "accepted",
            "returned",
        )
    return render(
        request,
        "transparency/disputes.html",
        {"page": page, "can_route": perms.can_route(request.user), "filters": {}},
    )


@require_POST
@role_required(Role.DISPATCHER)
def dispute_route_view(request, dispute_id):
    dispute = selectors.disputes_to_route(user=request.user).filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound
    case = services.dispute_route(dispute=dispute, actor=request.user)
    messages.success(
        request,
        _("Case #%(id)s dispatched to %(department)s.")
        % {"id": case.pk, "department": dispute.department.name},
    )
    return redirect("transparency:disputes")
