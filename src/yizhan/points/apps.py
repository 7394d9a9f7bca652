from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "yizhan.points"
    label = "points"
    verbose_name = _("Points reward bank")

    def ready(self):
        from yizhan.core import periodic
        from yizhan.points import subscribers

        subscribers.register()
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
