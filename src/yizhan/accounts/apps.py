from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yizhan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from yizhan.core import periodic

        # Erasures whose run was lost are queued again (idempotent; docs/SECURITY.md).
        periodic.register(
            "accounts.erasures_recover",
            "yizhan.accounts.tasks.recover_erasures",
            every_seconds=300,
        )
