"""Case pages: the worker's demands, the queues of dispatcher, department and platform, the
case page with its timeline and the forms of each step. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts.models import Role, User
from yizhan.accounts.permissions import role_required
from yizhan.cases import hotline, metrics_export, presenters, selectors, services
from yizhan.cases import permissions as perms
from yizhan.cases.forms import (
    CaseForm,
    ImportForm,
    QueueFilterForm,
    SymposiumDemandForm,
    SymposiumForm,
    WalkInForm,
)
from yizhan.cases.models import Case, Mediation, Symposium
from yizhan.core import audit
from yizhan.core.models import AuditLog
from yizhan.core.pii import blind_index
from yizhan.orgs.models import Department

PAGE_SIZE = 25


def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


@role_required(Role.WORKER)
def my_cases_view(request):
    page = Paginator(selectors.cases_of_worker(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/mine.html", {"page": page, "filters": {}, "now": timezone.now()})


@role_required(Role.WORKER)
def case_new_view(request):
    form = CaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _created = services.case_submit(
                worker=request.user,
                category=data["category"],
                description=data["description"],
                platform=data["platform"],
                withhold_identity=data["withhold_identity"],
                attachments=data["attachments"],
                idempotency_key=request.POST.get("idempotency_key", "")[:64],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Your demand was filed. You will be told of every step."))
            return redirect("cases:detail", case.pk)
    return render(request, "cases/new.html", {"form": form, "token": _form_token()})


def _form_token() -> str:
    """An idempotency key per rendered form: a double-tapped submit files one case."""
    import secrets

    return secrets.token_hex(16)


@login_required
def walk_in_view(request):
    if not perms.can_file_for_others(request.user):
        raise PermissionDenied
    form = WalkInForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        worker = User.objects.filter(mobile_index=blind_index(data["mobile"])).first()
        try:
            case = services.case_file_for(
                staff=request.user,
                channel=Case.Channel.WALK_IN,
                category=data["category"],
                description=data["description"],
                worker=worker if worker and hasattr(worker, "worker") else None,
                caller_name=data["name"],
                caller_mobile=data["mobile"],
                platform=data["platform"],
                withhold_identity=data["withhold_identity"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Demand #%(id)s filed.") % {"id": case.pk})
            return redirect("cases:detail", case.pk)
    return render(request, "cases/walk_in.html", {"form": form})


def _queue(request, *, title, queryset_fn, show_department=True):
    form = QueueFilterForm(request.GET or None)
    filters = {k: v for k, v in request.GET.items() if k in selectors.QUEUE_FILTERS and v}
    qs = queryset_fn(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/queue.html",
        {
            "title": title,
            "form": form,
            "page": page,
            "filters": filters,
            "now": timezone.now(),
            "show_department": show_department,
        },
    )


@role_required(Role.DISPATCHER, Role.CITY_ADMIN)
def dispatcher_queue_view(request):
    return _queue(request, title=_("Work-order queue"), queryset_fn=selectors.dispatcher_queue)


@role_required(Role.DEPARTMENT_OFFICER)
def department_queue_view(request):
    return _queue(
        request,
        title=_("My department's work orders"),
        queryset_fn=selectors.department_queue,
        show_department=False,
    )


@role_required(Role.PLATFORM_REP)
def platform_queue_view(request):
    return _queue(request, title=_("Cases about my platform"), queryset_fn=selectors.platform_queue)


@login_required
def case_view(request, case_id):
    case = selectors.case_for_viewer(user=request.user, case_id=case_id)
    steps = services.allowed_steps(request.user, case)
    events = selectors.case_history(case)
    context = {
        "case": case,
        "person": presenters.person_label(case, request.user),
        "timeline": presenters.timeline(case, events, request.user),
        "steps": steps,
        "departments": Department.objects.all() if "dispatch" in steps else [],
        "categories": selectors.active_categories() if "accept" in steps else [],
        "ratings": Case.Rating.choices,
        "attachments": case.attachments.all() if perms.sees_identity(request.user, case) else [],
        "mediation": getattr(case, "mediation", None),
        **presenters.deadline_facts(case),
    }
    return render(request, "cases/case.html", context)


def _run_step(request, case, step):
    post, user = request.POST, request.user
    if step == "accept":
        category = post.get("category")
        return services.case_accept(
            case=case,
            actor=user,
            category=selectors.active_categories().filter(pk=category).first()
            if category and category.isdigit()
            else None,
            urgent=post.get("urgent") == "on",
            note=post.get("note", ""),
        )
    if step == "dispatch":
        department = post.get("department", "")
        department = (
            Department.objects.filter(pk=department).first() if department.isdigit() else None
        )
        if department is None:
            raise ValidationError(_("Choose a department."))
        return services.case_dispatch(
            case=case, actor=user, department=department, note=post.get("note", "")
        )
    if step == "sign_for":
        return services.case_sign_for(case=case, actor=user)
    if step == "return":
        return services.case_return(case=case, actor=user, reason=post.get("reason", ""))
    if step == "handle":
        return services.case_handle(case=case, actor=user, note=post.get("note", ""))
    if step == "request_extension":
        days = post.get("days", "")
        return services.case_request_extension(
            case=case,
            actor=user,
            days=int(days) if days.isdigit() else 0,
            reason=post.get("reason", ""),
        )
    if step == "decide_extension":
        return services.case_decide_extension(
            case=case, actor=user, approve=post.get("approve") == "1", note=post.get("note", "")
        )
    if step == "reply":
        return services.case_reply(case=case, actor=user, text=post.get("text", ""))
    if step == "follow_up":
        return services.case_follow_up(
            case=case, actor=user, rating=post.get("rating", ""), note=post.get("note", "")
        )
    if step == "close":
        return services.case_close(case=case, actor=user, note=post.get("note", ""))
    raise ValidationError(_("Unknown step."))


@login_required
@require_POST
def case_step_view(request, case_id, step):
    case = selectors.case_for_viewer(user=request.user, case_id=case_id)
    try:
        _run_step(request, case, step)
    except (ValidationError, services.IllegalStep) as exc:
        messages.error(
            request, exc.message if isinstance(exc, services.IllegalStep) else _errors(exc)
        )
    else:
        messages.success(request, _("Done."))
    return redirect("cases:detail", case.pk)


@login_required
def mediation_view(request, case_id):
    case = selectors.case_for_viewer(user=request.user, case_id=case_id)
    mediation = Mediation.objects.filter(case=case).first()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "open":
                services.mediation_open(
                    case=case, actor=request.user, parties=request.POST.get("parties", "")
                )
            elif mediation and action == "session":
                held_at = parse_datetime(request.POST.get("held_at", "") or "")
                if held_at is None:
                    raise ValidationError(_("Enter when the session was held."))
                if timezone.is_naive(held_at):
                    held_at = timezone.make_aware(held_at)
                services.mediation_add_session(
                    mediation=mediation,
                    actor=request.user,
                    held_at=held_at,
                    place=request.POST.get("place", ""),
                    note=request.POST.get("note", ""),
                )
            elif mediation and action == "conclude":
                services.mediation_conclude(
                    mediation=mediation,
                    actor=request.user,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                )
            else:
                raise ValidationError(_("Unknown step."))
        except (ValidationError, services.IllegalStep) as exc:
            messages.error(
                request, exc.message if isinstance(exc, services.IllegalStep) else _errors(exc)
            )
        else:
            messages.success(request, _("Done."))
        return redirect("cases:mediation", case.pk)
    return render(
        request,
        "cases/mediation.html",
        {
            "case": case,
            "mediation": mediation,
            "sessions": mediation.sessions.all() if mediation else [],
            "can_act": perms.is_case_officer(request.user, case),
            "can_open": "mediate" in services.allowed_steps(request.user, case),
            "outcomes": [c for c in Mediation.Outcome.choices if c[0] != Mediation.Outcome.PENDING],
        },
    )


@login_required
def metrics_view(request):
    tables = selectors.metrics(user=request.user)
    return render(request, "cases/metrics.html", {"tables": tables})


@login_required
def metrics_export_view(request):
    tables = selectors.metrics(user=request.user)
    response = HttpResponse(
        metrics_export.workbook_bytes(tables),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="case-metrics.xlsx"'
    return response


@role_required(Role.DISPATCHER)
def hotline_import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = hotline.import_file(
            source=form.cleaned_data["source"],
            filename=upload.name,
            data=upload.read(),
            actor=request.user,
            check_only=form.cleaned_data["check_only"],
        )
    return render(request, "cases/import.html", {"form": form, "report": report})


@login_required
def symposia_view(request):
    if not perms.can_run_symposium(request.user):
        raise PermissionDenied
    form = SymposiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        symposium = Symposium.objects.create(facilitator=request.user, **form.cleaned_data)
        return redirect("cases:symposium", symposium.pk)
    recent = Symposium.objects.all()[:20]
    return render(request, "cases/symposia.html", {"form": form, "symposia": recent})


@login_required
def symposium_view(request, symposium_id):
    if not perms.can_run_symposium(request.user):
        raise PermissionDenied
    symposium = get_object_or_404(Symposium, pk=symposium_id)
    form = SymposiumDemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        worker = (
            User.objects.filter(mobile_index=blind_index(data["mobile"])).first()
            if data["mobile"]
            else None
        )
        try:
            services.case_file_for(
                staff=request.user,
                channel=Case.Channel.SYMPOSIUM,
                symposium=symposium,
                category=data["category"],
                description=data["description"],
                worker=worker if worker and hasattr(worker, "worker") else None,
                caller_name=data["name"],
                caller_mobile=data["mobile"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Demand recorded. Add the next one."))
            return redirect("cases:symposium", symposium.pk)
    cases = symposium.cases.select_related("category").order_by("id")
    return render(
        request, "cases/symposium.html", {"symposium": symposium, "form": form, "cases": cases}
    )


@login_required
def attachment_view(request, case_id, attachment_id):
    """An attachment, to those who may see the case and the worker's identity; audited."""
    case = selectors.case_for_viewer(user=request.user, case_id=case_id)
    if not perms.sees_identity(request.user, case):
        raise PermissionDenied
    attachment = get_object_or_404(case.attachments, pk=attachment_id)
    if request.user.pk != case.worker_id:
        audit.record(
            actor=request.user,
            action=AuditLog.Action.PII_READ,
            subject=attachment,
            fields=["file"],
            reason=f"case {case.pk}",
            request=request,
        )
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
