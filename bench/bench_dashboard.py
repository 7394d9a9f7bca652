"""City dashboards bench on PostgreSQL (docs/DASHBOARDS.md, "Speed"):

1. the demo city (stations, communities, districts, people), then, in bulk SQL
   (INSERT ... SELECT generate_series, not through the services), over the last two years:
   reports with their history, cases with their history, station visits, ledger entries;
2. the first rollup (the whole history) and a nightly one, timed;
3. gunicorn (production settings, 2 workers) on 127.0.0.1, a city administrator's session,
   and every dashboard page and every chart endpoint requested in turn, each followed by the
   trivial endpoint /api/v1/health (the anchor, interleaved in the same run): p50/p99 of each.

    bash scripts/with-postgres.sh .venv/bin/python bench/bench_dashboard.py          # tiny
    bash scripts/with-postgres.sh .venv/bin/python bench/bench_dashboard.py --full   # city

--full: 1,000,000 reports, 200,000 cases, 5,000,000 ledger entries, 1,000,000 visits;
--scale 0.2: a fifth of that (to iterate: the full size takes ≈20 min to load and roll up).
With DATABASE_URL set, a database loaded before is reused (--skip-load, --skip-rollup).
--only '^/dashboard/(coverage/)?$': measure the paths matching that expression only.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stations_http import free_port, server_env, wait_until_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SIZES = {
    "tiny": {"reports": 2000, "cases": 500, "entries": 4000, "visits": 2000, "samples": 5},
    "full": {
        "reports": 1_000_000,
        "cases": 200_000,
        "entries": 5_000_000,
        "visits": 1_000_000,
        "samples": 40,
    },
}
DAYS = 730


def say(message: str) -> None:
    print(message, flush=True)


def setup(scale: str):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        say("bench_dashboard needs PostgreSQL: bash scripts/with-postgres.sh … (skipped)")
        sys.exit(0)
    call_command("migrate", verbosity=0)
    # Production renders {% static %} from the manifest: the monthly reports the demo writes too.
    call_command("collectstatic", "--noinput", verbosity=0)
    from yizhan.places.models import District

    if not District.objects.exists():
        from yizhan.demo.generator import CityGenerator

        started = time.monotonic()
        CityGenerator(scale=scale).build()
        say(f"city ({scale}) in {time.monotonic() - started:.0f} s")


def sql(statement: str, params=()) -> None:
    from django.db import connection

    if params and "%%" not in statement:  # modulo signs beside %s placeholders
        statement = statement.replace("%", "%%").replace("%%s", "%s")
    with connection.cursor() as cur:
        cur.execute(statement, params or None)


def count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return cur.fetchone()[0]


def load(size: dict) -> None:
    started = time.monotonic()
    n = size["reports"]
    # Reports over two years, one in twenty still open; repeat spots come from a coarse grid.
    sql(
        f"""
        WITH c AS (SELECT array_agg(id ORDER BY id) a, count(*) n FROM places_community),
             k AS (SELECT array_agg(id ORDER BY id) a, count(*) n FROM reports_category)
        INSERT INTO reports_report (token, source, client_key, category_id, description, lat, lng,
            community_id, state, reject_reason, photo_reused, media_url, created_at, updated_at,
            due_at, resolved_at, closed_at, location_source, address)
        SELECT gen_random_uuid(), 'bench', '', k.a[1 + (g::bigint * 7) % k.n], '',
            36.00 + ((g::bigint * 7919) % 1200) * 0.0001, 103.62 + ((g::bigint * 104729) % 3000) * 0.0001,
            c.a[1 + (g::bigint * 13) % c.n],
            CASE WHEN g % 20 = 0 THEN 'submitted' WHEN g % 20 = 1 THEN 'in_progress' ELSE 'closed' END,
            '', false, '', t, t, t + interval '3 days',
            CASE WHEN g % 20 > 1 THEN t + (1 + g % 200) * interval '1 hour' END,
            CASE WHEN g % 20 > 1 THEN t + (1 + g % 200) * interval '1 hour' + interval '7 days' END,
            'point', ''
        FROM c, k, generate_series(1, %s) g,
             LATERAL (SELECT now() - ({n} - g) * ({DAYS} * 86400.0 / {n}) * interval '1 second' AS t) tt
        """,
        [n],
    )
    sql(
        """INSERT INTO reports_reportevent (report_id, action, from_state, to_state, note, created_at)
           SELECT id, 'submitted', '', 'submitted', '', created_at FROM reports_report WHERE source = 'bench'
           UNION ALL
           SELECT id, 'resolved', 'in_progress', 'resolved', '', resolved_at FROM reports_report
             WHERE source = 'bench' AND resolved_at IS NOT NULL
           UNION ALL
           SELECT id, 'closed', 'resolved', 'closed', '', closed_at FROM reports_report
             WHERE source = 'bench' AND closed_at IS NOT NULL AND closed_at < now()
           ORDER BY 6"""
    )
    say(f"reports: {count('reports_report'):,} with {count('reports_reportevent'):,} steps")
    n = size["cases"]
    sql(
        f"""
        WITH k AS (SELECT array_agg(id ORDER BY id) a, array_agg(limit_type_id ORDER BY id) l,
                          array_agg(default_department_id ORDER BY id) d, count(*) n FROM cases_category),
             dd AS (SELECT array_agg(id ORDER BY id) a, count(*) n FROM places_district)
        INSERT INTO cases_case (channel, source_order_no, idempotency_key, caller_name, caller_mobile,
            withhold_identity, district_id, category_id, limit_type_id, urgent, description,
            department_id, state, created_at, accept_due_at, accepted_at, due_at, dispatched_at,
            replied_at, reply, closed_at, rating, reopened, on_time, handling_seconds)
        SELECT (ARRAY['app','12345','12328','symposium','walk_in'])[1 + g % 5], '', '', '', '', false,
            dd.a[1 + (g::bigint * 3) % dd.n], k.a[1 + g % k.n], k.l[1 + g % k.n], false, 'bench',
            k.d[1 + g % k.n], CASE WHEN g % 10 = 0 THEN 'handling' ELSE 'closed' END,
            t, t + interval '1 day', t + interval '2 hours', t + interval '10 days',
            t + interval '3 hours',
            CASE WHEN g % 10 > 0 THEN t + (1 + g % 12) * interval '1 day' END, '',
            CASE WHEN g % 10 > 0 THEN t + (2 + g % 12) * interval '1 day' END,
            CASE WHEN g % 10 = 0 THEN '' WHEN g % 7 = 0 THEN 'dissatisfied' WHEN g % 3 = 0 THEN 'basically' ELSE 'satisfied' END,
            CASE WHEN g % 7 = 0 THEN 1 ELSE 0 END,
            CASE WHEN g % 10 > 0 THEN (1 + g % 12) <= 10 END,
            CASE WHEN g % 10 > 0 THEN (1 + g % 12) * 86400 END
        FROM k, dd, generate_series(1, %s) g,
             LATERAL (SELECT now() - ({n} - g) * ({DAYS} * 86400.0 / {n}) * interval '1 second' AS t) tt
        """,
        [n],
    )
    sql(
        """INSERT INTO cases_caseevent (case_id, at, action, from_state, to_state, department_id, note, visibility)
           SELECT u.*, CASE WHEN u.action IN ('submit', 'accept', 'reply', 'close') THEN 'public' ELSE 'staff' END
           FROM (SELECT id, created_at AS at, 'submit' AS action, '', 'submitted', NULL::bigint, '' FROM cases_case WHERE description = 'bench'
           UNION ALL SELECT id, accepted_at, 'accept', 'submitted', 'accepted', NULL::bigint, '' FROM cases_case WHERE description = 'bench'
           UNION ALL SELECT id, dispatched_at, 'dispatch', 'accepted', 'dispatched', department_id, '' FROM cases_case WHERE description = 'bench'
           UNION ALL SELECT id, replied_at, 'reply', 'handling', 'replied', department_id, '' FROM cases_case WHERE description = 'bench' AND replied_at IS NOT NULL
           UNION ALL SELECT id, closed_at, 'close', 'replied', 'closed', department_id, '' FROM cases_case WHERE description = 'bench' AND closed_at IS NOT NULL AND closed_at < now()
           UNION ALL SELECT id, created_at + interval '3 days', 'return', 'signed', 'returned', department_id, '' FROM cases_case WHERE description = 'bench' AND id % 25 = 0) u
           ORDER BY 2"""
    )
    say(f"cases: {count('cases_case'):,} with {count('cases_caseevent'):,} steps")
    n = size["visits"]
    sql(
        f"""
        WITH w AS (SELECT array_agg(user_id ORDER BY user_id) a, count(*) n FROM accounts_workerprofile),
             s AS (SELECT array_agg(id ORDER BY id) a, count(*) n FROM stations_station)
        INSERT INTO stations_stationvisit (station_id, worker_id, at, hour, method)
        SELECT s.a[1 + (g::bigint * 17) % s.n], w.a[1 + g % w.n], t, date_trunc('hour', t), 'qr'
        FROM w, s, generate_series(1, %s) g,
             LATERAL (SELECT date_trunc('day', now()) - ((g / w.n) % {DAYS}) * interval '1 day'
                             + (6 + (g::bigint * 31) % 16) * interval '1 hour' AS t) tt
        WHERE t < now()
        ON CONFLICT DO NOTHING
        """,
        [n],
    )
    say(f"visits: {count('stations_stationvisit'):,}")
    ledger(size["entries"])
    sql("ANALYZE")
    say(f"loaded in {time.monotonic() - started:.0f} s")


def ledger(entries: int) -> None:
    from yizhan.points import ledger as points_ledger
    from yizhan.points import services
    from yizhan.points.models import Account, EarningRule

    sql(
        """INSERT INTO points_account (kind, owner_id, balance, created_at)
           SELECT 'worker', p.user_id, 0, now() FROM accounts_workerprofile p ON CONFLICT DO NOTHING"""
    )
    rule, _ = EarningRule.objects.get_or_create(
        code="bench", defaults={"name": "bench", "source": "event", "points": 10}
    )
    postings = entries // 2
    services.pool_issue(points=postings * 10, reason="bench budget")
    pool = points_ledger.system_account(Account.Kind.POOL)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM points_posting")
        first = cur.fetchone()[0] + 1
    last = first + postings - 1
    sql(
        f"""INSERT INTO points_posting (id, kind, source_type, source_id, rule_id, reason, created_at)
            SELECT g, 'award', 'bench', g::text, %s, '',
                   now() - ({last} - g) * ({DAYS} * 86400.0 / {postings}) * interval '1 second'
            FROM generate_series(%s, %s) g""",
        [rule.pk, first, last],
    )
    sql("SELECT setval(pg_get_serial_sequence('points_posting', 'id'), %s)", [last])
    sql(
        """WITH w AS (SELECT array_agg(id ORDER BY id) a, count(*) n FROM points_account WHERE kind = 'worker')
           INSERT INTO points_entry (posting_id, account_id, amount)
           SELECT g, %s, -10 FROM generate_series(%s, %s) g
           UNION ALL
           SELECT g, w.a[1 + (g::bigint * 7919) %% w.n], 10 FROM w, generate_series(%s, %s) g""",
        [pool.pk, first, last, first, last],
    )
    sql(
        """UPDATE points_account a SET balance = s.total
           FROM (SELECT account_id, sum(amount) total FROM points_entry GROUP BY account_id) s
           WHERE a.id = s.account_id AND a.balance <> s.total"""
    )
    say(f"ledger: {count('points_entry'):,} entries")


def rollups() -> None:
    from django.conf import settings
    from django.utils import timezone

    from yizhan.portal import services

    started = time.monotonic()
    # The whole history: the demo city already ran the job, before the bulk load.
    history = timezone.localdate() - dt.timedelta(days=settings.DASHBOARD_HISTORY_DAYS)
    result = services.dashboard_refresh(force=True, since=history)
    say(f"first rollup (whole history): {time.monotonic() - started:.1f} s, {result}")
    started = time.monotonic()
    services.dashboard_refresh(force=True)
    say(f"nightly rollup (recount window): {time.monotonic() - started:.1f} s")


def session_cookie() -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from yizhan.accounts.models import User

    admin = User.objects.get_by_mobile("13900000001")
    store = SessionStore()
    store[SESSION_KEY] = str(admin.pk)
    store[BACKEND_SESSION_KEY] = "yizhan.accounts.backends.MobilePasswordBackend"
    store[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    store.create()
    return store.session_key


def endpoints() -> list[str]:
    from yizhan.portal.dashboards import figures
    from yizhan.portal.dashboards.filters import system_query

    paths = ["/dashboard/"] + [f"/dashboard/{s}/" for s in figures.SECTIONS if s != "overview"]
    paths.append("/dashboard/grievances/?start={year}")
    from django.utils import timezone

    today = timezone.localdate()
    query = system_query(start=today.replace(day=1), end=today)
    for section in figures.SECTIONS:
        for chart in figures.section(section, query)["charts"]:
            paths.append(f"/api/v1/dashboard/{section}/charts/{chart['key']}")
    year_ago = today.replace(year=today.year - 1) + __import__("datetime").timedelta(days=1)
    return [p.replace("{year}", year_ago.isoformat()) for p in paths]


def measure(port: int, cookie: str, paths: list[str], samples: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}
    times: dict[str, list[float]] = {p: [] for p in [*paths, "/api/v1/health"]}
    for _round in range(samples):
        for path in paths:
            for p in (path, "/api/v1/health"):
                started = time.perf_counter()
                conn.request("GET", p, headers=headers)
                response = conn.getresponse()
                response.read()
                times[p].append(time.perf_counter() - started)
                if response.status != 200:
                    raise SystemExit(f"{p}: HTTP {response.status}")
    return times


def warm(port: int, cookie: str, paths: list[str]) -> None:
    """Every path once on four connections at once: one keep-alive connection stays with one
    worker, and the other's first requests (its station index, templates, imports: up to
    2-3 s on this machine) would otherwise land in the samples."""
    threads = [threading.Thread(target=measure, args=(port, cookie, paths, 1)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="the default size (make test)")
    parser.add_argument("--samples", type=int)
    parser.add_argument("--scale", type=float, help="a fraction of the full size")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-rollup", action="store_true", help="use the rollups as they are")
    parser.add_argument("--only", help="measure only the paths matching this regular expression")
    args = parser.parse_args()
    size = SIZES["full" if args.full or args.scale else "tiny"]
    if args.scale:
        size = {k: v if k == "samples" else int(v * args.scale) for k, v in size.items()}
    os.environ.update(server_env())  # the loader and the server share keys and settings
    setup("demo" if args.full or args.scale else "small")
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    if not args.skip_load and count("reports_report") < size["reports"]:
        load(size)
    if not args.skip_rollup:
        rollups()
    cookie = session_cookie()
    paths = [p for p in endpoints() if not args.only or re.search(args.only, p)]
    port = free_port()
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "yizhan.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "2",
            "-k",
            "gthread",
            "--timeout",
            "120",
        ],
        cwd=ROOT / "src",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port)
        warm(port, cookie, paths)
        times = measure(port, cookie, paths, args.samples or size["samples"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    anchor = times.pop("/api/v1/health")
    a99 = pct(anchor, 0.99)
    rows = []
    for path, values in times.items():
        rows.append((path, pct(values, 0.5), pct(values, 0.99)))
    say(
        f"\nanchor /api/v1/health: p50 {pct(anchor, 0.5):.1f} ms, p99 {a99:.1f} ms "
        f"({len(anchor)} requests, interleaved)"
    )
    say("| endpoint | p50 ms | p99 ms | p99 / anchor p99 |")
    say("| --- | ---: | ---: | ---: |")
    for path, p50, p99 in rows:
        say(f"| {path} | {p50:.0f} | {p99:.0f} | {p99 / a99:.1f} |")
    worst = max(r[2] for r in rows)
    say(
        f"\nworst p99: {worst:.0f} ms; load average {os.getloadavg()[0]:.2f}; "
        f"{os.cpu_count()} cores"
    )
    print(json.dumps({"worst_p99_ms": round(worst), "anchor_p99_ms": round(a99, 1)}))


if __name__ == "__main__":
    main()
