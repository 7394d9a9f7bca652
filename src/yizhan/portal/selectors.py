"""What the portal reads: the home page's entries, the inbox, the communities a person serves."""

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.accounts.permissions import Role, roles, scope_ids
from yizhan.core import nav
from yizhan.core.listing import Column
from yizhan.core.models import Notification
from yizhan.places import selectors as places
from yizhan.reports import selectors as reports


def home_entries(user) -> list[nav.Entry]:
    return nav.entries_for(user, roles(user), nav.TILE)


def worker_home(user) -> dict:
    """A worker's home page, as the city's service apps (浙里办, 随申办) draw one: the main
    action first, then what is in progress for them, then every other service as an icon."""
    from yizhan.cases import selectors as cases
    from yizhan.points import selectors as points
    from yizhan.reports import selectors as reports

    entries = nav.entries_for(user, roles(user), nav.TILE)
    figures = points.worker_balance(user)
    waiting = points.worker_redemptions(user, open_only=True).count()
    status = [
        (_("Points"), figures["balance"], "points:mine"),
        (_("Reports in progress"), reports.open_count_of(user=user), "reports:mine"),
        (_("Open demands"), cases.open_count_of_worker(user=user), "cases:mine"),
    ]
    if waiting:
        status.append((_("To pick up"), waiting, "points:mine"))
    return {
        "main_entries": [e for e in entries if e.main],
        "icons": [e for e in entries if not e.main],
        "status": [
            {"label": label, "value": value, "url": reverse(url)} for label, value, url in status
        ],
    }


def works_at_a_desk(user) -> bool:
    """Staff without a worker's profile: their home is the staff console."""
    held = roles(user)
    if not held or Role.WORKER in held:
        return False
    return bool(nav.entries_for(user, held, nav.MENU))


def inbox_page(*, user, page=None):
    qs = Notification.objects.filter(recipient=user)
    return Paginator(qs, 30).get_page(page)


def communities_for_viewer(*, user, q: str = "", district_id=None, sort=None):
    """City-wide staff see every community (searchable); a district officer their district's;
    a grid officer their own. Ordered by code unless `sort` (a core.listing.Sorting) says."""
    held = roles(user)
    if held & {Role.CITY_ADMIN, Role.DISPATCHER}:
        qs = places.communities_search(q=q)
    elif Role.DISTRICT_OFFICER in held:
        district_ids = scope_ids(user, Role.DISTRICT_OFFICER, "district")
        qs = places.communities_search(q=q, district_ids=district_ids)
    else:
        ids = scope_ids(user, Role.GRID_OFFICER, "community")
        qs = places.communities_search(q=q, community_ids=ids)
    if district_id:
        qs = qs.filter(subdistrict__district_id=district_id)
    return qs.order_by(*sort.order_by()) if sort is not None else qs


COMMUNITY_COLUMNS = [
    Column("name", gettext_lazy("Community"), ("name", "code")),
    Column("district", gettext_lazy("District"), ("subdistrict__district__code", "code")),
    Column("subdistrict", gettext_lazy("Subdistrict"), ("subdistrict__code", "code")),
    Column("code", gettext_lazy("Code"), ("code",)),
    Column("open", gettext_lazy("Open reports"), numeric=True),
]


def open_reports(*, community_ids) -> dict[int, int]:
    return reports.open_counts_by_community(community_ids=community_ids)
