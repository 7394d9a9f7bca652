from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    """阳光行动: platforms disclose commissions and working-time rules; workers check their orders."""

    name = "yizhan.transparency"
    label = "transparency"
    verbose_name = _("Platform transparency")
