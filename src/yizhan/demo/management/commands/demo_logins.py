"""`yizhan demo-logins [--json]`: one demo login per role, for people or for scripts."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from yizhan.accounts.permissions import Role
from yizhan.demo.generator import demo_logins


class Command(BaseCommand):
    help = "Print the demo logins (role, scope, mobile, password)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="JSON lines, for scripts")

    def handle(self, *args, **options):
        logins = demo_logins()
        if options["json"]:
            for login in logins:
                self.stdout.write(_dumps(login.__dict__))
            return
        self.stdout.write("Demo logins (http://127.0.0.1:8000/login/):")
        for login in logins:
            label = (
                _(Role(login.role).label)
                if login.role in Role.values
                else _("Organisation officer")
            )
            scope = f" [{login.scope}]" if login.scope else ""
            self.stdout.write(f"  {label}{scope}: {login.mobile} / {login.password}")


def _dumps(row):
    return json.dumps(row, ensure_ascii=False)
