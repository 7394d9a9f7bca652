"""Platform transparency at city scale (docs/TRANSPARENCY.md, "Figures"):

1. import of one earnings statement through `services.statement_import` (decode, check every
   row, refuse or insert, driving minutes per day); anchor: `csv.reader` over the same bytes;
2. the monthly commission index (`services.index_compute`: count, distinct workers, median
   and 90th percentile per platform and service) over W workers × N orders each, inserted
   with generate_series on PostgreSQL; anchor: `SELECT count(*)` over the same month.

Tiny by default (2,000 rows; 300 workers × 30 orders): seconds, any database. The issue's
sizes: `--full` (100,000 rows; 300,000 workers × 30 = 9,000,000 orders), on PostgreSQL:

    bash scripts/with-postgres.sh .venv/bin/python bench/bench_transparency.py --full

Without DATABASE_URL the bench uses a throwaway SQLite file, never the demo's database.
"""

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time

if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{tempfile.mkdtemp(prefix='yizhan-bench-')}/bench.sqlite3"
    )

from _common import fresh_database, machine, report, setup_django  # noqa: E402

setup_django()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from yizhan.accounts.models import User, WorkerProfile  # noqa: E402
from yizhan.orgs.models import Platform  # noqa: E402
from yizhan.places.models import District  # noqa: E402
from yizhan.transparency import services  # noqa: E402
from yizhan.transparency.models import Order, ServiceType  # noqa: E402

MONTH = dt.date(2026, 10, 1)  # the index month
STATEMENT_MONTH = dt.date(2026, 9, 1)  # the statement's orders stay out of the index month
PLATFORMS = [
    ("huanghe", "黄河出行", "ride_hailing", "ride_express"),
    ("longshang", "陇上快送", "delivery", "food_delivery"),
    ("jincheng", "金城外卖", "delivery", "food_delivery"),
    ("silu", "丝路货运", "freight", "freight_city"),
    ("feiyan", "飞燕快递", "courier", "parcel"),
    ("tongcheng", "同城急送", "delivery", "errand"),
]


def say(message: str) -> None:
    print(message, flush=True)


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def setup():
    fresh_database()
    services.routing_defaults_ensure()
    district, _ = District.objects.get_or_create(code="620102", defaults={"name": "城关区"})
    platforms = {}
    for code, name, kind, _service in PLATFORMS:
        platforms[code], _ = Platform.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
    driver = User.objects.filter(mobile_index="bench-driver").first()
    if driver is None:
        driver = User.objects.create(
            mobile="13800000002", mobile_index="bench-driver", name="李大山", password="!"
        )
        WorkerProfile.objects.create(
            user=driver,
            kind="ride_hailing_driver",
            platform=platforms["huanghe"],
            home_district=district,
            consent_version="2026-11",
            consent_at=timezone.now(),
        )
    return platforms, driver


# --- 1. one statement ----------------------------------------------------------------------


def statement(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["订单号", "完成时间", "服务类型", "乘客支付(元)", "司机收入(元)", "行驶时长(分钟)"]
    )
    services_ = ["快车", "专车", "拼车"]
    for i in range(rows):
        day = STATEMENT_MONTH + dt.timedelta(days=i % 30)
        fare = 1500 + (i * 7919) % 6000
        payout = fare - fare * (1800 + (i * 31) % 1400) // 10_000
        writer.writerow(
            [
                f"BENCH{i:08d}",
                f"{day} {6 + i % 17:02d}:{i % 60:02d}",
                services_[i % 3],
                f"{fare // 100}.{fare % 100:02d}",
                f"{payout // 100}.{payout % 100:02d}",
                str(10 + i % 40),
            ]
        )
    return out.getvalue().encode("gb18030")


def bench_statement(platforms, driver, rows: int) -> list[tuple[str, str]]:
    data = statement(rows)
    Order.objects.filter(worker=driver).delete()
    started = time.perf_counter()
    sum(1 for _ in csv.reader(io.StringIO(data.decode("gb18030"))))
    anchor = time.perf_counter() - started
    started = time.perf_counter()
    result = services.statement_import(
        worker=driver, platform=platforms["huanghe"], filename="bench.csv", data=data
    )
    took = time.perf_counter() - started
    assert result.imported == rows, result
    started = time.perf_counter()
    again = services.statement_import(
        worker=driver, platform=platforms["huanghe"], filename="bench.csv", data=data
    )
    dup = time.perf_counter() - started
    assert again.imported == 0 and again.duplicates == rows
    return [
        ("statement rows", f"{rows:,} ({len(data) / 2**20:.1f} MB, GBK)"),
        ("import", f"{took:.2f} s ({rows / took:,.0f} rows/s)"),
        ("import again (all duplicates)", f"{dup:.2f} s"),
        (
            "anchor: csv.reader over the same bytes",
            f"{anchor:.3f} s (import = {took / anchor:.0f}×)",
        ),
    ]


# --- 2. the monthly index --------------------------------------------------------------------


