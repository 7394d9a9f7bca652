"""Points bench on PostgreSQL (docs/BENCHMARKS.md, "## Points"):

1. the 300,000-worker city (the demo generator at city scale) and a points account each;
2. ledger entries generated in bulk SQL (INSERT ... SELECT generate_series), not through
   the service: award postings of 10 points from the pool to workers;
3. postings/s: 16 client processes award through `services.award` (the real use case,
   with its locks), each with its own connection;
4. redemptions/s: 16 client processes redeem through `services.redemption_create`
   (worker lock, conditional stock update, hold posting);
5. `yizhan points verify` timed at each size.

Environment: BENCH_POINTS_ENTRIES (default 5,000,000), BENCH_POINTS_STEP (1,000,000),
BENCH_CLIENTS (16), BENCH_SECONDS (20), BENCH_WORKERS_SCALE (city).
"""

import io
import multiprocessing as mp
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

ENTRIES = int(os.environ.get("BENCH_POINTS_ENTRIES", 5_000_000))
STEP = int(os.environ.get("BENCH_POINTS_STEP", 1_000_000))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 16))
SECONDS = float(os.environ.get("BENCH_SECONDS", 20))
SCALE = os.environ.get("BENCH_WORKERS_SCALE", "city")


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
    summary = CityGenerator(scale=SCALE, stream=sys.stderr).build()
    say(f"city: {summary.workers} workers in {time.monotonic() - started:.0f} s")


def accounts() -> None:
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO points_account (kind, owner_id, balance, created_at)
               SELECT 'worker', p.user_id, 0, now() FROM accounts_workerprofile p
               ON CONFLICT DO NOTHING"""
        )
        cur.execute("SELECT count(*) FROM points_account WHERE kind = 'worker'")
        say(f"worker accounts: {cur.fetchone()[0]} in {time.monotonic() - started:.1f} s")


def bench_rule():
    from yizhan.points.models import EarningRule

    rule, _ = EarningRule.objects.get_or_create(
        code="bench", defaults={"name": "bench", "source": "event", "points": 10}
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
    services.pool_issue(points=postings * 10, reason="bench budget")
    pool = ledger.system_account(Account.Kind.POOL)
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM points_posting")
        first = cur.fetchone()[0] + 1
        last = first + postings - 1
        cur.execute(
            """INSERT INTO points_posting (id, kind, source_type, source_id, rule_id, reason, created_at)
               SELECT g, 'award', 'bench', g::text, %s, '', now() - (g %% 5000) * interval '10 minutes'
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


def verify() -> float:
    from yizhan.points.verification import verify_ledger

    started = time.monotonic()
    report = verify_ledger()
    took = time.monotonic() - started
    status = "OK" if report.ok else f"VIOLATIONS {report.violations}"
    say(f"points verify over {report.totals['entries']:,} entries: {took:.1f} s ({status})")
    return took


# --- Concurrent clients ------------------------------------------------------------------------


def _client(args):
    kind, seed, deadline, user_ids, item_id, station_id = args
    connections.close_all()  # a connection of our own, not the parent's
    from yizhan.accounts.models import User
    from yizhan.core.errors import Conflict
    from yizhan.points import services

    rng = random.Random(seed)
    rule = bench_rule()
    done = refused = 0
    i = 0
    while time.time() < deadline:
        i += 1
        user = User.objects.get(pk=rng.choice(user_ids))
        try:
            if kind == "award":
                services.award(
                    rule=rule, worker=user, source_type="bench-live", source_id=f"{seed}-{i}"
                )
            else:
                services.redemption_create(worker=user, item_id=item_id, station_id=station_id)
            done += 1
        except Conflict:  # not enough points, out of stock
            refused += 1
    connections.close_all()
    return done, refused


def clients(kind: str, item_id=None, station_id=None) -> None:
    from yizhan.points.models import Account

    user_ids = list(
        Account.objects.filter(kind="worker", balance__gte=10).values_list("owner_id", flat=True)[
            :200_000
        ]
    )
    connections.close_all()
    deadline = time.time() + SECONDS + 2
    args = [(kind, n, deadline, user_ids, item_id, station_id) for n in range(CLIENTS)]
    started = time.time()
    with mp.get_context("fork").Pool(CLIENTS) as pool:
        results = pool.map(_client, args)
    took = time.time() - started
    done = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    name = "postings" if kind == "award" else "redemptions"
    say(
        f"{name}/s with {CLIENTS} clients: {done / took:,.0f} ({done:,} in {took:.1f} s, {refused} refused)"
    )


def main() -> None:
    from yizhan.points import services
    from yizhan.stations.models import Station

    city()
    accounts()
    verify()
    size = min(STEP, ENTRIES)
    bulk_entries(size)
    verify()
    clients("award")
    verify()
    admin = __import__("yizhan.accounts.models", fromlist=["User"]).User.objects.get_by_mobile(
        "13900000001"
    )
    station = Station.objects.order_by("code").first()
    item = services.catalog_item_create(
        by=admin, name="bench voucher", price=2, stock=10_000_000, stations=[station]
    )
    clients("redeem", item.pk, station.pk)
    verify()
    while size < ENTRIES:
        size = min(size + STEP, ENTRIES)
        bulk_entries(size)
    verify()
    out = io.StringIO()
    call_command("points", "verify", stdout=out)
    say(out.getvalue().strip().splitlines()[-2])


if __name__ == "__main__":
    main()
