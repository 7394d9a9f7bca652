"""Points bench on PostgreSQL (docs/BENCHMARKS.md, "Points"):

1. the city (the demo generator, 300,000 workers at city scale) and a points account each;
   ledger entries generated in bulk SQL (INSERT ... SELECT generate_series: award postings
   from the pool to workers), not through the service, so the indexes have a city's size;
2. then, repeated (3 times by default), each measure next to its anchor in the same run:
   - pgbench simple-update (the anchor for awards), 16 clients;
   - awards: 16 client processes stage awards through `services.award_request` (what the
     subscribers call for each good deed) while the real task worker (`yizhan db_worker`,
     two processes) runs the batch applier they book; awards/s counts the postings made in
     the window; the request's latency (p50/p99) is the client's, the lag is from staging to
     posting;
   - awards posted at once through `services.award` (the interactive path), 16 clients;
   - pgbench tpcb-like (the anchor for redemptions), 16 clients;
   - redemptions: 16 client processes redeem one catalogue item through
     `services.redemption_create` (the hot stock row and escrow every time), then the same
     through `services.redemption_request` (what the page and the API call: the use case
     wrapped in `core.idempotency.run_once`, a fresh key each time);
   - `points verify` after each, and the stock checked against the redemptions: violations.

The window of a measure starts when every client has connected and made one warm-up call
(processes are forked and connected before it) and ends when the last one stops; clients
only call the service (their User objects are loaded once, before the window).

    bash scripts/with-postgres.sh .venv/bin/python bench/bench_points.py [--tiny] [--reps 3]
        [--only awards|redemptions]

Environment: BENCH_POINTS_ENTRIES (1,000,000), BENCH_CLIENTS (16), BENCH_SECONDS (15),
BENCH_WORKERS_SCALE (city), BENCH_PGBENCH_SCALE (16).
"""

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from _common import ROOT, load_average, machine, setup_django, summarise

os.environ.setdefault("YIZHAN_POINTS_AWARD_DELAY_MS", "250")
os.environ.setdefault("YIZHAN_POINTS_AWARD_BATCH", "200")
setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

CONFIG = {}


def say(message: str) -> None:
    print(message, flush=True)


def city() -> None:
    from yizhan.demo.generator import CityGenerator
    from yizhan.places.models import District

    call_command("migrate", verbosity=0)
    if District.objects.exists():
        say("city already loaded")
        return
    started = time.monotonic()
    summary = CityGenerator(scale=CONFIG["scale"], stream=sys.stderr).build()
    say(f"city: {summary.workers:,} workers in {time.monotonic() - started:.0f} s")


