"""`yizhan events-replay [--name NAME]`: deliver recorded domain events to subscribers that
missed them (for example the points module, installed after reports were verified)."""

from django.core.management.base import BaseCommand

from yizhan.core import events


class Command(BaseCommand):
    help = "Deliver recorded domain events to every subscriber that has not had them."

    def add_arguments(self, parser):
        parser.add_argument("--name", default=None)

    def handle(self, *args, name, **options):
        made = events.replay(name)
        self.stdout.write(f"{made} deliveries made")
