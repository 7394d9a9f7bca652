"""`yizhan rundemo`: the web server (gunicorn), the task worker and the periodic scheduler side
by side, for the demo. A background process that dies (killed, out of memory) is started
again, with a growing pause if it keeps dying, while the web server keeps serving; the tasks
its death left RUNNING are queued again by the recovery job (core.taskwatch). Only the web
server's death, or Ctrl-C, stops everything."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

MAX_PAUSE_SECONDS = 30
STEADY_SECONDS = 60  # a process that ran this long is healthy again: its pause resets


class Supervised:
    def __init__(self, name: str, argv: list[str], env: dict):
        self.name, self.argv, self.env = name, argv, env
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self.pause = 1.0
        self.restart_at: float | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, env=self.env)
        self.started_at = time.monotonic()
        self.restart_at = None

    def died(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def schedule_restart(self) -> float:
        """When to start it again: soon, unless it keeps dying."""
        if time.monotonic() - self.started_at > STEADY_SECONDS:
            self.pause = 1.0
        delay = self.pause
        self.pause = min(self.pause * 2, MAX_PAUSE_SECONDS)
        self.restart_at = time.monotonic() + delay
        return delay

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()

    def wait(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Command(BaseCommand):
    help = "Serve the demo on 127.0.0.1:8000 with a task worker and the periodic scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, bind, workers, **options):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="yizhan.settings")
        python = sys.executable
        web = Supervised(
            "web server",
            [
                *(python, "-m", "gunicorn", "yizhan.wsgi", "--bind", bind),
                *("--workers", str(workers), "--access-logfile", "-", "--log-level", "warning"),
            ],
            env,
        )
        background = [
            Supervised(
                "task worker", [python, "-m", "yizhan.cli", "db_worker", "--interval", "1"], env
            ),
            # Enqueues the sweeps (cases deadlines every minute, reports auto-close hourly).
            Supervised(
                "scheduler", [python, "-m", "yizhan.cli", "periodic", "--interval", "20"], env
            ),
        ]
        everyone = [web, *background]
        for process in everyone:
            process.start()
        self.stdout.write(f"Serving on http://{bind}/ with a task worker. Ctrl-C to stop.")

        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        try:
            while not stopping and web.died() is None:
                self._look_after(background)
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in everyone:
                process.stop()
            for process in everyone:
                process.wait()

    def _look_after(self, background: list[Supervised]) -> None:
        now = time.monotonic()
        for process in background:
            if process.restart_at is not None:
                if now >= process.restart_at:
                    process.start()
                    self.stdout.write(f"The {process.name} is running again.")
                continue
            code = process.died()
            if code is not None:
                delay = process.schedule_restart()
                self.stdout.write(
                    f"The {process.name} stopped (exit code {code}); starting it again in "
                    f"{delay:.0f} s. The web server keeps serving."
                )
                self.stdout.flush()
