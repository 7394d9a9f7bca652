"""`yizhan open311-key create --name NAME` prints a new Open311 API key (shown once);
`yizhan open311-key list` and `yizhan open311-key revoke --name NAME` manage them."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.reports.models import Open311Key
from yizhan.reports.open311.views import key_create


class Command(BaseCommand):
    help = "Manage Open311 API keys for partner systems."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--name", required=True)
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("--name", required=True)

    def handle(self, *args, action, **options):
        if action == "create":
            if Open311Key.objects.filter(name=options["name"]).exists():
                raise CommandError(f"a key named {options['name']!r} exists already")
            self.stdout.write(key_create(name=options["name"]))
        elif action == "list":
            for key in Open311Key.objects.order_by("name"):
                state = "active" if key.active else "revoked"
                self.stdout.write(f"{key.name}\t{key.prefix}…\t{state}")
        else:
            if not Open311Key.objects.filter(name=options["name"]).update(active=False):
                raise CommandError(f"no key named {options['name']!r}")
            self.stdout.write("revoked")
