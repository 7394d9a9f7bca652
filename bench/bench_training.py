"""Check-in at the door of a 500-person event, over HTTP against a real server: gunicorn
(gthread, YIZHAN_ENV=production) on PostgreSQL, 8 door devices (threads with keep-alive
connections and their own API tokens) scanning workers' personal codes through
POST /api/v1/training/sessions/{id}/scan at the same time. A quarter of the scans are
repeats (a second door, a double scan), shuffled in. Two runs on two events: flat out
(every device scans again as soon as it is answered: throughput) and paced (a scan every
second or so per device, as people file past: latency). Reports scans/s, p50 and p99, and
checks that every worker was checked in exactly once and completion published once each
("zero double counts"). The anchor is /api/v1/health driven the same way in the same run.

    bash scripts/with-postgres.sh .venv/bin/python bench/bench_training.py          # tiny
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_training.py --full   # 500
Without PostgreSQL it runs on a throwaway SQLite file (tiny only makes sense there).
Options: --people 500 --devices 8 --repeats 0.25 --pace 1.0 --workers 2 --threads 4
"""

import argparse
import http.client
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from base64 import urlsafe_b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER_ENV = {
    "YIZHAN_ENV": "production",
    "SECRET_KEY": "bench-training-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "YIZHAN_PII_KEYS": urlsafe_b64encode(b"t" * 32).decode(),
    "YIZHAN_PII_HASH_KEY": "bench-training-hash-key",
    "YIZHAN_SERVE_MEDIA": "false",
    "LOG_LEVEL": "WARNING",
    "YIZHAN_HOME": str(ROOT),
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def configure() -> str:
    """The same settings in this process (which prepares data and signs codes) and the
    server; a throwaway SQLite file when no PostgreSQL is given."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        path = Path(tempfile.mkdtemp(prefix="yizhan-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "yizhan.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    return "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"


def prepare(people: int, devices: int) -> dict:
    """A district, a station, its keeper with one API token per door device, `people`
    workers signed up for a party starting in ten minutes."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from shapely.geometry import box

    from yizhan.accounts.models import Role, RoleAssignment, WorkerProfile
    from yizhan.accounts.services import api_token_issue
    from yizhan.core.pii import blind_index
    from yizhan.places import services as places
    from yizhan.places.geometry import to_geojson
    from yizhan.stations.models import Station
    from yizhan.training import tokens

    call_command("migrate", verbosity=0, interactive=False)
    run = random.randint(100, 999)
    User = get_user_model()
    district = places.district_create(
        code=f"B{run}", name=f"测试区{run}", boundary=to_geojson(box(120.0, 30.0, 120.1, 30.1))
    )
    station = Station.objects.create(
        code=f"BENCH{run}", name=f"压测驿站{run}", kind="union", lat=30.05, lng=120.05
    )
    keeper = User.objects.create_user(f"1980{run}0000", None, name="压测站长")
    RoleAssignment.objects.create(user=keeper, role=Role.STATION_KEEPER, station=station)
    mobiles = [f"199{run}{i:05d}" for i in range(people)]
    User.objects.bulk_create(
        User(mobile=m, mobile_index=blind_index(m), name=f"骑手{i}", password="!")
        for i, m in enumerate(mobiles)
    )
    workers = list(User.objects.filter(mobile_index__in=[blind_index(m) for m in mobiles]))
    WorkerProfile.objects.bulk_create(
        WorkerProfile(
            user=u,
            kind="delivery_rider",
            home_district=district,
            consent_version="bench",
            consent_at=timezone.now(),
        )
        for u in workers
    )
    return {
        "keeper": keeper,
        "station": station,
        "workers": workers,
        "codes": [tokens.personal_code(w.pk) for w in workers],
        "tokens": [api_token_issue(user=keeper).token for _ in range(devices)],
    }


def event_for(data: dict, title: str) -> dict:
    """A party for everyone prepared, starting in ten minutes, everyone signed up."""
    import datetime as dt

    from django.utils import timezone

    from yizhan.training import services

    start = timezone.now() + dt.timedelta(minutes=10)
    people = len(data["workers"])
    party = services.activity_create(
        organiser=data["keeper"],
        data=services.ActivityData(
            kind="party",
            title=title,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=people,
            station_id=data["station"].pk,
        ),
    )
    started = time.perf_counter()
    for worker in data["workers"]:
        services.signup(worker=worker, activity_id=party.pk)
    say(f"{people} sign-ups through the service in {time.perf_counter() - started:.1f} s")
    return {"activity_id": party.pk, "session_id": party.sessions.get().pk}


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


def drive(port: int, jobs_per_device: list[list], send, pace: float = 0.0) -> dict:
    """Each device works through its own list on one keep-alive connection, flat out or
    one request every `pace` seconds (a person at the door takes a second or two)."""
    results: list[tuple[float, int, dict | None]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs_per_device))

    def device(i, jobs):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        barrier.wait()
        for job in jobs:
            if pace:
                time.sleep(pace * random.uniform(0.5, 1.5))
            begin = time.perf_counter()
            try:
                status, body = send(conn, i, job)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, body = 0, None
            mine.append(((time.perf_counter() - begin) * 1000, status, body))
        with lock:
            results.extend(mine)

    threads = [
        threading.Thread(target=device, args=(i, jobs)) for i, jobs in enumerate(jobs_per_device)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(r[0] for r in results)
    return {
        "requests": len(results),
        "errors": sum(1 for r in results if r[1] != 200),
        "seconds": round(elapsed, 2),
        "per_second": round(len(results) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 2),
        "bodies": [r[2] for r in results],
    }


def scan_sender(session_id: int, tokens: list[str]):
    def send(conn, device, code):
        body = json.dumps({"code": code})
        conn.request(
            "POST",
            f"/api/v1/training/sessions/{session_id}/scan",
            body=body,
            headers={
                "Authorization": f"Bearer {tokens[device]}",
                "Content-Type": "application/json",
            },
        )
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if response.status == 200 else None

    return send


def health(conn, device, job):
    conn.request("GET", "/api/v1/health")
    response = conn.getresponse()
    response.read()
    return response.status, None


def count(result: dict, door: dict, people: int) -> dict:
    """What the database says after the run: one check-in and one event per person."""
    from yizhan.core.models import Event
    from yizhan.training.models import Attendance

    bodies = [b for b in result.pop("bodies") if b]
    attendances = Attendance.objects.filter(session_id=door["session_id"])
    published = Event.objects.filter(
        name="event.attended", payload__activity_id=door["activity_id"]
    ).count()
    created = sum(1 for b in bodies if b["created"])
    return {
        "scans_answered_created": created,
        "attendance_rows": attendances.count(),
        "distinct_workers_checked_in": attendances.values("enrolment_id").distinct().count(),
        "event_attended_published": published,
        "double_counts": (created - people) + (attendances.count() - people) + (published - people),
    }


def split(jobs: list, n: int) -> list[list]:
    return [jobs[i::n] for i in range(n)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="the 500-person event")
    parser.add_argument("--tiny", action="store_true", help="seconds: 16 people, 4 devices")
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--repeats", type=float, default=0.25, help="share of repeated scans")
    parser.add_argument(
        "--pace", type=float, default=None, help="seconds between one device's scans (paced run)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    people = args.people or (500 if args.full else 16 if args.tiny else 40)
    if args.tiny:
        args.devices = min(args.devices, 4)
    if args.pace is None:
        args.pace = 1.0 if args.full else 0.05
    database = configure()
    data = prepare(people, args.devices)
    door_a, door_b = event_for(data, "压测生日会"), event_for(data, "压测颁奖仪式")
    tokens = data["tokens"]
    rng = random.Random(15)
    scans = data["codes"] + rng.sample(data["codes"], int(people * args.repeats))
    rng.shuffle(scans)

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
        env=dict(os.environ),
        cwd=ROOT,
    )
    try:
        wait_until_up(port)
        drive(port, split(list(range(200)), args.devices), health)  # warm every worker up
        forged = ["P1-000000000000"] * (4 * args.devices)  # 422s: load the scan path's code
        drive(port, split(forged, args.devices), scan_sender(door_a["session_id"], tokens))
        anchor = drive(port, split(list(range(len(scans))), args.devices), health)
        result = drive(port, split(scans, args.devices), scan_sender(door_a["session_id"], tokens))
        paced = drive(
            port, split(scans, args.devices), scan_sender(door_b["session_id"], tokens), args.pace
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    checks = {
        "flat_out": count(result, door_a, people),
        "paced": count(paced, door_b, people),
    }
    anchor.pop("bodies")
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": database,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server": f"gunicorn gthread {args.workers} workers x {args.threads} threads",
        "event": f"{people} people, {args.devices} door devices, {len(scans)} scans "
        f"({len(scans) - people} repeats)",
        "scan_flat_out": result,
        "scan_paced": {"seconds_between_scans_per_device": args.pace, **paced},
        "anchor_health": anchor,
        "scan_to_health_throughput": round(result["per_second"] / anchor["per_second"], 3),
        "checks": checks,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / ("training_full.json" if args.full else "training.json")).write_text(
        json.dumps(report, indent=2, ensure_ascii=False)
    )
    doubles = sum(c["double_counts"] for c in checks.values())
    missing = sum(people - c["scans_answered_created"] for c in checks.values())
    if doubles or missing or result["errors"] or paced["errors"]:
        raise SystemExit("double counts or errors: " + json.dumps(checks))


if __name__ == "__main__":
    main()
