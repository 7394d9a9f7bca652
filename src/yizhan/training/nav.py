"""Training and events on the home page and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import MENU, TILE, Entry
from yizhan.training.permissions import CONSOLE_ROLES, ORGANISER_ROLES

TRAINING = _("Training and events")
ENTRIES = [
    Entry(
        "training.index",
        _("Courses and events"),
        "training:index",
        roles={Role.WORKER},
        hint=_("Skills training, station events, symposia: sign up in one tap"),
        icon="school",
        order=45,
    ),
    Entry(
        "training.console",
        _("Courses and events"),
        "training:console",
        roles=set(CONSOLE_ROLES),
        hint=_("Organise courses and events, run the door"),
        icon="calendar-event",
        places={TILE, MENU},
        group=TRAINING,
        order=350,
    ),
    Entry(
        "training.demand",
        _("Training demand"),
        "training:console_demand",
        roles=set(ORGANISER_ROLES),
        hint=_("What workers ask to learn, by topic and district"),
        icon="chart-bar",
        places={MENU},
        group=TRAINING,
        order=351,
    ),
]
