from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "yizhan.points"
    label = "points"
    verbose_name = _("Points reward bank")

    def ready(self):
        from yizhan.core import periodic, personal_data
        from yizhan.points import selectors, services, subscribers

        subscribers.register()
        # The person's ledger entries, wishes and redemptions: exported with their data; on
        # erasure the entries stay (the ledger balances) without the text around them, and
        # items waiting for pick-up are cancelled and refunded.
        personal_data.register(
            "points",
            _("Points"),
            export=selectors.personal_data_of,
            erase=lambda user: services.personal_data_erase(user=user),
            losses=selectors.losses_on_deletion,
        )
        # A safety net under the per-redemption expiry booking, and the monthly awards.
        periodic.register(
            "points.expiry_sweep",
            "yizhan.points.tasks.sweep_expired_redemptions",
            every_seconds=3600,
        )
        periodic.register(
            "points.monthly_awards",
            "yizhan.points.tasks.monthly_awards_last_month",
            every_seconds=86400,
        )
