from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    """阳光行动: platforms disclose commissions and working-time rules; workers check their orders."""

    name = "yizhan.transparency"
    label = "transparency"
    verbose_name = _("Platform transparency")

    def ready(self):
        from yizhan.core import periodic, personal_data
        from yizhan.transparency import services, subscribers

        subscribers.register()
        periodic.register(
            "transparency.stale_sweep", "yizhan.transparency.tasks.stale_sweep", every_seconds=86400
        )
        periodic.register(
            "transparency.index_refresh",
            "yizhan.transparency.tasks.index_refresh",
            every_seconds=86400,
        )
        personal_data.register(
            "transparency",
            _("Commission checks"),
            export=services.export_for,
            erase=services.erase_for,
        )
