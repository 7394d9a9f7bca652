from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """技能培训与活动: courses, station events and symposia that workers find, join and attend."""

    name = "yizhan.training"
    label = "training"
    verbose_name = _("Training and events")
