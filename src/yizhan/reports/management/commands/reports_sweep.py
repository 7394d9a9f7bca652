"""`yizhan reports-sweep`: close reports resolved 7 days ago that nobody confirmed."""

from django.core.management.base import BaseCommand

from yizhan.reports.services import reports_autoclose


class Command(BaseCommand):
    help = "Close resolved reports whose reporter did not answer within 7 days."

    def handle(self, *args, **options):
        self.stdout.write(f"{reports_autoclose()} reports closed")
