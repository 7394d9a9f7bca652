from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yizhan.cases"
    label = "cases"
    verbose_name = _("Demands and work orders")

    def ready(self):
        from django.conf import settings

        from yizhan.cases import selectors, services
        from yizhan.core import periodic, personal_data

        periodic.register(
            "cases.deadline_sweep",
            "yizhan.cases.tasks.deadline_sweep",
            every_seconds=settings.CASES_SWEEP_SECONDS,
        )
        personal_data.register(
            "cases",
            _("Demands"),
            export=selectors.personal_data_export,
            erase=lambda user: services.personal_data_erase(user=user),
            losses=selectors.losses_on_deletion,
        )
