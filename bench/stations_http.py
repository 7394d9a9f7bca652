"""The nearest endpoint over HTTP on the production set-up: gunicorn (gthread) with
PostgreSQL and YIZHAN_ENV=production, the demo city loaded, and a bounded load generator
on 127.0.0.1 (threads, keep-alive http.client). Reports requests/s, p50 and p99 for
/api/v1/health (the trivial endpoint) and /api/v1/stations/nearest in the same run.

    bash scripts/with-postgres.sh .venv/bin/python bench/stations_http.py
    (make bench does this.) Options: --seconds 10 --requests 40000 --clients 8 --workers 2
"""

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from base64 import urlsafe_b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LANZHOU = (103.60, 36.00, 103.95, 36.13)  # where the demo city's stations are


def server_env() -> dict:
    env = dict(os.environ)
    env.update(
        {
            "YIZHAN_ENV": "production",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "YIZHAN_PII_KEYS": urlsafe_b64encode(b"b" * 32).decode(),
            "YIZHAN_PII_HASH_KEY": "bench-hash-key",
            "YIZHAN_SERVE_MEDIA": "false",
            "LOG_LEVEL": "WARNING",
            "YIZHAN_HOME": str(ROOT),
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def drive(port, paths, *, seconds, max_requests, clients):
    """Send requests from `clients` keep-alive connections until time or count runs out."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    sent = [0]
    stop_at = time.monotonic() + seconds

    def worker(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            path = paths(rng)
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append((time.perf_counter() - start) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
    }


def health(rng):
    return "/api/v1/health"


def nearest(rng):
    lat = rng.uniform(LANZHOU[1], LANZHOU[3])
    lng = rng.uniform(LANZHOU[0], LANZHOU[2])
    extra = rng.choice(
        ["", "&amenity=shower", "&open_now=true", "&amenity=ebike_charging&open_now=true"]
    )
    return f"/api/v1/stations/nearest?lat={lat:.6f}&lng={lng:.6f}&limit=5{extra}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument(
        "--clients", default="2,8", help="concurrent connections; a list runs each in turn"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tiny", action="store_true", help="seconds: small city, 1 s runs")
    args = parser.parse_args()
    if args.tiny:
        args.seconds, args.requests, args.clients = 1, 300, "2"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("run under scripts/with-postgres.sh (make bench does)")
    env = server_env()
    yizhan = [str(BIN / "yizhan")]
    subprocess.run([*yizhan, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run(
        [*yizhan, "demo-load", "--if-empty", *(["--scale", "small"] if args.tiny else [])],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "yizhan.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    runs = []
    try:
        wait_until_up(port)
        for clients in [int(c) for c in str(args.clients).split(",")]:
            bounded = {"max_requests": args.requests, "clients": clients}
            warm = 0.5 if args.tiny else 2
            drive(port, health, seconds=warm, **bounded)  # warm up every worker
            drive(port, nearest, seconds=warm, **bounded)
            result = {
                "clients": clients,
                "health": drive(port, health, seconds=args.seconds, **bounded),
                "nearest": drive(port, nearest, seconds=args.seconds, **bounded),
            }
            result["nearest_to_health_throughput"] = round(
                result["nearest"]["rps"] / result["health"]["rps"], 2
            )
            runs.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server": f"gunicorn gthread {args.workers} workers x {args.threads} threads, PostgreSQL",
        "client": f"keep-alive connections, each run {args.seconds:g} s or {args.requests} requests",
        "runs": runs,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "stations_http.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