def accounts() -> None:
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO points_account (kind, owner_id, balance, created_at)
               SELECT 'worker', p.user_id, 0, now() FROM accounts_workerprofile p
               ON CONFLICT DO NOTHING"""
        )
        cur.execute("SELECT count(*) FROM points_account WHERE kind = 'worker'")
        say(f"worker accounts: {cur.fetchone()[0]:,} in {time.monotonic() - started:.1f} s")


def bench_rule():
    """A rule for the bench's own report category, with caps generous enough never to cut
    (the caps are still counted for every award)."""
    from yizhan.points.models import EarningRule

    rule, _ = EarningRule.objects.get_or_create(
        code="bench",
        defaults={
            "name": "bench",
            "source": "report_verified",
            "category": "bench",
            "points": 10,
            "daily_cap": 100_000,
            "monthly_cap": 1_000_000,
        },
    )
    return rule


def entries_now() -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM points_entry")
        return cur.fetchone()[0]


def bulk_entries(target: int) -> None:
    """Award postings (2 entries each) from the pool to workers, in SQL, up to `target`."""
    from yizhan.points import ledger, services
    from yizhan.points.models import Account

    have = entries_now()
    postings = (target - have) // 2
    if postings <= 0:
        return
    rule = bench_rule()
    services.pool_issue(points=postings * 10 + 100_000_000, reason="bench budget")
    pool = ledger.system_account(Account.Kind.POOL)
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM points_posting")
        first = cur.fetchone()[0] + 1
        last = first + postings - 1
        cur.execute(
            """INSERT INTO points_posting (id, kind, source_type, source_id, rule_id, reason, created_at)
               SELECT g, 'award', 'bench', g::text, %s, '',
                      now() - interval '40 days' - (g %% 5000) * interval '10 minutes'
               FROM generate_series(%s, %s) g""",
            [rule.pk, first, last],
        )
        cur.execute("SELECT setval(pg_get_serial_sequence('points_posting', 'id'), %s)", [last])
        cur.execute(
            """WITH w AS (SELECT array_agg(id ORDER BY id) a, count(*) n FROM points_account
                          WHERE kind = 'worker')
               INSERT INTO points_entry (posting_id, account_id, amount)
               SELECT g, %s, -10 FROM generate_series(%s, %s) g
               UNION ALL
               SELECT g, w.a[1 + (g::bigint * 7919) %% w.n], 10 FROM w, generate_series(%s, %s) g""",
            [pool.pk, first, last, first, last],
        )
        cur.execute(
            """UPDATE points_account a SET balance = s.total
               FROM (SELECT account_id, sum(amount) total FROM points_entry GROUP BY account_id) s
               WHERE a.id = s.account_id AND a.balance <> s.total"""
        )
        cur.execute("ANALYZE points_entry; ANALYZE points_posting; ANALYZE points_account")
    say(f"bulk: {postings * 2:,} entries in {time.monotonic() - started:.0f} s → {entries_now():,}")


def verify() -> tuple[float, list[str]]:
    from yizhan.points.verification import verify_ledger

    started = time.monotonic()
    report = verify_ledger()
    return time.monotonic() - started, report.violations


# --- pgbench: the anchors ------------------------------------------------------------------


def pgbench_bin() -> str:
    """The pgbench of the cluster's PostgreSQL (Debian's postgresql package), else PATH's."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), key=lambda p: p.parts[-3])
    return str(found[-1]) if found else "pgbench"


def pg_args() -> list[str]:
    url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    return [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        url.path.lstrip("/"),
    ]


def pgbench_init() -> None:
    started = time.monotonic()
    subprocess.run(
        [pgbench_bin(), "-i", "-q", "-s", str(CONFIG["pgbench_scale"]), *pg_args()],
        check=True,
        capture_output=True,
    )
    say(f"pgbench -i -s {CONFIG['pgbench_scale']}: {time.monotonic() - started:.0f} s")


