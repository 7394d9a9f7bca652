"""Hazard reports (随手拍) on the home page, in the tab bar and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import ANONYMOUS, ME, MENU, TAB, TILE, Entry
from yizhan.reports.permissions import STAFF_ROLES

ENTRIES = [
    Entry(
        "reports.new",
        _("Report a hazard"),
        "reports:new",
        short=_("Snap"),
        roles={Role.WORKER},
        hint=_("Photo and spot: the community fixes it, you earn points"),
        icon="camera",
        places={TILE, TAB},
        order=20,
        main=True,
    ),
    Entry(
        "reports.mine",
        _("My reports"),
        "reports:mine",
        roles={Role.WORKER},
        hint=_("Follow what happened to them"),
        icon="list-check",
        places={ME},
        order=25,
    ),
    Entry(
        "reports.console",
        _("Report queue"),
        "reports:console",
        roles=set(STAFF_ROLES),
        hint=_("Hazard reports to accept, handle and resolve"),
        icon="alert-triangle",
        places={TILE, MENU},
        group=_("Queues"),
        order=100,
        main=True,
    ),
    Entry(
        "reports.public",
        _("Hazards reported in the city"),
        "reports:public",
        roles={ANONYMOUS},
        hint=_("What riders reported and what was fixed"),
        icon="map",
        order=30,
    ),
]
