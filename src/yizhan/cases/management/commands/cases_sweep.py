"""`yizhan cases_sweep [--every SECONDS]`: the deadline sweep, once or in a loop.

A loop process, like healthchecks' `sendalerts`, rather than a task that re-enqueues
itself: if it dies, `rundemo` (or systemd) restarts one process, and there is no chain of
tasks to break. Several may run at once: each case is claimed by a conditional update.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from yizhan.cases.services import deadline_sweep


class Command(BaseCommand):
    help = "Send deadline reminders and mark overdue work orders (once, or every N seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="loop, sleeping N seconds")

    def handle(self, *args, every, **options):
        while True:
            result = deadline_sweep()
            if options["verbosity"] and (
                result.reminded or result.overdue or result.accept_overdue
            ):
                self.stdout.write(
                    f"reminded {result.reminded}, overdue {result.overdue}, "
                    f"not accepted in time {result.accept_overdue}"
                )
            if not every:
                return
            close_old_connections()
            time.sleep(every)
