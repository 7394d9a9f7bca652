"""News and notices on the home page, in the tab bar and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import ANYONE, MENU, TILE, Entry

ENTRIES = [
    Entry(
        "news.list",
        _("News and notices"),
        "news:list",
        roles={ANYONE},
        hint=_("What the city and your district announce, with pinyin if you like"),
        icon="news",
        places={TILE},
        order=60,
    ),
    Entry(
        "news.console",
        _("News console"),
        "news:console",
        roles={Role.CITY_ADMIN, Role.DISTRICT_OFFICER},
        hint=_("Write, review, publish and pin articles"),
        icon="news",
        places={TILE, MENU},
        group=_("News"),
        order=700,
    ),
    Entry(
        "news.moderation",
        _("Comment moderation"),
        "news:moderation",
        roles={Role.CITY_ADMIN, Role.DISTRICT_OFFICER},
        hint=_("Approve or reject readers' comments"),
        icon="message-circle",
        places={TILE, MENU},
        group=_("News"),
        order=710,
    ),
]
