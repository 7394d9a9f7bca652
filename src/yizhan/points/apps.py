from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "yizhan.points"
    label = "points"
    verbose_name = _("Points reward bank")

    def ready(self):
        from django.db.models.signals import post_migrate

        from yizhan.core import periodic, personal_data
        from yizhan.points import ledger, selectors, services, subscribers

        subscribers.register()
        # The ledger's SQL names the system accounts by code: open them after migrate (and
        # after a flush, which emits post_migrate too).
        post_migrate.connect(
            ledger.ensure_system_accounts, sender=self, dispatch_uid="points-system-accounts"
        )
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
        # The batch applier of staged awards: booked by each award request, and every
        # minute as a safety net (awards waiting for a pool that was short are retried).
        periodic.register(
            "points.apply_awards", "yizhan.points.tasks.apply_awards", every_seconds=60
        )
        periodic.register(
            "points.monthly_awards",
            "yizhan.points.tasks.monthly_awards_last_month",
            every_seconds=86400,
        )
