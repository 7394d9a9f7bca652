"""Accounts on the home page and in the menus: one's own data, and the workers directory."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.models import Role
from yizhan.core.nav import ANYONE, MENU, STAFF, TAB, TILE, Entry


def _logged_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


ENTRIES = [
    Entry(
        "accounts.profile",
        _("My account"),
        "accounts:profile",
        short=_("Me"),
        roles={ANYONE},
        when=_logged_in,
        hint=_("Your data, export, deletion"),
        icon="user",
        places={TILE},
        order=900,
    ),
    Entry(
        "accounts.profile.tab",
        _("My account"),
        "accounts:profile",
        short=_("Me"),
        roles={Role.WORKER},
        icon="user",
        places={TAB},
        order=90,
    ),
    Entry(
        "accounts.people",
        _("Workers"),
        "accounts:people",
        roles={Role.CITY_ADMIN, Role.DISPATCHER},
        hint=_("Registered workers (masked)"),
        icon="users",
        places={TILE, MENU},
        group=_("People"),
        order=700,
    ),
    Entry(
        "accounts.back_office",
        _("Back office"),
        "admin:index",
        roles={STAFF},
        hint=_("Configure the platform"),
        icon="settings",
        places={TILE, MENU},
        group=_("Settings"),
        order=990,
    ),
]
