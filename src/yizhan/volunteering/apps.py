from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    """志愿服务: teams, credentials, beneficiaries, ride and meal requests, planned dispatch, trips and hours."""

    name = "yizhan.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteer services")

    def ready(self):
        from yizhan.core import personal_data
        from yizhan.volunteering import services

        personal_data.register(
            "volunteering",
            _("Volunteer services"),
            export=services.export_for,
            erase=services.erase_for,
        )