def insert_orders_postgres(platforms, workers: int, per_worker: int) -> None:
    services_ = {code: ServiceType.objects.get(code=s).pk for code, _n, _k, s in PLATFORMS}
    ids = [platforms[code].pk for code, *_ in PLATFORMS]
    sts = [services_[code] for code, *_ in PLATFORMS]
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO accounts_user (password, is_superuser, mobile, mobile_index, name,
                   name_index, mobile_mask_index, is_active, is_staff, date_joined, language)
               SELECT '!', false, 'x', 'bench-' || g, '', '', '', true, false, now(), 'zh-hans'
               FROM generate_series(1, %s) g""",
            [workers],
        )
        cur.execute(
            "SELECT min(id), max(id) FROM accounts_user WHERE mobile_index LIKE 'bench-%%'"
            " AND mobile_index <> 'bench-driver'"
        )
        first, last = cur.fetchone()
        assert last - first + 1 == workers, "user ids are not contiguous: use a fresh database"
        base = first - 1
        cur.execute(
            f"""INSERT INTO {Order._meta.db_table} (worker_id, platform_id, service_type_id,
                   order_no, completed_on, fare_fen, payout_fen, rate_bp, source, created_at,
                   screenshot)
               SELECT %s + 1 + (g %% %s),
                      (ARRAY{ids}::bigint[])[1 + (g / %s) %% 6],
                      (ARRAY{sts}::bigint[])[1 + (g / %s) %% 6],
                      'B' || g,
                      %s::date + (g %% 30)::int,
                      1000 + (g * 7919) %% 5000,
                      1000 + (g * 7919) %% 5000
                        - (1000 + (g * 7919) %% 5000) * (1500 + (g * 31) %% 1500) / 10000,
                      ((1000 + (g * 7919) %% 5000) * (1500 + (g * 31) %% 1500) / 10000) * 10000
                        / (1000 + (g * 7919) %% 5000),
                      'manual', now(), ''
               FROM generate_series(0::bigint, %s - 1) g""",
            [base, workers, workers, workers, MONTH, workers * per_worker],
        )
        cur.execute(f"ANALYZE {Order._meta.db_table}")


def insert_orders_portable(platforms, workers: int, per_worker: int) -> None:
    services_ = {code: ServiceType.objects.get(code=s) for code, _n, _k, s in PLATFORMS}
    users = User.objects.bulk_create(
        User(mobile="x", mobile_index=f"bench-{i}", name="", password="!") for i in range(workers)
    )
    if users[0].pk is None:
        users = list(
            User.objects.filter(mobile_index__startswith="bench-").exclude(
                mobile_index="bench-driver"
            )
        )
    codes = [code for code, *_ in PLATFORMS]
    batch = []
    now = timezone.now()
    for g in range(workers * per_worker):
        code = codes[(g // workers) % 6]
        fare = 1000 + (g * 7919) % 5000
        commission = fare * (1500 + (g * 31) % 1500) // 10_000
        batch.append(
            Order(
                worker=users[g % workers],
                platform=platforms[code],
                service_type=services_[code],
                order_no=f"B{g}",
                completed_on=MONTH + dt.timedelta(days=g % 30),
                fare_fen=fare,
                payout_fen=fare - commission,
                rate_bp=commission * 10_000 // fare,
                source="manual",
                created_at=now,
            )
        )
        if len(batch) == 5000:
            Order.objects.bulk_create(batch)
            batch = []
    Order.objects.bulk_create(batch)


def bench_index(platforms, workers: int, per_worker: int) -> list[tuple[str, str]]:
    Order.objects.exclude(order_no__startswith="BENCH").delete()
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        insert_orders_postgres(platforms, workers, per_worker)
    else:
        insert_orders_portable(platforms, workers, per_worker)
    inserted = time.perf_counter() - started
    n = Order.objects.filter(completed_on__gte=MONTH, completed_on__lt=dt.date(2026, 11, 1)).count()
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {Order._meta.db_table} WHERE completed_on >= %s AND completed_on < %s",
            [MONTH, dt.date(2026, 11, 1)],
        )
        cur.fetchone()
    anchor = time.perf_counter() - started
    started = time.perf_counter()
    rows = services.index_compute(month=MONTH)
    took = time.perf_counter() - started
    published = sum(r.published for r in rows)
    return [
        ("orders in the month", f"{n:,} ({workers:,} workers × {per_worker})"),
        (
            "insert (generate_series)"
            if connection.vendor == "postgresql"
            else "insert (bulk_create)",
            f"{inserted:.1f} s",
        ),
        (
            "monthly index",
            f"{took:.2f} s for {len(rows)} platform services ({published} published)",
        ),
        ("anchor: count(*) over the month", f"{anchor:.2f} s (index = {took / anchor:.1f}×)"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes (PostgreSQL)")
    parser.add_argument("--tiny", action="store_true", help="seconds: 500 rows, 100 workers")
    parser.add_argument("--rows", type=int, help="statement rows")
    parser.add_argument("--workers", type=int, help="workers in the index month")
    parser.add_argument("--per-worker", type=int, default=30, help="orders per worker")
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.full else 500 if args.tiny else 2_000)
    workers = args.workers or (300_000 if args.full else 100 if args.tiny else 300)
    platforms, driver = setup()
    say(f"{machine()}, {connection.vendor}, load average {loadavg()}, {dt.date.today()}")
    report("Statement import", bench_statement(platforms, driver, rows))
    report("Monthly commission index", bench_index(platforms, workers, args.per_worker))
    return 0


if __name__ == "__main__":
    sys.exit(main())
