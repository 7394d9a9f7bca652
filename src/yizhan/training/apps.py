from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """技能培训与活动: courses, station events and symposia that workers find, join and attend."""

    name = "yizhan.training"
    label = "training"
    verbose_name = _("Training and events")

    def ready(self):
        from yizhan.core import periodic, personal_data
        from yizhan.training import services

        personal_data.register(
            "training",
            _("Courses and events"),
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )
        periodic.register(
            "training.offer_expiry", "yizhan.training.tasks.sweep_offers", every_seconds=300
        )
        periodic.register(
            "training.reminders", "yizhan.training.tasks.send_reminders", every_seconds=900
        )
