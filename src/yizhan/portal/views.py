"""Pages above the feature apps: home, privacy notice, inbox, the communities a person serves."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import Role, can_view_community, has_role, role_required
from yizhan.core import notifications
from yizhan.core.errors import NotAllowed, NotFound
from yizhan.core.listing import Sorting, page_of, param_id, param_text
from yizhan.places import selectors as places
from yizhan.portal import selectors
from yizhan.reports.permissions import is_report_staff

COMMUNITY_ROLES = (Role.GRID_OFFICER, Role.CITY_ADMIN, Role.DISPATCHER, Role.DISTRICT_OFFICER)


def home_view(request):
    if has_role(request.user, Role.WORKER):
        return render(request, "portal/home_worker.html", selectors.worker_home(request.user))
    entries = selectors.home_entries(request.user)
    if selectors.works_at_a_desk(request.user):
        # Staff land in their console: the side menu, and their work as tiles.
        return render(
            request,
            "portal/staff_home.html",
            {
                "main_entries": [e for e in entries if e.main],
                "entries": [e for e in entries if not e.main],
            },
        )
    return render(
        request,
        "portal/home.html",
        {
            "main_entries": [e for e in entries if e.main],
            "entries": [e for e in entries if not e.main],
        },
    )


def privacy_view(request):
    return render(request, "portal/privacy.html")


@login_required
def inbox_view(request):
    """The person's notifications, newest first, each in the reader's language."""
    page = selectors.inbox_page(user=request.user, page=request.GET.get("page"))
    return render(request, "portal/inbox.html", {"page": page, "filters": {}})


@login_required
def inbox_open_view(request, notification_id: int):
    """Opening a notification marks it read and goes where it points."""
    note = notifications.mark_read(user=request.user, notification_id=notification_id)
    if note is None:
        raise NotFound
    target = note.url or "inbox"
    if note.url and not url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        target = "inbox"
    return redirect(target)


@login_required
@require_POST
def inbox_read_view(request):
    notifications.mark_all_read(user=request.user)
    return redirect("inbox")


@role_required(*COMMUNITY_ROLES)
def communities_view(request):
    q = param_text(request.GET.get("q"), max_length=50)
    district_id = param_id(request.GET.get("district"))
    sorting = Sorting(selectors.COMMUNITY_COLUMNS, request.GET.get("sort"), default="code")
    communities = selectors.communities_for_viewer(
        user=request.user, q=q, district_id=district_id, sort=sorting
    )
    page = page_of(communities, request.GET.get("page"), 50)
    open_counts = selectors.open_reports(community_ids=[c.pk for c in page])
    return render(
        request,
        "portal/communities.html",
        {
            "page": page,
            "rows": [(c, open_counts.get(c.pk, 0)) for c in page],
            "headers": sorting.headers(request.GET),
            "q": q,
            "district": str(district_id or ""),
            "districts": places.districts() if page.paginator.count > 1 else [],
            "filtered": bool(q or district_id),
            "handles_reports": is_report_staff(request.user),
        },
    )


@role_required(*COMMUNITY_ROLES)
def community_view(request, community_id: int):
    community = places.community_get(community_id=community_id)
    if community is None:
        raise NotFound
    if not can_view_community(request.user, community):
        raise NotAllowed
    geojson = places.feature_collection([community])
    return render(
        request,
        "portal/community.html",
        {
            "community": community,
            "geojson": geojson,
            "open_reports": selectors.open_reports(community_ids=[community.pk]).get(
                community.pk, 0
            ),
            "handles_reports": is_report_staff(request.user),
        },
    )