def pgbench(script: str) -> dict:
    """A built-in pgbench script with the same clients and seconds as the measures; tps and
    latency percentiles from its per-transaction log."""
    logdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"pgbench-{os.getpid()}"
    logdir.mkdir(exist_ok=True)
    for old in logdir.glob("*"):
        old.unlink()
    load = load_average()
    result = subprocess.run(
        [
            pgbench_bin(),
            "-b",
            script,
            "-c",
            str(CONFIG["clients"]),
            "-j",
            str(min(CONFIG["clients"], os.cpu_count() or 2)),
            "-T",
            str(max(1, int(CONFIG["seconds"]))),
            "-n",
            "-l",
            "--log-prefix",
            str(logdir / "log"),
            *pg_args(),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    tps = next(
        float(line.split("=")[1].split()[0])
        for line in result.stdout.splitlines()
        if line.startswith("tps") and "without" in line
    )
    latencies = []
    for log in logdir.glob("log*"):
        for line in log.read_text().splitlines():
            latencies.append(int(line.split()[2]) / 1e6)
    return {"rate": tps, **latency(latencies), "load": load}


def latency(samples: list[float]) -> dict:
    if not samples:
        return {"p50_ms": float("nan"), "p99_ms": float("nan")}
    ordered = sorted(samples)
    return {
        "p50_ms": ordered[len(ordered) // 2] * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


# --- Clients ---------------------------------------------------------------------------------


def _client(kind, seed, user_ids, item_id, station_id, tag, barrier, out):
    connections.close_all()  # a connection of our own, made before the window
    from yizhan.accounts.models import User
    from yizhan.core.errors import Conflict
    from yizhan.points import services

    rng = random.Random(f"{tag}-{seed}")
    # Redeemers take their users in turn from a point of their own each rep, so a rep does
    # not spend the points of the users the rep before spent.
    start = rng.randrange(len(user_ids))
    users = list(User.objects.filter(pk__in=user_ids))
    rule = bench_rule()

    def one(i):
        if kind in ("redeem", "request"):
            user = users[(start + i) % len(users)]
        else:
            user = rng.choice(users)
        if kind == "stage":
            services.award_request(
                deed="report_verified",
                worker_id=user.pk,
                source_id=f"{tag}-{seed}-{i}",
                category="bench",
            )
        elif kind == "award":
            services.award(
                rule=rule, worker=user, source_type="bench-now", source_id=f"{tag}-{seed}-{i}"
            )
        elif kind == "request":
            services.redemption_request(
                worker=user, item_id=item_id, station_id=station_id, key=f"{tag}-{seed}-{i}"
            )
        else:
            services.redemption_create(worker=user, item_id=item_id, station_id=station_id)

    # Warm up: connection, roles of the first user, statement caches (a refusal — that
    # user's points spent — warms up as well).
    with contextlib.suppress(Conflict):
        one(-1)
    done = refused = 0
    latencies, staged = [], {}
    barrier.wait(timeout=300)
    started = time.time()
    cpu = time.process_time()
    deadline = started + CONFIG["seconds"]
    i = 0
    while time.time() < deadline:
        t0 = time.perf_counter()
        try:
            one(i)
            done += 1
        except Conflict:
            refused += 1
        latencies.append(time.perf_counter() - t0)
        if kind == "stage" and i % 10 == 0:
            staged[f"{tag}-{seed}-{i}"] = time.time()
        i += 1
    ended = time.time()
    cpu = time.process_time() - cpu
    connections.close_all()
    out.put((done, refused, started, ended, latencies, staged, cpu))


def clients(kind: str, user_ids: list[int], *, tag: str, item_id=None, station_id=None) -> dict:
    n = CONFIG["clients"]
    connections.close_all()
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(n + 1), ctx.Queue()
    per = max(1, len(user_ids) // n)
    procs = [
        ctx.Process(
            target=_client,
            args=(
                kind,
                s,
                user_ids[s * per : (s + 1) * per] or user_ids,
                item_id,
                station_id,
                tag,
                barrier,
                out,
            ),
        )
        for s in range(n)
    ]
    for p in procs:
        p.start()
    load = load_average()
    # Every client connected and warmed up: the window opens. A client that died (its
    # traceback is on stderr) breaks the barrier or sends nothing: fail, do not hang.
    barrier.wait(timeout=300)
    results = [out.get(timeout=CONFIG["seconds"] + 300) for _ in procs]
    for p in procs:
        p.join()
    start = min(r[2] for r in results)
    end = max(r[3] for r in results)
    done = sum(r[0] for r in results)
    samples = [x for r in results for x in r[4]]
    staged = {k: v for r in results for k, v in r[5].items()}
    return {
        "done": done,
        "refused": sum(r[1] for r in results),
        "window_s": end - start,
        "rate": done / (end - start),
        # The clients' own CPU per call (Python, Django, the driver): with 2 cores for the
        # clients and PostgreSQL together, it bounds the rate at about 2 / (this + server).
        "client_cpu_ms": 1000 * sum(r[6] for r in results) / max(done, 1),
        **latency(samples),
        "load": load,
        "start": start,
        "end": end,
        "staged": staged,
    }


def appliers(count: int) -> list[subprocess.Popen]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), LOG_LEVEL="WARNING")
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "yizhan.cli",
                "db_worker",
                "--interval",
                "0.05",
                "--no-startup-delay",
                "--no-reload",
                "-v",
                "0",
            ],
            env=env,
            cwd=ROOT,
        )
        for _ in range(count)
    ]


