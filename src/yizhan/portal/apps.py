from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Above the feature apps: the home page, the inbox, the navigation and the dashboards.
    It reads the apps through their selectors and their `nav.py`, and owns no domain data."""

    name = "yizhan.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from yizhan.core import nav

        for config in apps.get_app_configs():
            module = f"{config.name}.nav"
            if (
                config.name.startswith("yizhan.")
                and config.name != "yizhan.core"
                and find_spec(module)
            ):
                nav.register(import_module(module).ENTRIES)

        from django.conf import settings

        from yizhan.core import periodic

        periodic.register(
            "portal.dashboard_refresh",
            "yizhan.portal.tasks.dashboard_refresh",
            every_seconds=settings.DASHBOARD_REFRESH_SECONDS,
        )
        periodic.register(
            "portal.dashboard_live",
            "yizhan.portal.tasks.dashboard_live",
            every_seconds=settings.DASHBOARD_LIVE_REFRESH_SECONDS,
        )
        periodic.register(
            "portal.monthly_reports",
            "yizhan.portal.tasks.monthly_reports",
            every_seconds=6 * 3600,
        )
