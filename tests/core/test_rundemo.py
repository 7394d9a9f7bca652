"""`yizhan rundemo` looks after its background processes: when the task worker is killed
(kill -9), the web server keeps serving and the worker is started again."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the demo runs on SQLite; one run is enough"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> dict[int, str]:
    """The child processes of `pid` and their command lines (Linux /proc)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except FileNotFoundError:
                continue
            found[int(child)] = cmdline.decode()
    return found


def worker_pid(pid: int) -> int | None:
    return next((c for c, cmd in children(pid).items() if "db_worker" in cmd), None)


def health(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as r:  # noqa: S310
        return r.status


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_a_killed_task_worker_is_restarted_while_the_web_server_keeps_serving(tmp_path):
    env = dict(os.environ, YIZHAN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="yizhan.settings")
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    port = free_port()
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yizhan.cli",
            "rundemo",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: health(port) == 200)
        first = wait_for(lambda: worker_pid(demo.pid))
        os.kill(first, signal.SIGKILL)
        assert health(port) == 200  # the web server did not notice
        second = wait_for(lambda: (pid := worker_pid(demo.pid)) and pid != first and pid)
        assert second != first
        assert health(port) == 200
        assert demo.poll() is None
    finally:
        demo.send_signal(signal.SIGTERM)
        output, _ = demo.communicate(timeout=30)
    assert "task worker stopped (exit code -9)" in output
    assert "running again" in output
