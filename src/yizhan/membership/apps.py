from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    """Organisations, members, one-step check-in (一键报到), grid members, registry checks."""

    name = "yizhan.membership"
    label = "membership"
    verbose_name = _("Membership and check-in")

    def ready(self):
        from yizhan.core import periodic, personal_data
        from yizhan.membership import services

        # Check-ins wait at most a few working days; a sweep every 10 minutes is plenty.
        periodic.register(
            "membership.transfer_sweep",
            "yizhan.membership.tasks.transfer_sweep",
            every_seconds=600,
        )
        personal_data.register(
            "membership",
            _("Memberships, check-ins and grid appointments"),
            export=services.export_for,
            erase=services.erase_for,
        )
