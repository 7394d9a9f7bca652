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
