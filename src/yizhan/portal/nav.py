"""The portal's own entries: home and the communities a person serves."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import ME, MENU, TAB, TILE, Entry

ENTRIES = [
    Entry(
        "portal.home",
        _("Home"),
        "home",
        roles={Role.WORKER},
        icon="home",
        places={TAB},
        order=0,
    ),
    Entry(
        "portal.inbox",
        _("Notifications"),
        "inbox",
        roles={Role.WORKER},
        icon="bell",
        places={ME},
        order=5,
    ),
    Entry(
        "portal.communities",
        _("My communities"),
        "portal:communities",
        roles={Role.GRID_OFFICER, Role.CITY_ADMIN, Role.DISPATCHER, Role.DISTRICT_OFFICER},
        hint=_("Boundaries and open reports of the communities you serve"),
        icon="map-2",
        places={TILE, MENU},
        group=_("Places"),
        order=80,
    ),
]

INSIGHT = _("Insight")
ENTRIES += [
    Entry(
        "portal.dashboard",
        _("City dashboards"),
        "portal:dashboard",
        roles={Role.CITY_ADMIN, Role.DISPATCHER, Role.DISTRICT_OFFICER},
        hint=_("Grievances, reports, stations, points and coverage as charts"),
        icon="chart-dots",
        places={TILE, MENU},
        group=INSIGHT,
        order=590,
        main=True,
    ),
    Entry(
        "portal.dashboard_monthly",
        _("Monthly reports"),
        "portal:dashboard_monthly",
        roles={Role.CITY_ADMIN, Role.DISPATCHER, Role.DISTRICT_OFFICER},
        hint=_("The month's figures, printable, kept"),
        icon="report",
        places={MENU},
        group=INSIGHT,
        order=595,
    ),
    Entry(
        "portal.dashboard_planning",
        _("Station planning"),
        "portal:dashboard_planning",
        roles={Role.CITY_ADMIN},
        hint=_("Where workers are out of reach, and where new stations would help"),
        icon="map-pin-plus",
        places={TILE, MENU},
        group=INSIGHT,
        order=597,
    ),
]
