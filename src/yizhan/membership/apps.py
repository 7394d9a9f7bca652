from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    """Organisations, members, one-step check-in (一键报到), grid members, registry checks."""

    name = "yizhan.membership"
    label = "membership"
    verbose_name = _("Membership and check-in")
