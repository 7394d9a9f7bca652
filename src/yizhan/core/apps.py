from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yizhan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from yizhan.core import checks, converters  # noqa: F401  (checks register themselves)

        converters.register()
        from yizhan.core import notifications, periodic, personal_data

        # A worker killed mid-task leaves it RUNNING: find such tasks and queue them again.
        periodic.register(
            "core.tasks_recover", "yizhan.core.tasks.recover_stuck_tasks", every_seconds=300
        )

        personal_data.register(
            "notifications",
            _("Notifications"),
            export=notifications.export_for,
            erase=notifications.erase_for,
        )
