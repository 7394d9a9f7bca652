"""Headline labels that the existing apps' selectors give as plain English message ids: they
are translated here, in the portal's catalogue, so the apps' catalogues did not have to change
when the dashboards arrived. A new app marks its labels in its own catalogue instead."""

from django.utils.translation import gettext_noop

KNOWN_LABELS = [
    gettext_noop("Grievances"),
    gettext_noop("Open work orders"),
    gettext_noop("Work orders past their deadline"),
    gettext_noop("Open hazard reports"),
    gettext_noop("Reports past their target"),
    gettext_noop("Stations with stale data"),
    gettext_noop("Stations with an amenity out of order"),
    gettext_noop("Points in the reward pools"),
    gettext_noop("Wishes waiting for a decision"),
    gettext_noop("Redemptions waiting for pick-up"),
]
