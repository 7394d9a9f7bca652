"""`yizhan rundemo`: the web server (gunicorn) and the task worker side by side, for the demo.
Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the demo on 127.0.0.1:8000 with a task worker and the periodic scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, bind, workers, **options):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="yizhan.settings")
        python = sys.executable
        procs = [
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "yizhan.wsgi",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--access-logfile",
                    "-",
                    "--log-level",
                    "warning",
                ],
                env=env,
            ),
            subprocess.Popen([python, "-m", "yizhan.cli", "db_worker", "--interval", "1"], env=env),
            # Enqueues the sweeps (cases deadlines every minute, reports auto-close hourly).
            subprocess.Popen([python, "-m", "yizhan.cli", "periodic", "--interval", "20"], env=env),
        ]
        self.stdout.write(f"Serving on http://{bind}/ with a task worker. Ctrl-C to stop.")

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
