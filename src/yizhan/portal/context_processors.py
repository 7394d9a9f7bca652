"""The navigation every page draws: the worker's tab bar and the staff side menu."""

from itertools import groupby

from yizhan.accounts.permissions import roles
from yizhan.core import nav


def navigation(request):
    user = getattr(request, "user", None)
    held = roles(user) if user is not None else set()
    menu = nav.entries_for(user, held, nav.MENU)
    groups = [
        (group, list(items))
        for group, items in groupby(
            sorted(menu, key=lambda e: (e.order // 100, e.order)), key=lambda e: str(e.group)
        )
    ]
    return {
        "NAV_TABS": nav.entries_for(user, held, nav.TAB)[:5],
        "NAV_MENU": groups,
        "MY_ROLES": held,
        "CURRENT_PATH": request.path,
    }
