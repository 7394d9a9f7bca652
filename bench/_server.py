"""Shared by the browser benches (bench_maps, bench_static_budget): the app served as
docs/OPERATIONS.md deploys it — YIZHAN_ENV=production, `collectstatic` into a throwaway
STATIC_ROOT (hashed names and .gz/.br copies, served by WhiteNoise with a one-year cache),
gunicorn on a free loopback port — and the slow-3G link the budgets are measured on.

The production environment is the one tests/test_production.py checks (production switch,
secret key, PII keys, STATIC_ROOT); here it also runs a real server, over plain HTTP on
127.0.0.1 (no TLS redirect), with DATABASE_URL left to the caller.
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("YIZHAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
# CDP Network.emulateNetworkConditions: 1.6 Mbps down, 750 kbps up, 300 ms round trip.
SLOW_3G = {
    "offline": False,
    "latency": 300,  # ms round trip
    "downloadThroughput": 1_600_000 / 8,  # bytes/s
    "uploadThroughput": 750_000 / 8,
}
SLOW_3G_LABEL = "1.6 Mbps down, 750 kbps up, 300 ms RTT (CDP emulation)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(src: Path, static_root: Path, **extra: str) -> dict:
    """The process environment of a production-mode server (extra: e.g. DATABASE_URL)."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(src),
            "YIZHAN_HOME": str(ROOT),
            "YIZHAN_ENV": "production",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "YIZHAN_PII_KEYS": os.environ.get(
                "YIZHAN_PII_KEYS", "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="
            ),
            "YIZHAN_PII_HASH_KEY": os.environ.get("YIZHAN_PII_HASH_KEY", "demo-only-hash-key"),
            "YIZHAN_SERVE_MEDIA": "false",
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "yizhan.settings",
        }
    )
    env.update(extra)
    env.setdefault("YIZHAN_SMS_LOG_BACKEND_ALLOWED", "true")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(env: dict, *args: str, quiet: bool = False) -> None:
    """`python -m django ARGS` in the server's environment."""
    subprocess.run(
        [str(BIN / "python"), "-m", "django", *args],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL if quiet else None,
    )


class Server:
    """gunicorn on 127.0.0.1 with production settings and collected static files, stopped on
    exit."""

    def __init__(self, src: Path = ROOT / "src", workers: int = 2, **extra_env: str):
        self.static_root = Path(tempfile.mkdtemp(prefix="yizhan-static-"))
        self.env = server_env(src, self.static_root, **extra_env)
        self.port = free_port()
        self.workers = workers
        self.collected = False

    def collectstatic(self) -> None:
        """Hashed and compressed files into STATIC_ROOT (pages, e-mails and the demo loader
        need the manifest). Done once, on entry at the latest."""
        if not self.collected:
            manage(self.env, "collectstatic", "--noinput", "-v0")
            self.collected = True

    def __enter__(self):
        self.collectstatic()
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "yizhan.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.proc.terminate()
        raise SystemExit("gunicorn did not come up")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.static_root, ignore_errors=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"