def measure_awards(user_ids, tag) -> dict:
    """Staged awards with the real task worker posting them in batches."""
    from yizhan.points import services
    from yizhan.points.models import AwardRequest, Posting

    workers = appliers(CONFIG["appliers"])
    try:  # the task workers are up (one award staged and posted) before the window opens
        services.award_request(
            deed="report_verified", worker_id=user_ids[0], source_id=f"{tag}-warm", category="bench"
        )
        up_since = time.time()
        while AwardRequest.objects.exists() and time.time() - up_since < 120:
            time.sleep(0.1)
        run = clients("stage", user_ids, tag=tag)
        drain_started = time.time()
        while AwardRequest.objects.exists() and time.time() - drain_started < 300:
            time.sleep(0.2)
        drained = time.time() - drain_started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
    posted = Posting.objects.filter(kind="award", source_type="report", source_id__startswith=tag)
    times = dict(posted.values_list("source_id", "created_at"))
    last = max((at.timestamp() for at in times.values()), default=run["end"])
    in_window = sum(1 for at in times.values() if run["start"] <= at.timestamp() <= run["end"])
    lags = [times[k].timestamp() - t for k, t in run["staged"].items() if k in times]
    run.update(
        posted=len(times),
        # every award requested in the window, posted: from the window's start to the last
        posting_rate=len(times) / (max(last, run["end"]) - run["start"]),
        posted_in_window_rate=in_window / run["window_s"],
        drain_s=drained,
        lag_p50_ms=latency(lags)["p50_ms"],
        lag_p99_ms=latency(lags)["p99_ms"],
        missing=len([k for k in run["staged"] if k not in times]),
    )
    return run


def redemption_item():
    from yizhan.accounts.models import User
    from yizhan.points import services
    from yizhan.stations.models import Station

    admin = User.objects.get_by_mobile("13900000001")
    station = Station.objects.order_by("code").first()
    item = services.catalog_item_create(
        by=admin, name="bench voucher", price=2, stock=100_000_000, stations=[station]
    )
    return item, station


