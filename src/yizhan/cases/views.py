"""Case pages: the worker's demands, the queues of dispatcher, department and platform, the
case page with its timeline and the forms of each step. Thin: parse, call, render.

A service's refusal is shown where it happened: beside the field of a form (which keeps what
was typed, `core.forms.add_service_errors`), or at the top of the case or mediation page,
re-rendered with the typed text still in the form that was sent."""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.cases import metrics_export, presenters, selectors, services
from yizhan.cases import permissions as perms
from yizhan.cases.forms import (
    CaseForm,
    ImportForm,
    QueueFilterForm,
    SymposiumDemandForm,
    SymposiumForm,
    WalkInForm,
)
from yizhan.cases.models import Case, Mediation
from yizhan.core import audit
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.forms import add_service_errors
from yizhan.core.listing import page_of, param_id
from yizhan.core.models import AuditLog

PAGE_SIZE = 50


def allowed_by(rule):
    """View decorator: logged in, and `rule(user)` from cases.permissions holds."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(request.user):
                raise NotAllowed
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@allowed_by(perms.can_file)
def my_cases_view(request):
    page = Paginator(selectors.cases_of_worker(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/mine.html", {"page": page, "filters": {}, "now": timezone.now()})


@allowed_by(perms.can_file)
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
        except (Invalid, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Demand #%(id)s is filed. It will be accepted by %(due)s; you will be told "
                    "of every step."
                )
                % {
                    "id": case.pk,
                    "due": date_format(timezone.localtime(case.accept_due_at), "Y-m-d H:i"),
                },
            )
            return redirect("cases:detail", case.pk)
    # A key per rendered form: a double-tapped submit files one case.
    token = request.POST.get("idempotency_key") or secrets.token_hex(16)
    return render(request, "cases/new.html", {"form": form, "token": token})


def _after_filing_for(request, case, again: str):
    """Staff who may open the case go to it; the others (a station keeper's or a legal-aid
    officer's walk-in desk) come back to the form, which shows the number to give the worker."""
    messages.success(request, _("Demand #%(id)s filed.") % {"id": case.pk})
    if perms.can_view(request.user, case):
        return redirect("cases:detail", case.pk)
    return redirect(f"{reverse(again)}?filed={case.pk}")


@allowed_by(perms.can_file_for_others)
def walk_in_view(request):
    form = WalkInForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_file_for(
                staff=request.user,
                channel=Case.Channel.WALK_IN,
                category=data["category"],
                description=data["description"],
                caller_name=data["name"],
                caller_mobile=data["mobile"],
                platform=data["platform"],
                withhold_identity=data["withhold_identity"],
                attachments=data["attachments"],
            )
        except (Invalid, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return _after_filing_for(request, case, "cases:walk_in")
    filed = selectors.filed_by(user=request.user, case_id=param_id(request.GET.get("filed")))
    return render(request, "cases/walk_in.html", {"form": form, "filed": filed})


@login_required
def claim_view(request, case_id):
    """The holder of a number confirms that a demand a desk filed under it is theirs."""
    case = selectors.case_to_claim(user=request.user, case_id=case_id)
    if request.method == "POST":
        services.case_claim(case=case, user=request.user)
        messages.success(request, _("The demand is in your account now."))
        return redirect("cases:detail", case.pk)
    return render(request, "cases/claim.html", {"case": case})


QUEUE_SESSION_KEY = "cases_queue"


def _queue(request, *, name, title, queryset_fn, show_department=True, default_sort="deadline"):
    form = QueueFilterForm(request.GET or None)
    filters = {k: v for k, v in request.GET.items() if k in selectors.QUEUE_FILTERS and v}
    sorting = selectors.queue_sorting(request.GET.get("sort"), default=default_sort)
    page = page_of(
        queryset_fn(user=request.user, filters=filters, sort=sorting),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    # The case page's "back to queue" and "next in queue" follow this view of the queue.
    remembered = {"name": name, "query": request.GET.urlencode()[:1000]}
    if request.session.get(QUEUE_SESSION_KEY) != remembered:
        request.session[QUEUE_SESSION_KEY] = remembered
    context = {
        "title": title,
        "form": form,
        "page": page,
        "headers": sorting.headers(request.GET, hide=() if show_department else ("department",)),
        "filtered": bool(filters),
        "now": timezone.now(),
        "show_department": show_department,
    }
    if request.htmx:
        return render(request, "cases/_queue_table.html", context)
    return render(request, "cases/queue.html", context)


@allowed_by(perms.can_use_dispatcher_queue)
def dispatcher_queue_view(request):
    return _queue(
        request,
        name="cases:queue",
        title=_("Work-order queue"),
        queryset_fn=selectors.dispatcher_queue,
    )


@allowed_by(perms.can_use_department_queue)
def department_queue_view(request):
    return _queue(
        request,
        name="cases:department_queue",
        title=_("My department's work orders"),
        queryset_fn=selectors.department_queue,
        show_department=False,
    )


@allowed_by(perms.can_use_platform_queue)
def platform_queue_view(request):
    return _queue(
        request,
        name="cases:platform_queue",
        title=_("Cases about my platform"),
        queryset_fn=selectors.platform_queue,
        default_sort="-created",
    )


def _queue_links(request, case) -> dict:
    """Where a member of staff goes from a case: back to the queue as they last filtered it,
    or on to the next case in it that waits for them."""
    user = request.user
    remembered = request.session.get(QUEUE_SESSION_KEY) or {}
    name, query = remembered.get("name"), remembered.get("query", "")
    may = selectors.QUEUES.get(name, (None,))[0]
    if may is None or not may(user):
        name, query = selectors.home_queue(user), ""
    if name is None:
        return {}
    params = QueryDict(query)
    filters = {k: v for k, v in params.items() if k in selectors.QUEUE_FILTERS and v}
    return {
        "back_url": reverse(name) + (f"?{query}" if query else ""),
        "queue_awaits": selectors.queue_awaits(name),
        "next_case": selectors.next_in_queue(
            user=user, queue=name, filters=filters, sort=params.get("sort"), exclude_id=case.pk
        ),
    }


def _case_page(request, case, *, failed_step="", error=None):
    steps = perms.allowed_steps(request.user, case)
    links = _queue_links(request, case)
    context = {
        # Staff read the case in their console; the worker on their phone.
        "base_template": _base_template(request.user) if links else "core/base.html",
        **links,
        # At a desk the steps stand beside the case; on a phone (or with none) below it.
        "two_columns": bool(links and steps),
        "case": case,
        "person": presenters.person_label(case, request.user),
        **presenters.case_texts(case, request.user),
        "timeline": presenters.timeline(
            case, selectors.history_for_viewer(user=request.user, case=case), request.user
        ),
        "steps": steps,
        "is_worker": perms.is_case_worker(request.user, case),
        "departments": selectors.departments() if {"dispatch", "reassign"} & set(steps) else [],
        "categories": selectors.active_categories() if "accept" in steps else [],
        "ratings": Case.Rating.choices,
        "attachments": selectors.attachments_for_viewer(user=request.user, case=case),
        "mediation": getattr(case, "mediation", None),
        # A refused step: its messages, and what was typed, back in the form it came from.
        "failed_step": failed_step,
        "typed": request.POST if failed_step else {},
        "step_errors": [m for _f, m in error.field_errors()] if error else [],
        **presenters.deadline_facts(case),
    }
    return render(request, "cases/case.html", context, status=error.status if error else 200)


@login_required
def case_view(request, case_id):
    return _case_page(request, selectors.case_for_viewer(user=request.user, case_id=case_id))


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _run_step(request, case, step):
    post, user = request.POST, request.user
    if step == "accept":
        category_id = _number(post.get("category", ""))
        return services.case_accept(
            case=case,
            actor=user,
            category=selectors.active_category(category_id=category_id) if category_id else None,
            urgent=post.get("urgent") == "on",
            note=post.get("note", ""),
        )
    if step == "dispatch":
        department_id = _number(post.get("department", ""))
        return services.case_dispatch(
            case=case,
            actor=user,
            department=selectors.department(department_id=department_id) if department_id else None,
            note=post.get("note", ""),
        )
    if step == "sign_for":
        return services.case_sign_for(case=case, actor=user)
    if step == "return":
        return services.case_return(case=case, actor=user, reason=post.get("reason", ""))
    if step == "handle":
        return services.case_handle(
            case=case,
            actor=user,
            note=post.get("note", ""),
            tell_worker=post.get("tell_worker") == "on",
        )
    if step == "request_extension":
        return services.case_request_extension(
            case=case,
            actor=user,
            days=_number(post.get("days", "")) or 0,
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
    if step == "urge":
        return services.case_urge(case=case, actor=user, note=post.get("note", ""))
    if step == "reassign":
        department_id = _number(post.get("department", ""))
        return services.case_reassign(
            case=case,
            actor=user,
            department=selectors.department(department_id=department_id) if department_id else None,
            reason=post.get("reason", ""),
        )
    raise Invalid(_("Unknown step."))


def _step_done(step: str, case, post) -> str:
    """What the step did, in one sentence naming the case (and the department it went to)."""
    dept = case.department.name if case.department_id else ""
    if step == "decide_extension":
        if post.get("approve") == "1":
            return _("Extension approved for #%(id)s: now due by %(due)s.") % {
                "id": case.pk,
                "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
            }
        return _("Extension refused for #%(id)s.") % {"id": case.pk}
    done = {
        "accept": _("Work order #%(id)s accepted."),
        "dispatch": _("Work order #%(id)s dispatched to %(dept)s."),
        "sign_for": _("You signed for work order #%(id)s."),
        "return": _("Work order #%(id)s returned to the dispatcher."),
        "handle": _("Handling note saved on #%(id)s."),
        "request_extension": _("Extension requested for #%(id)s: the dispatcher decides."),
        "reply": _("Reply to #%(id)s sent to the worker."),
        "follow_up": _("Rating of #%(id)s recorded."),
        "close": _("Work order #%(id)s closed."),
        "urge": _("Work order #%(id)s urged: the officers of %(dept)s were told."),
        "reassign": _("Work order #%(id)s reassigned to %(dept)s."),
    }
    return done.get(step, _("Done.")) % {"id": case.pk, "dept": dept}


@login_required
@require_POST
def case_step_view(request, case_id, step):
    case = selectors.case_for_viewer(user=request.user, case_id=case_id)
    try:
        done = _run_step(request, case, step)
    except (Invalid, Conflict) as exc:
        fresh = selectors.case_for_viewer(user=request.user, case_id=case_id)
        return _case_page(request, fresh, failed_step=step, error=exc)
    messages.success(request, _step_done(step, done or case, request.POST))
    return redirect("cases:detail", case.pk)


def _run_mediation_action(request, case, mediation):
    post, user = request.POST, request.user
    action = post.get("action")
    if action == "open":
        return services.mediation_open(case=case, actor=user, parties=post.get("parties", ""))
    if mediation and action == "session":
        held_at = parse_datetime(post.get("held_at", "") or "")
        if held_at is not None and timezone.is_naive(held_at):
            held_at = timezone.make_aware(held_at)
        return services.mediation_add_session(
            mediation=mediation,
            actor=user,
            held_at=held_at,
            place=post.get("place", ""),
            note=post.get("note", ""),
        )
    if mediation and action == "conclude":
        return services.mediation_conclude(
            mediation=mediation,
            actor=user,
            outcome=post.get("outcome", ""),
            note=post.get("note", ""),
        )
    raise Invalid(_("Unknown step."))


def _base_template(user) -> str:
    """Staff read cases in their console; the worker on their phone."""
    return "core/staff_base.html" if selectors.home_queue(user) else "core/base.html"


def _mediation_done(action, case) -> str:
    done = {
        "open": _("Mediation opened for #%(id)s."),
        "session": _("Session recorded for the mediation of #%(id)s."),
        "conclude": _("The mediation of #%(id)s is concluded."),
    }
    return done.get(action, _("Done.")) % {"id": case.pk}


@login_required
def mediation_view(request, case_id):
    case, mediation = selectors.mediation_for_viewer(user=request.user, case_id=case_id)
    error = None
    if request.method == "POST":
        try:
            _run_mediation_action(request, case, mediation)
        except (Invalid, Conflict) as exc:
            error = exc
            case, mediation = selectors.mediation_for_viewer(user=request.user, case_id=case_id)
        else:
            messages.success(request, _mediation_done(request.POST.get("action"), case))
            return redirect("cases:mediation", case.pk)
    shown = presenters.mediation_view(mediation, case, request.user)
    if shown["full"]:  # the mediating officer reads the parties unmasked: audited
        audit.record(
            actor=request.user,
            action=AuditLog.Action.PII_READ,
            subject=mediation,
            fields=["parties"],
            reason=f"mediation of case {case.pk}",
            request=request,
        )
    return render(
        request,
        "cases/mediation.html",
        {
            "base_template": _base_template(request.user),
            "case": case,
            "mediation": mediation,
            "shown": shown,
            "can_act": perms.can_mediate(request.user, case),
            "can_open": "mediate" in perms.allowed_steps(request.user, case),
            "outcomes": [c for c in Mediation.Outcome.choices if c[0] != Mediation.Outcome.PENDING],
            "failed_action": request.POST.get("action", "") if error else "",
            "typed": request.POST if error else {},
            "step_errors": [m for _f, m in error.field_errors()] if error else [],
        },
        status=error.status if error else 200,
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


@allowed_by(perms.can_import_hotline)
def hotline_import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.hotline_import(
            source=form.cleaned_data["source"],
            filename=upload.name,
            data=upload.content,  # read once, within the limit (ImportForm)
            actor=request.user,
            check_only=form.cleaned_data["check_only"],
        )
    return render(request, "cases/import.html", {"form": form, "report": report})


@allowed_by(perms.can_run_symposium)
def symposia_view(request):
    form = SymposiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            symposium = services.symposium_create(staff=request.user, **form.cleaned_data)
        except (Invalid, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("cases:symposium", symposium.pk)
    symposia = selectors.symposia_for_viewer(user=request.user)
    return render(request, "cases/symposia.html", {"form": form, "symposia": symposia})


@login_required
def symposium_view(request, symposium_id):
    symposium = selectors.symposium_for_viewer(user=request.user, symposium_id=symposium_id)
    form = SymposiumDemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_file_for(
                staff=request.user,
                channel=Case.Channel.SYMPOSIUM,
                symposium=symposium,
                category=data["category"],
                description=data["description"],
                caller_name=data["name"],
                caller_mobile=data["mobile"],
            )
        except (Invalid, Conflict) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Demand recorded. Add the next one."))
            return redirect("cases:symposium", symposium.pk)
    cases = selectors.symposium_cases(symposium)
    return render(
        request, "cases/symposium.html", {"symposium": symposium, "form": form, "cases": cases}
    )


@login_required
def attachment_view(request, case_id, attachment_id):
    """An attachment, to those who may see the case and the worker's identity; audited."""
    case, attachment = selectors.attachment_for_viewer(
        user=request.user, case_id=case_id, attachment_id=attachment_id
    )
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
