"""Report pages: thin views over services and selectors. Who may do what is asked of
`reports.permissions` (through the services and selectors); a refused step is shown on the
form it came from, beside its field, with what was typed kept."""

import json
import math
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import Role, role_required
from yizhan.core.errors import NotAllowed, NotFound, YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.core.geo import to_wgs84
from yizhan.core.paging import window
from yizhan.places import selectors as place_selectors
from yizhan.points import selectors as points_selectors
from yizhan.reports import permissions, selectors, services
from yizhan.reports.forms import NoteForm, RejectForm, ReportForm, ResolveForm, TransferForm
from yizhan.reports.models import Report, State

# The detail page's forms: context name → (form class, id prefix). Distinct ids: the page
# holds several forms with a "note" field.
DETAIL_FORMS = {
    "reopen_form": (NoteForm, "reopen_%s"),
    "resolve_form": (ResolveForm, "resolve_%s"),
    "reject_form": (RejectForm, "reject_%s"),
    "transfer_form": (TransferForm, "transfer_%s"),
}


@role_required(Role.WORKER)
def new_view(request):
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        initial={"idempotency_key": uuid.uuid4().hex},
        rewards=points_selectors.report_rewards(),
        communities=place_selectors.community_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.report_submit(
                reporter=request.user,
                category=data["category"],
                lat=data["lat"],
                lng=data["lng"],
                crs=data["crs"] or "wgs84",
                description=data["description"],
                photos=data["photos"],
                use_photo_location=data["use_photo_location"],
                client_key=data["idempotency_key"],
                address=data["address"],
                place=data["place"],
                community_code=data["community"],
            )
        except YizhanError as exc:
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


def _point(query) -> tuple[float, float] | None:
    try:
        lat, lng = float(query["lat"]), float(query["lng"])
        if not (math.isfinite(lat) and math.isfinite(lng)):
            return None
        lng, lat = to_wgs84(lng, lat, query.get("crs", "wgs84"))
    except (KeyError, ValueError):
        return None
    return lat, lng


def nearby_view(request):
    """htmx partial: open reports of the chosen category near the chosen spot."""
    category = selectors.category_by_code(request.GET.get("category", ""))
    point = _point(request.GET)
    found = []
    if category is not None and point is not None:
        found = selectors.nearby_open(category=category, lat=point[0], lng=point[1])[:5]
    return render(request, "reports/_nearby.html", {"nearby": found})


@login_required
def mine_view(request):
    page = Paginator(selectors.mine(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "reports/mine.html", {"page": page, "filters": {}})


def _place(report: Report):
    """Where the report is, in words (district › subdistrict › community, near a station or
    landmark, the reporter's address)."""
    return place_selectors.describe_point(lat=report.lat, lng=report.lng, address=report.address)


def _detail(request, report_id: int, *, status=200, **bound_forms):
    """The report page as this viewer may see it; `bound_forms` replace the empty forms when
    a step was refused, so the page shows the errors and keeps what was typed."""
    user = request.user
    report = selectors.report_for_viewer(user=user, report_id=report_id)
    is_reporter = permissions.is_reporter(user, report)
    following = selectors.is_following(user=user, report=report)
    forms = {name: cls(auto_id=auto_id) for name, (cls, auto_id) in DETAIL_FORMS.items()}
    forms.update(bound_forms)
    place = _place(report)
    context = {
        "report": report,
        "place": place,
        "pin": {
            "lat": report.lat if report.full_view else round(report.lat, 5),
            "lng": report.lng if report.full_view else round(report.lng, 5),
            "label": f"#{report.pk} {report.category.label}",
            "zoom": 15 if report.location_is_approximate else 16,
            "near": (
                {"lat": place.near.lat, "lng": place.near.lng, "label": place.near.name}
                if place.near
                else None
            ),
        },
        "navigate": report.full_view and not is_reporter,
        "history": selectors.history_for_viewer(user=user, report=report),
        "photos": report.photos.all(),
        "is_reporter": is_reporter,
        "can_handle": permissions.can_handle(user, report),
        "can_follow": (not is_reporter and not following and permissions.can_follow(user, report)),
        "following": following,
        "overdue": report.is_open and report.due_at < timezone.now(),
        "reopen_days": settings.REPORTS_AUTOCLOSE_DAYS,
        **forms,
    }
    return render(request, "reports/detail.html", context, status=status)


def detail_view(request, report_id: int):
    return _detail(request, report_id)


def _act(request, report_id, do, form_name=None):
    """Run one step from a form on the report page. A refusal is shown on that form (or, for a
    button without fields, as a message on the page); 403 and 404 go to their own pages."""
    form_class, auto_id = DETAIL_FORMS.get(form_name, (NoteForm, "id_%s"))
    form = form_class(request.POST, request.FILES, auto_id=auto_id)
    if form.is_valid():
        try:
            do(form.cleaned_data)
        except (NotAllowed, NotFound):
            raise
        except YizhanError as exc:
            if form_name is None:  # a button without fields: say why on the report's page
                messages.error(request, str(exc.message))
                return redirect("reports:detail", report_id)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect("reports:detail", report_id)
    return _detail(request, report_id, **{form_name or "note_form": form})


@require_POST
@role_required(*permissions.STAFF_ROLES)
def accept_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_accept(user=request.user, report_id=report_id, note=d["note"]),
    )


@require_POST
@role_required(*permissions.STAFF_ROLES)
def start_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_start(user=request.user, report_id=report_id, note=d["note"]),
    )


