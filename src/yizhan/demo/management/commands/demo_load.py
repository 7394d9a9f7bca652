"""`yizhan demo-load [--scale demo|city] [--seed N]`: build the Lanzhou demo city."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.urls import set_urlconf

from yizhan.demo.generator import SCALES, CityGenerator
from yizhan.places.models import District


class Command(BaseCommand):
    help = "Load the deterministic Lanzhou demo city (skipped when a city is already loaded)."
    # The system checks load every URL, the JSON API's too (0.7 s); `yizhan check`, the server
    # and the deploy checks run them. Loading data needs none of them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if loaded")

    def handle(self, *args, scale, seed, if_empty, **options):
        if District.objects.exists():
            if if_empty:
                self.stdout.write("The demo city is already loaded.")
                return
            raise CommandError("A city is already loaded; use a fresh database.")
        started = time.monotonic()
        # The seeders' services link their notifications to pages; reversing through the page
        # URLs alone spares building the JSON API, which nothing here calls.
        set_urlconf("yizhan.site_urls")
        try:
            summary = CityGenerator(seed=seed, scale=scale, stream=self.stderr._out).build()
        finally:
            set_urlconf(None)
        self.stdout.write(
            f"Loaded {summary.districts} districts, {summary.subdistricts} subdistricts, "
            f"{summary.communities} communities, {summary.stations} stations, "
            f"{summary.employers} employers, {summary.workers} workers, {summary.reports} reports "
            f"in {time.monotonic() - started:.1f} s."
        )
