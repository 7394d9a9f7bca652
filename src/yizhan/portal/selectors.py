"""What the portal reads: the home page's entries, the inbox, the communities a person serves."""

from django.core.paginator import Paginator

from yizhan.accounts.permissions import Role, roles, scope_ids
from yizhan.core import nav
from yizhan.core.models import Notification
from yizhan.places import selectors as places


def home_entries(user) -> list[nav.Entry]:
    return nav.entries_for(user, roles(user), nav.TILE)


def inbox_page(*, user, page=None):
    qs = Notification.objects.filter(recipient=user)
    return Paginator(qs, 30).get_page(page)


def communities_for_viewer(*, user, q: str = ""):
    """City-wide staff see every community (searchable); a district officer their district's;
    a grid officer their own."""
    held = roles(user)
    if held & {Role.CITY_ADMIN, Role.DISPATCHER}:
        return places.communities_search(q=q)
    if Role.DISTRICT_OFFICER in held:
        district_ids = scope_ids(user, Role.DISTRICT_OFFICER, "district")
        return places.communities_search(q=q, district_ids=district_ids)
    ids = scope_ids(user, Role.GRID_OFFICER, "community")
    return places.communities_search(q=q, community_ids=ids)
