"""Report pages: thin views over services and selectors. Each checks role and scope."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import Role, role_required
from yizhan.core.forms import add_service_errors
from yizhan.core.geo import to_wgs84
from yizhan.core.paging import window
from yizhan.places.models import Community
from yizhan.reports import selectors, services
from yizhan.reports.forms import NoteForm, RejectForm, ReportForm, ResolveForm, TransferForm
from yizhan.reports.models import Category, Report, State

STAFF_ROLES = (Role.GRID_OFFICER, Role.DEPARTMENT_OFFICER, Role.DISPATCHER, Role.CITY_ADMIN)


@role_required(Role.WORKER)
def new_view(request):
    form = ReportForm(
        request.POST or None, request.FILES or None, initial={"idempotency_key": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.report_submit(
                reporter=request.user,
                category=data["category"],
                lat=data["lat"],
                lng=data["lng"],
                crs=data["crs"],
                description=data["description"],
                photos=data["photos"],
                use_photo_location=data["use_photo_location"],
                client_key=data["idempotency_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Thank you! Your report went to %(owner)s.")
                    % {"owner": _owner(result.report)},
                )
            return redirect("reports:detail", result.report.pk)
    return render(request, "reports/new.html", {"form": form, "categories": selectors.categories()})


def _owner(report: Report) -> str:
    if report.department_id:
        return report.department.name
    if report.community_id:
        return report.community.name
    return _("the city dispatcher")


def nearby_view(request):
    """htmx partial: open reports of the chosen category near the chosen spot."""
    category = Category.objects.filter(code=request.GET.get("category", "")).first()
    found = []
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
        lng, lat = to_wgs84(lng, lat, request.GET.get("crs", "wgs84"))
    except (KeyError, ValueError):
        category = None
    if category is not None:
        found = selectors.nearby_open(category=category, lat=lat, lng=lng)[:5]
    return render(request, "reports/_nearby.html", {"nearby": found})


@login_required
def mine_view(request):
    page = Paginator(selectors.mine(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "reports/mine.html", {"page": page, "filters": {}})


@login_required
def detail_view(request, report_id: int):
    report = get_object_or_404(
        Report.objects.select_related("category", "community", "department", "duplicate_of"),
        pk=report_id,
    )
    user = request.user
    is_reporter = report.reporter_id == user.pk
    can_handle = selectors.can_handle(user, report)
    following = report.followers.filter(user=user).exists()
    if not (is_reporter or can_handle or following):
        raise PermissionDenied
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "history": selectors.history(report),
            "photos": report.photos.all(),
            "is_reporter": is_reporter,
            "can_handle": can_handle,
            "overdue": report.is_open and report.due_at < timezone.now(),
            # Distinct ids: the page holds several forms with a "note" field.
            "note_form": NoteForm(auto_id="reopen_%s"),
            "resolve_form": ResolveForm(auto_id="resolve_%s"),
            "reject_form": RejectForm(auto_id="reject_%s"),
            "transfer_form": TransferForm(auto_id="transfer_%s"),
        },
    )


def _act(request, report_id, do, form_class=NoteForm):
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, "; ".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return redirect("reports:detail", report_id)
    try:
        do(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect("reports:detail", report_id)


@require_POST
@role_required(*STAFF_ROLES)
def accept_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_accept(user=request.user, report_id=report_id, note=d["note"]),
    )


@require_POST
@role_required(*STAFF_ROLES)
def start_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_start(user=request.user, report_id=report_id, note=d["note"]),
    )


@require_POST
@role_required(*STAFF_ROLES)
def resolve_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_resolve(
            user=request.user, report_id=report_id, note=d["note"], after_photo=d["after_photo"]
        ),
        ResolveForm,
    )


@require_POST
@role_required(*STAFF_ROLES)
def reject_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_reject(
            user=request.user,
            report_id=report_id,
            reason=d["reason"],
            note=d["note"],
            duplicate_of_id=d["duplicate_of"],
        ),
        RejectForm,
    )


@require_POST
@role_required(*STAFF_ROLES)
def transfer_view(request, report_id):
    def do(data):
        community = None
        if data["community_code"]:
            community = Community.objects.filter(code=data["community_code"].strip()).first()
            if community is None:
                raise ValidationError(_("No community has this code."))
        services.report_transfer(
            user=request.user, report_id=report_id, note=data["note"], community=community
        )

    return _act(request, report_id, do, TransferForm)


@require_POST
@login_required
def confirm_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_confirm(user=request.user, report_id=report_id),
    )


@require_POST
@login_required
def reopen_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_reopen(user=request.user, report_id=report_id, note=d["note"]),
    )


@require_POST
@role_required(Role.WORKER)
def follow_view(request, report_id):
    services.report_follow(user=request.user, report_id=report_id)
    messages.success(request, _("You will hear when this report changes. Thank you!"))
    return redirect("reports:detail", report_id)


@role_required(*STAFF_ROLES)
def console_view(request):
    state = request.GET.get("state") or ""
    category = request.GET.get("category") or ""
    overdue = request.GET.get("overdue") == "1"
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        action = request.POST.get("action")
        if action == "accept":
            n = services.reports_bulk_accept(user=request.user, report_ids=ids)
            messages.success(request, _("%(n)d reports accepted.") % {"n": n})
        elif action == "merge":
            original = request.POST.get("original", "")
            try:
                n = services.reports_merge(
                    user=request.user, original_id=int(original), duplicate_ids=ids
                )
                messages.success(
                    request, _("%(n)d reports merged into #%(id)s.") % {"n": n, "id": original}
                )
            except (ValueError, ValidationError, PermissionDenied) as exc:
                messages.error(
                    request,
                    _("Merge failed: %(why)s")
                    % {"why": " ".join(getattr(exc, "messages", [str(exc)]))},
                )
        return redirect(request.get_full_path())
    qs = selectors.officer_queue(
        user=request.user, state=state or None, category=category or None, overdue=overdue
    )
    page = window(qs, request.GET.get("page"), 30)  # no COUNT(*) over a city's queue
    markers = [
        {
            "id": r.pk,
            "lat": r.lat,
            "lng": r.lng,
            "state": r.state,
            "label": f"#{r.pk} {r.category.label}",
        }
        for r in page
    ]
    return render(
        request,
        "reports/console.html",
        {
            "page": page,
            "now": timezone.now(),
            "markers": markers,
            "states": State.choices,
            "categories": selectors.categories(),
            "filters": {"state": state, "category": category, "overdue": "1" if overdue else ""},
        },
    )


def public_view(request):
    category = request.GET.get("category") or ""
    reports = selectors.public_list(category=category or None, limit=300)
    markers = [
        {
            "id": r.pk,
            "lat": round(r.lat, 5),
            "lng": round(r.lng, 5),
            "state": r.state,
            "label": f"{r.category.label} · {r.get_state_display()}",
        }
        for r in reports
    ]
    return render(
        request,
        "reports/public.html",
        {
            "reports": reports[:50],
            "markers": markers,
            "categories": selectors.categories(),
            "filters": {"category": category},
        },
    )
