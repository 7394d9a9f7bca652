from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yizhan.cases"
    label = "cases"
    verbose_name = _("Demands and work orders")

    def ready(self):
        from yizhan.core import periodic

        periodic.register(
            "cases.deadline_sweep", "yizhan.cases.tasks.deadline_sweep", every_seconds=60
        )
