from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "yizhan.stations"
    label = "stations"
    verbose_name = _("Stations")

    def ready(self):
        from yizhan.core import personal_data
        from yizhan.stations import selectors, services, subscribers

        subscribers.register()
        # A worker's check-ins: exported with their data, detached from them on erasure.
        personal_data.register(
            "stations",
            _("Station check-ins"),
            export=lambda user: {"check_ins": selectors.visits_of(worker=user)},
            erase=lambda user: services.visits_forget_worker(worker=user),
        )
        from yizhan.core import gazetteer

        # Stations are places people know: "near 甲工会驿站 (120 m)", and found by name.
        gazetteer.register("station", selectors.named_points)
