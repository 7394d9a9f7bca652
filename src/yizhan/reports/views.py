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
from django.http import QueryDict
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
from yizhan.core.listing import capped_count, param_choice, param_flag, param_id, param_text
from yizhan.core.paging import window
from yizhan.membership import selectors as membership
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
        communities=place_selectors.community_choices(value="code"),
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
            # The report's page says it was sent, to whom, and what it may earn (as it does
            # after the JavaScript sending, which lands on the same address).
            return redirect(reverse("reports:detail", args=[result.report.pk]) + "?sent=1")
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


def _mark_grid_members(reports) -> None:
    """Sets `by_grid_member` on each report: made by a part-time grid member of its community
    at the time (membership decides, one query for a page). Asked here, not in the selectors:
    membership's selectors read reports', so reports' must not read membership's."""
    found = membership.grid_members_among(
        [(r.reporter_id, r.community_id, r.created_at) for r in reports]
    )
    for r in reports:
        r.by_grid_member = (r.reporter_id, r.community_id) in found


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
    if permissions.can_handle(user, report):
        _mark_grid_members([report])
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
        "just_sent": is_reporter and request.GET.get("sent") == "1",
        "owner": _owner(report),
        "may_earn": (
            points_selectors.reward_for_report_category(report.category.code)
            if is_reporter and report.is_open
            else 0
        ),
        **_queue_links(request, report),
        **forms,
    }
    return render(request, "reports/detail.html", context, status=status)


def detail_view(request, report_id: int):
    return _detail(request, report_id)


def _act(request, report_id, do, form_name=None, *, done=None, to_queue=False):
    """Run one step from a form on the report page. A refusal is shown on that form (or, for a
    button without fields, as a message on the page); 403 and 404 go to their own pages.
    `done` is the sentence that says what happened (with %(id)s); `to_queue` goes back to
    the officer's queue (the report left it)."""
    form_class, auto_id = DETAIL_FORMS.get(form_name, (NoteForm, "id_%s"))
    form = form_class(request.POST, request.FILES, auto_id=auto_id)
    if form.is_valid():
        try:
            result = do(form.cleaned_data)
        except (NotAllowed, NotFound):
            raise
        except YizhanError as exc:
            if form_name is None:  # a button without fields: say why on the report's page
                messages.error(request, str(exc.message))
                return redirect("reports:detail", report_id)
            add_service_errors(form, exc)
        else:
            said = done(result) if callable(done) else (done or _("Done.")) % {"id": report_id}
            messages.success(request, said)
            if to_queue:
                query = request.session.get(QUEUE_SESSION_KEY, "")
                return redirect(reverse("reports:console") + (f"?{query}" if query else ""))
            return redirect("reports:detail", report_id)
    return _detail(request, report_id, **{form_name or "note_form": form})


def _transferred(report) -> str:
    if report.department_id:
        to = report.department.name
    elif report.community_id:
        to = report.community.name
    else:
        to = _("the city dispatcher")
    return _("Report #%(id)s transferred to %(to)s.") % {"id": report.pk, "to": to}


@require_POST
@role_required(*permissions.STAFF_ROLES)
def accept_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_accept(user=request.user, report_id=report_id, note=d["note"]),
        done=_("Report #%(id)s accepted."),
    )


@require_POST
@role_required(*permissions.STAFF_ROLES)
def start_view(request, report_id):
    return _act(
        request,
        report_id,
        lambda d: services.report_start(user=request.user, report_id=report_id, note=d["note"]),
        done=_("Work on report #%(id)s started."),
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
        done=_("Report #%(id)s resolved: the reporter is asked to confirm the fix."),
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
        done=_("Report #%(id)s rejected."),
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
        done=_transferred,
        to_queue=permissions.is_report_staff(request.user),
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
        messages.warning(request, _("Nothing was selected: tick the reports in the list first."))


def _console_post(request):
    ids = _ids(request.POST.getlist("ids"))
    action = request.POST.get("action")
    if action not in ("accept", "merge"):
        messages.error(request, _("Choose what to do with the selected reports."))
        return
    if not ids:
        messages.warning(request, _("Nothing was selected: tick the reports in the list first."))
        return
    try:
        if action == "accept":
            outcome = services.reports_bulk_accept(user=request.user, report_ids=ids)
            _tell_outcome(request, outcome, _("Accepted: %(ids)s."))
        else:
            typed = request.POST.get("original", "").strip().lstrip("#")
            original = _ids([typed])
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


QUEUE_SESSION_KEY = "reports_queue"


def _queue_filters(query) -> dict:
    """The queue's filters from a query string, each ignored when it does not parse."""
    category = selectors.category_by_code(query.get("category") or "")
    return {
        "state": param_choice(query.get("state"), State.values) or None,
        "category": category.code if category else None,
        "overdue": param_flag(query.get("overdue")),
        "community_id": param_id(query.get("community")),
        "number": param_id(param_text(query.get("q"), max_length=20).lstrip("#")),
        "sort": query.get("sort"),
    }


@role_required(*permissions.STAFF_ROLES)
def console_view(request):
    if request.method == "POST":
        _console_post(request)
        return redirect(request.get_full_path())
    filters = _queue_filters(request.GET)
    sorting = selectors.queue_sorting(filters["sort"])
    qs = selectors.officer_queue(user=request.user, **{**filters, "sort": sorting})
    page = window(qs, request.GET.get("page"), 50)  # no COUNT(*) over a city's queue…
    count, more = capped_count(qs)  # …but how many, up to a thousand
    for r in page:
        r.place = _place(r)
    _mark_grid_members(page)
    # The report page's "back to queue" and "next in queue" follow this view of the queue.
    remembered = request.GET.urlencode()[:1000]
    if request.session.get(QUEUE_SESSION_KEY) != remembered:
        request.session[QUEUE_SESSION_KEY] = remembered
    categories = selectors.categories()
    markers = _queue_markers(qs, {c.pk: c.label for c in categories})
    return render(
        request,
        "reports/console.html",
        {
            "page": page,
            "count": count,
            "count_more": more,
            "headers": sorting.headers(request.GET),
            "now": timezone.now(),
            "markers_json": _json_script(markers, "queue-markers-data"),
            "states": State.choices,
            "categories": categories,
            "communities": selectors.queue_communities(request.user),
            "filtered": any(
                filters[k] for k in ("state", "category", "overdue", "community_id", "number")
            ),
            "filters": {
                "state": filters["state"] or "",
                "category": filters["category"] or "",
                "overdue": "1" if filters["overdue"] else "",
                "community": str(filters["community_id"] or ""),
                "q": request.GET.get("q", "")[:20],
            },
        },
    )


def _queue_links(request, report) -> dict:
    """Back to the officer's queue as they last filtered it, and the next report in it."""
    if not permissions.can_handle(request.user, report) or not permissions.is_report_staff(
        request.user
    ):
        return {}
    query = request.session.get(QUEUE_SESSION_KEY, "")
    filters = _queue_filters(QueryDict(query))
    return {
        "base_template": "core/staff_base.html",
        "back_url": reverse("reports:console") + (f"?{query}" if query else ""),
        "next_report": selectors.next_in_queue(
            user=request.user, filters=filters, exclude_id=report.pk
        ),
    }


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
