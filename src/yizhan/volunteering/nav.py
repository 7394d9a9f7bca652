"""Volunteer services on the home page, in the tab bar and in the staff menu."""

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role
from yizhan.core.nav import MENU, TILE, Entry


def _volunteer(user) -> bool:
    from yizhan.volunteering.permissions import is_volunteer

    return is_volunteer(user)


VOLUNTEERING = _("Volunteering")
COORDINATORS = {Role.VOLUNTEER_COORDINATOR, Role.CITY_ADMIN}
ENTRIES = [
    Entry(
        "volunteering.mine",
        _("My volunteer trips"),
        "volunteering:home",
        roles={Role.WORKER},
        when=_volunteer,
        hint=_("Offers to accept, today's trips, directions"),
        icon="heart-handshake",
        order=40,
    ),
    Entry(
        "volunteering.hours",
        _("My service hours"),
        "volunteering:hours",
        roles={Role.WORKER},
        when=_volunteer,
        hint=_("Confirmed trips, hours and points"),
        icon="hourglass",
        order=41,
    ),
    Entry(
        "volunteering.console",
        _("Volunteer dispatch"),
        "volunteering:console",
        roles=COORDINATORS,
        hint=_("Requests, the plan on a map and a timeline"),
        icon="route",
        places={TILE, MENU},
        group=VOLUNTEERING,
        order=200,
        main=True,
    ),
    Entry(
        "volunteering.book",
        _("Book a ride"),
        "volunteering:book",
        roles={*COORDINATORS, Role.GRID_OFFICER},
        hint=_("One-off or standing rides for a beneficiary"),
        icon="steering-wheel",
        places={TILE, MENU},
        group=VOLUNTEERING,
        order=201,
    ),
    Entry(
        "volunteering.beneficiaries",
        _("Beneficiaries"),
        "volunteering:beneficiaries",
        roles={*COORDINATORS, Role.GRID_OFFICER},
        hint=_("Elderly people, patients, students and meal recipients, with consent"),
        icon="user-heart",
        places={TILE, MENU},
        group=VOLUNTEERING,
        order=202,
    ),
    Entry(
        "volunteering.teams",
        _("Teams and credentials"),
        "volunteering:teams",
        roles=COORDINATORS,
        hint=_("Members, licences, vehicles, what expires soon"),
        icon="id-badge",
        places={TILE, MENU},
        group=VOLUNTEERING,
        order=203,
    ),
    Entry(
        "volunteering.campaigns",
        _("Exam-escort campaigns"),
        "volunteering:campaigns",
        roles=COORDINATORS,
        hint=_("Sites, sessions, standby and backup cars"),
        icon="school",
        places={TILE, MENU},
        group=VOLUNTEERING,
        order=204,
    ),
]
