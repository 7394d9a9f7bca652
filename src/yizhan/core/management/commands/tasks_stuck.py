"""`yizhan tasks-stuck [--minutes N] [--retry]`: tasks a dead worker left RUNNING.

Lists them (task, since when, arguments); with --retry marks each one FAILED and queues it
again. The periodic job `core.tasks_recover` does the same by itself every few minutes."""

from django.conf import settings
from django.core.management.base import BaseCommand

from yizhan.core import taskwatch


class Command(BaseCommand):
    help = "List (and with --retry, run again) tasks left RUNNING by a worker that died."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=settings.TASKS_STUCK_MINUTES)
        parser.add_argument("--retry", action="store_true", help="queue each stuck task again")

    def handle(self, *args, minutes, retry, **options):
        rows = list(taskwatch.stuck(minutes=minutes))
        if not rows:
            self.stdout.write(f"No task has been RUNNING for more than {minutes} minutes.")
            return
        for row in rows:
            self.stdout.write(
                f"{row.pk}  {row.task_path}  RUNNING since {row.started_at:%Y-%m-%d %H:%M:%S} "
                f"UTC  args={row.args_kwargs}"
            )
            if retry:
                fresh = taskwatch.retry(row)
                self.stdout.write(
                    f"  -> queued again as {fresh.pk}" if fresh else "  -> finished meanwhile"
                )
        if not retry:
            self.stdout.write(f"{len(rows)} stuck; run again with --retry to queue them again.")
