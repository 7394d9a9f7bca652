from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "yizhan.stations"
    label = "stations"
    verbose_name = _("Stations")

    def ready(self):
        from yizhan.core import gazetteer
        from yizhan.stations import selectors

        # Stations are places people know: "near 甲工会驿站 (120 m)", and found by name.
        gazetteer.register("station", selectors.named_points)