def measure_redemptions(user_ids, item, station, *, kind="redeem", tag="r") -> dict:
    from yizhan.points.models import CatalogItem, Redemption

    before_stock = CatalogItem.objects.get(pk=item.pk).stock
    before = Redemption.objects.filter(item=item).count()
    run = clients(kind, user_ids, tag=tag, item_id=item.pk, station_id=station.pk)
    made = Redemption.objects.filter(item=item).count() - before
    sold = before_stock - CatalogItem.objects.get(pk=item.pk).stock
    run["oversold"] = sold - made
    run["made"] = made
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="seconds: a small city, 2 clients")
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--only", choices=["awards", "redemptions"], default=None)
    args, _ = parser.parse_known_args()
    if not connection.vendor == "postgresql":
        raise SystemExit("run under scripts/with-postgres.sh (make bench does)")
    tiny = args.tiny
    CONFIG.update(
        scale="small" if tiny else os.environ.get("BENCH_WORKERS_SCALE", "city"),
        entries=10_000 if tiny else int(os.environ.get("BENCH_POINTS_ENTRIES", 1_000_000)),
        clients=2 if tiny else int(os.environ.get("BENCH_CLIENTS", 16)),
        seconds=1.0 if tiny else float(os.environ.get("BENCH_SECONDS", 15)),
        pgbench_scale=1 if tiny else int(os.environ.get("BENCH_PGBENCH_SCALE", 16)),
        appliers=1 if tiny else int(os.environ.get("BENCH_APPLIERS", 2)),
        reps=args.reps or (1 if tiny else 3),
        only=args.only,
    )
    say(f"machine: {machine()}; {json.dumps({k: v for k, v in CONFIG.items()})}")
    city()
    accounts()
    bulk_entries(CONFIG["entries"])
    took, violations = verify()
    say(f"points verify over {entries_now():,} entries: {took:.1f} s, violations {len(violations)}")
    pgbench_init()
    from yizhan.points.models import Account

    user_ids = list(
        Account.objects.filter(kind="worker", balance__gte=10)
        .order_by("owner_id")
        .values_list("owner_id", flat=True)[:200_000]
    )
    item, station = redemption_item()
    runs = []
    measures = {CONFIG["only"]} if CONFIG["only"] else {"awards", "redemptions"}
    for rep in range(1, CONFIG["reps"] + 1):
        row = {"rep": rep}
        if "awards" in measures:
            row["simple_update"] = pgbench("simple-update")
            row["awards"] = measure_awards(user_ids, tag=f"bench{rep}")
            row["awards_now"] = clients("award", user_ids, tag=f"now{rep}")
        if "redemptions" in measures:
            row["tpcb_like"] = pgbench("tpcb-like")
            row["redemptions"] = measure_redemptions(user_ids, item, station, tag=f"r{rep}")
            row["requests"] = measure_redemptions(
                user_ids, item, station, kind="request", tag=f"q{rep}"
            )
        took, violations = verify()
        oversold = [row[k]["oversold"] for k in ("redemptions", "requests") if k in row]
        row["violations"] = len(violations) + sum(max(n, 0) for n in oversold)
        row["verify_s"] = took
        for name in ("awards", "awards_now", "redemptions", "requests"):
            if name in row:
                row[name].pop("staged", None)
        said = [f"rep {rep}:"]
        if "awards" in row:
            a = row["awards"]
            said.append(
                f"simple-update {row['simple_update']['rate']:,.0f} tps "
                f"(p99 {row['simple_update']['p99_ms']:.1f} ms) | awards posted "
                f"{a['posting_rate']:,.0f}/s ({a['posted_in_window_rate']:,.0f}/s in the window), "
                f"staged {a['rate']:,.0f}/s (p99 {a['p99_ms']:.1f} ms, "
                f"lag p99 {a['lag_p99_ms']:.0f} ms, {a['missing']} missing) | at once "
                f"{row['awards_now']['rate']:,.0f}/s (p99 {row['awards_now']['p99_ms']:.1f} ms) |"
            )
        if "redemptions" in row:
            r, q = row["redemptions"], row["requests"]
            said.append(
                f"tpcb-like {row['tpcb_like']['rate']:,.0f} tps | redemptions {r['rate']:,.0f}/s "
                f"(p99 {r['p99_ms']:.1f} ms, client CPU {r['client_cpu_ms']:.2f} ms, refused "
                f"{r['refused']}, oversold {r['oversold']}) | through redemption_request "
                f"{q['rate']:,.0f}/s (p99 {q['p99_ms']:.1f} ms, client CPU "
                f"{q['client_cpu_ms']:.2f} ms, refused {q['refused']}, oversold {q['oversold']}) |"
            )
        first = row.get("awards") or row["redemptions"]
        said.append(f"violations {row['violations']} | load {first['load']:.1f}")
        say(" ".join(said))
        runs.append(row)
    specs = [
        spec
        for spec in [
            ("pgbench simple-update, tps", "simple_update", "rate"),
            (
                "awards/s: requested in the window and posted (to the last posting)",
                "awards",
                "posting_rate",
            ),
            ("awards posted/s within the window", "awards", "posted_in_window_rate"),
            ("award requests/s (client calls)", "awards", "rate"),
            ("award request p99, ms", "awards", "p99_ms"),
            ("staging → posting lag p99, ms", "awards", "lag_p99_ms"),
            ("awards at once (services.award)/s", "awards_now", "rate"),
            ("award at once p99, ms", "awards_now", "p99_ms"),
            ("pgbench tpcb-like, tps", "tpcb_like", "rate"),
            ("redemptions/s", "redemptions", "rate"),
            ("redemption p99, ms", "redemptions", "p99_ms"),
            ("client CPU per redemption, ms", "redemptions", "client_cpu_ms"),
            ("redemptions/s through redemption_request", "requests", "rate"),
            ("redemption_request p99, ms", "requests", "p99_ms"),
            ("client CPU per redemption_request, ms", "requests", "client_cpu_ms"),
            ("client CPU per award request, ms", "awards", "client_cpu_ms"),
            ("client CPU per award at once, ms", "awards_now", "client_cpu_ms"),
            ("violations (verify + oversold)", None, "violations"),
        ]
        if spec[1] is None or spec[1] in runs[0]
    ]
    table = summarise(runs, specs)
    say(table)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "points.json").write_text(json.dumps({"config": CONFIG, "runs": runs}, indent=2))
    if any(row["violations"] for row in runs):
        raise SystemExit("ledger violations")


if __name__ == "__main__":
    main()
