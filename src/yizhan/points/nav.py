"""The points bank (积分奖励库) on the home page and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import ME, MENU, TILE, Entry

ENTRIES = [
    Entry(
        "points.mine",
        _("My points"),
        "points:mine",
        roles={Role.WORKER},
        hint=_("Balance, history, redeem for your wishes"),
        icon="gift",
        places={TILE, ME},
        order=40,
    ),
    Entry(
        "points.keeper",
        _("Redemptions"),
        "points:keeper",
        roles={Role.STATION_KEEPER},
        hint=_("Hand over items redeemed for pick-up at your station"),
        icon="package",
        places={TILE, MENU},
        group=_("Stations"),
        order=310,
    ),
    Entry(
        "points.admin",
        _("Points admin"),
        "points:admin",
        roles={Role.CITY_ADMIN},
        hint=_("Rules, wishes, catalogue, redemption ledger"),
        icon="coins",
        places={TILE, MENU},
        group=_("Points"),
        order=400,
    ),
]