@require_POST
@role_required(*permissions.STAFF_ROLES)
def resolve_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_resolve(
            user=request.user, report_id=report_id, note=d["note"], after_photo=d["after_photo"]
        ),
        "resolve_form",
    )


@require_POST
@role_required(*permissions.STAFF_ROLES)
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
        "reject_form",
    )


@require_POST
@role_required(*permissions.STAFF_ROLES)
def transfer_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_transfer(
            user=request.user,
            report_id=report_id,
            note=d["note"],
            community_code=d["community_code"],
        ),
        "transfer_form",
    )


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
        "reopen_form",
    )


@require_POST
@login_required
def follow_view(request, report_id):
    services.report_follow(user=request.user, report_id=report_id)
    messages.success(request, _("You will hear when this report changes. Thank you!"))
    return redirect("reports:detail", report_id)


def _ids(values) -> list[int]:
    """Report numbers from a form (at most 18 digits each: nothing overflows the database)."""
    return [int(v) for v in values if v.isdigit() and len(v) <= 18]


def _tell_outcome(request, outcome, done_message, **params) -> None:
    """Which reports the bulk step changed, and for each one it left, why."""
    if outcome.done:
        ids = ", ".join(f"#{i}" for i in outcome.done)
        messages.success(request, done_message % {"ids": ids, **params})
    for report_id, error in outcome.refused.items():
        messages.warning(
            request,
            _("#%(id)s was left as it is: %(why)s") % {"id": report_id, "why": error.message},
        )
    if not outcome.done and not outcome.refused:
        messages.warning(request, _("Choose reports in the list first."))


def _console_post(request):
    ids = _ids(request.POST.getlist("ids"))
    action = request.POST.get("action")
    try:
        if action == "accept":
            outcome = services.reports_bulk_accept(user=request.user, report_ids=ids)
            _tell_outcome(request, outcome, _("Accepted: %(ids)s."))
        elif action == "merge":
            original = _ids([request.POST.get("original", "").strip()])
            if not original:
                messages.error(request, _("Give the number of the original report."))
                return
            outcome = services.reports_merge(
                user=request.user, original_id=original[0], duplicate_ids=ids
            )
            _tell_outcome(
                request,
                outcome,
                _("Merged into #%(id)s: %(ids)s."),
                id=original[0],
            )
    except YizhanError as exc:
        messages.error(request, _("Nothing was changed: %(why)s") % {"why": exc.message})


def _json_script(value, element_id: str):
    """`json_script`, compact: UTF-8 rather than \\u escapes and no spaces, which halves the
    queue map's 2,000 markers (350 KB → 150 KB) and the time to write them. The same three
    characters are escaped, with `replace` (`str.translate` is slow on non-ASCII text)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html(
        '<script id="{}" type="application/json">{}</script>',
        element_id,
        mark_safe(text),  # noqa: S308 - JSON with <, > and & escaped, as json_script does
    )


def _queue_markers(queue, labels: dict) -> list[dict]:
    """Every open item of the queue (the filters applied, up to 2,000), not just this page,
    for its map: plain rows, each category's label looked up once and one URL reversed for
    all — a model instance, a translation and a `reverse` per report cost more than the
    rest of the page together at a city's million reports (docs/BENCHMARKS.md)."""
    placeholder = 2_147_483_647
    url = reverse("reports:detail", args=[placeholder])
    head, tail = url.split(str(placeholder), 1)
    rows = selectors.open_on_map(queue=queue).values_list(
        "id", "lat", "lng", "state", "category_id", "community__name"
    )
    return [
        {
            "id": pk,
            "lat": lat,
            "lng": lng,
            "state": state,
            "label": f"#{pk} {labels.get(category_id, '')}"
            + (f" · {community}" if community else ""),
            "url": f"{head}{pk}{tail}",
        }
        for pk, lat, lng, state, category_id, community in rows
    ]


@role_required(*permissions.STAFF_ROLES)
def console_view(request):
    if request.method == "POST":
        _console_post(request)
        return redirect(request.get_full_path())
    state = request.GET.get("state") or ""
    state = state if state in State.values else ""
    category = selectors.category_by_code(request.GET.get("category") or "")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.officer_queue(
        user=request.user,
        state=state or None,
        category=category.code if category else None,
        overdue=overdue,
    )
    page = window(qs, request.GET.get("page"), 30)  # no COUNT(*) over a city's queue
    for r in page:
        r.place = _place(r)
    categories = selectors.categories()
    markers = _queue_markers(qs, {c.pk: c.label for c in categories})
    return render(
        request,
        "reports/console.html",
        {
            "page": page,
            "now": timezone.now(),
            "markers_json": _json_script(markers, "queue-markers-data"),
            "states": State.choices,
            "categories": categories,
            "filters": {
                "state": state,
                "category": category.code if category else "",
                "overdue": "1" if overdue else "",
            },
        },
    )


def public_view(request):
    category = selectors.category_by_code(request.GET.get("category") or "")
    reports = list(selectors.public_list(category=category.code if category else None, limit=300))
    for r in reports[:50]:
        r.place = _place(r)
    markers = [
        {
            "id": r.pk,
            "lat": round(r.lat, 5),
            "lng": round(r.lng, 5),
            "state": r.state,
            "label": f"{r.category.label} · {r.get_state_display()}",
            "url": reverse("reports:detail", args=[r.pk]),
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
            "filters": {"category": category.code if category else ""},
        },
    )
