"""Membership and check-in on the home page, in the tab bar and in the staff menu."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.accounts.permissions import Role
from yizhan.core.nav import ANYONE, MENU, TILE, Entry

MEMBERSHIP = _("Membership")


def _console(user) -> bool:
    from yizhan.membership.permissions import uses_console

    return uses_console(user)


def _grid_member(user) -> bool:
    from yizhan.membership.selectors import my_appointments

    return any(a.state == "active" for a in my_appointments(user))


ENTRIES = [
    Entry(
        "membership.mine",
        _("My membership"),
        "membership:mine",
        roles={Role.WORKER},
        hint=_("Union, party and team cards; check in when you move"),
        icon="id-badge-2",
        order=45,
    ),
    Entry(
        "membership.check_in",
        pgettext_lazy("membership", "Check in here"),
        "membership:check_in",
        roles={Role.WORKER},
        hint=_("One step: move your membership to where you work now"),
        icon="map-pin",
        order=46,
    ),
    Entry(
        "membership.grid",
        _("My grid"),
        "membership:grid",
        roles={Role.WORKER},
        hint=_("Open hazard reports where you are a grid member"),
        icon="layout-grid",
        order=47,
        when=_grid_member,
    ),
    Entry(
        "membership.console",
        _("Organisation console"),
        "membership:console",
        roles={ANYONE},
        hint=_("Applications, check-ins, members and rosters"),
        icon="sitemap",
        places={TILE, MENU},
        group=MEMBERSHIP,
        order=500,
        when=_console,
    ),
    Entry(
        "membership.coverage",
        _("Membership coverage"),
        "membership:coverage",
        roles={Role.CITY_ADMIN, Role.DISPATCHER, Role.DISTRICT_OFFICER},
        hint=_("Members and employers covered, per district and organisation"),
        icon="chart-pie",
        places={TILE, MENU},
        group=MEMBERSHIP,
        order=510,
    ),
    Entry(
        "membership.escalations",
        _("Overdue check-ins"),
        "membership:escalations",
        roles={Role.CITY_ADMIN, Role.DISPATCHER},
        hint=_("Transfers not acknowledged in time"),
        icon="arrows-exchange",
        places={TILE, MENU},
        group=MEMBERSHIP,
        order=520,
    ),
    Entry(
        "membership.registry",
        _("Registry checks"),
        "membership:registry",
        roles={Role.DEPARTMENT_OFFICER, Role.CITY_ADMIN},
        hint=_("Yes/no answers for a list of ID numbers, logged"),
        icon="database-search",
        places={TILE, MENU},
        group=MEMBERSHIP,
        order=530,
    ),
]
