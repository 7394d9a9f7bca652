"""`yizhan periodic [--once] [--interval S]`: enqueue due periodic jobs (sweeps) for the task
worker. Run one or more beside the workers; they never enqueue the same run twice."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from yizhan.core import periodic


class Command(BaseCommand):
    help = "Enqueue due periodic jobs (deadline sweeps, auto-close) for the task worker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, once, interval, **options):
        while True:
            started = periodic.tick()
            if started:
                self.stdout.write("enqueued: " + ", ".join(started))
            if once:
                return
            time.sleep(interval)
            close_old_connections()  # a long-lived loop drops broken or expired connections
