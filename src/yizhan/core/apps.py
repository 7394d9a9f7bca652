from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "yizhan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from yizhan.core import checks, converters  # noqa: F401  (checks register themselves)

        converters.register()
