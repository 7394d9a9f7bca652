from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "yizhan.points"
    label = "points"
    verbose_name = _("Points reward bank")

    def ready(self):
        from yizhan.points import subscribers

        subscribers.register()
