"""Rest stations (驿站) in the tab bar and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import MENU, TAB, TILE, Entry

ENTRIES = [
    Entry(
        "stations.finder",
        _("Find a station"),
        "stations:finder",
        short=_("Stations"),
        roles={Role.WORKER},
        icon="map-pin",
        places={TAB},
        order=10,
    ),
    Entry(
        "stations.staff",
        _("Stations"),
        "stations:staff",
        roles={Role.STATION_KEEPER, Role.CITY_ADMIN},
        hint=_("Keeper console, usage, import and export"),
        icon="building-store",
        places={TILE, MENU},
        group=_("Stations"),
        order=300,
        main=True,
    ),
]
