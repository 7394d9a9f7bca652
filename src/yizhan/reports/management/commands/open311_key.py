"""`yizhan open311-key create --name NAME` prints a new Open311 API key (shown once);
`yizhan open311-key list` and `yizhan open311-key revoke --name NAME` manage them."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.errors import YizhanError
from yizhan.reports import selectors, services


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
            try:
                self.stdout.write(services.open311_key_create(name=options["name"]))
            except YizhanError as exc:
                raise CommandError(" ".join(m for _f, m in exc.field_errors())) from None
        elif action == "list":
            for key in selectors.open311_keys():
                state = "active" if key.active else "revoked"
                self.stdout.write(f"{key.name}\t{key.prefix}…\t{state}")
        else:
            if not services.open311_key_revoke(name=options["name"]):
                raise CommandError(f"no key named {options['name']!r}")
            self.stdout.write("revoked")
