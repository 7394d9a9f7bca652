"""Platform transparency on the home page, in the tab bar and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import ANYONE, MENU, TILE, Entry

ENTRIES = [
    Entry(
        "transparency.check",
        _("Check my commission"),
        "transparency:check",
        short=_("Check"),
        roles={Role.WORKER},
        hint=_("查一查: your orders against the published cap"),
        icon="receipt",
        order=45,
    ),
    Entry(
        "transparency.public",
        _("Platform transparency"),
        "transparency:index",
        roles={ANYONE},
        hint=_("阳光行动: commission caps, working-time rules, scorecards"),
        icon="sun",
        order=80,
    ),
    Entry(
        "transparency.console",
        _("Platform console"),
        "transparency:console",
        roles={Role.PLATFORM_REP},
        hint=_("Disclosures, scorecard, statements on cases"),
        icon="building-skyscraper",
        places={TILE, MENU},
        group=_("Transparency"),
        order=113,
        main=True,
    ),
    Entry(
        "transparency.review",
        _("Disclosure review"),
        "transparency:review",
        roles={Role.CITY_ADMIN, Role.DISPATCHER},
        hint=_("Publish platforms' disclosures, stale flags, the commission index"),
        icon="file-check",
        places={TILE, MENU},
        group=_("Transparency"),
        order=620,
    ),
    Entry(
        "transparency.disputes",
        _("Commission cases"),
        "transparency:disputes",
        roles={Role.DISPATCHER, Role.CITY_ADMIN},
        hint=_("Route them as the city's rule says"),
        icon="route",
        places={TILE, MENU},
        group=_("Transparency"),
        order=625,
    ),
]
