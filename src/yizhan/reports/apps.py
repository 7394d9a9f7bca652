from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "yizhan.reports"
    label = "reports"
    verbose_name = _("Hazard reports")

    def ready(self):
        from yizhan.core import periodic, personal_data
        from yizhan.reports import selectors, services, subscribers

        periodic.register(
            "reports.autoclose", "yizhan.reports.tasks.autoclose_resolved", every_seconds=3600
        )
        subscribers.register()
        personal_data.register(
            "reports",
            _("Hazard reports"),
            export=selectors.personal_data_export,
            erase=services.personal_data_erase,
        )
