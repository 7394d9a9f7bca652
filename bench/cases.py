"""Work orders at city scale, in the production profile (YIZHAN_ENV=production: DEBUG off,
persistent database connections, cached templates): the dispatcher's queue page with the
health endpoint interleaved, the deadline sweep next to its anchor (the same writes as
plain set-based statements, in the same run, on the same data), and the import of a
50,000-row hotline file. Queue and sweep are repeated 3 times.

    bash scripts/with-postgres.sh .venv/bin/python bench/cases.py [--cases N] [--rows N] [--tiny]
"""

import argparse
import datetime as dt
import random
import time

from _common import (
    fresh_database,
    load_average,
    machine,
    percentiles,
    production_settings,
    report,
    setup_django,
)

production_settings()
setup_django()

from _common import collect_static  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yizhan.accounts.models import Role, RoleAssignment, User  # noqa: E402
from yizhan.cases import services  # noqa: E402
from yizhan.cases.demo import seed_reference_data  # noqa: E402
from yizhan.cases.models import Case, Category, HotlineSource  # noqa: E402
from yizhan.orgs.models import Department  # noqa: E402

STATES = [
    (Case.State.SUBMITTED, 3),
    (Case.State.ACCEPTED, 2),
    (Case.State.DISPATCHED, 5),
    (Case.State.SIGNED, 5),
    (Case.State.HANDLING, 10),
    (Case.State.REPLIED, 5),
    (Case.State.CLOSED, 70),
]


def staff():
    def user(mobile, name, role, department=None):
        u = User.objects.create_user(mobile, "Bench-pass-2026", name=name)
        RoleAssignment.objects.create(user=u, role=role, department=department)
        return u

    dispatcher = user("13900000002", "调度员", Role.DISPATCHER)
    for i, department in enumerate(Department.objects.all()):
        user(f"1390000010{i}", "干部", Role.DEPARTMENT_OFFICER, department)
    return dispatcher


def build_cases(n):
    rng = random.Random(11)
    now = timezone.now()
    categories = list(Category.objects.select_related("limit_type"))
    rows = []
    started = time.monotonic()
    for _ in range(n):
        state = rng.choices([s for s, _ in STATES], weights=[w for _, w in STATES])[0]
        category = rng.choice(categories)
        created = now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 365))
        accepted = created + dt.timedelta(hours=2)
        due = accepted + dt.timedelta(days=category.limit_type.working_days * 1.4 + 0.5)
        rows.append(
            Case(
                channel=rng.choice(["app", "12345", "12328", "walk_in"]),
                category=category,
                limit_type=category.limit_type,
                description="站点拖欠工资，多次催要未果。",
                state=state,
                created_at=created,
                accept_due_at=created + dt.timedelta(days=1),
                accepted_at=None if state == "submitted" else accepted,
                due_at=None if state == "submitted" else due,
                department_id=None
                if state in ("submitted", "accepted")
                else category.default_department_id,
                on_time=rng.random() < 0.8 if state in ("replied", "closed") else None,
                handling_seconds=rng.randint(3600, 20 * 86400)
                if state in ("replied", "closed")
                else None,
                rating=rng.choice(["satisfied", "basically", "dissatisfied"])
                if state == "closed"
                else "",
            )
        )
        rows[-1].deadline_at = rows[-1].current_due_at
        if len(rows) == 5000:
            Case.objects.bulk_create(rows)
            rows = []
    Case.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return time.monotonic() - started


def reset_sweep() -> None:
    """Undo a sweep's writes (stamps, history rows, digests) and vacuum, so each run starts
    from the same cases."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET reminded_at = NULL, overdue_at = NULL, accept_overdue_at = NULL"
            " WHERE reminded_at IS NOT NULL OR overdue_at IS NOT NULL"
            " OR accept_overdue_at IS NOT NULL"
        )
        cursor.execute("DELETE FROM cases_caseevent WHERE action IN ('remind', 'supervise')")
        cursor.execute("DELETE FROM core_notification WHERE verb = 'case_deadline'")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_case")
            cursor.execute("VACUUM ANALYZE cases_caseevent")


def sweep_anchor(now) -> float:
    """The same writes as the sweep's first pass, as plain set-based SQL: per kind one
    UPDATE of the stamp and one INSERT … SELECT of the history rows (no notices)."""
    from yizhan.cases.deadlines import end_of_day, local_date
    from yizhan.core.workdays import add_working_days

    remind_until = end_of_day(add_working_days(local_date(now), 1))
    handling = "state IN ('dispatched', 'signed', 'handling')"
    kinds = [
        (
            "reminded_at",
            f"{handling} AND due_at > %s AND due_at <= %s",
            [now, remind_until],
            "remind",
        ),
        ("overdue_at", f"{handling} AND due_at < %s", [now], "supervise"),
        ("accept_overdue_at", "state = 'submitted' AND accept_due_at < %s", [now], "supervise"),
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for field, condition, params, action in kinds:
            cursor.execute(
                f"UPDATE cases_case SET {field} = %s WHERE {condition} AND {field} IS NULL",
                [now, *params],
            )
            cursor.execute(
                "INSERT INTO cases_caseevent (case_id, at, action, from_state, to_state,"
                " department_id, note, visibility) SELECT id, %s, %s, '', '', department_id, '',"
                f" 'staff' FROM cases_case WHERE {field} = %s",
                [now, action, now],
            )
    return time.perf_counter() - started


def bench_sweep(n, reps):
    open_n = Case.objects.exclude(state__in=["closed", "replied", "followed_up"]).count()
    now = timezone.now()
    rows = []
    for rep in range(1, reps + 1):
        reset_sweep()
        load = load_average()
        anchor_s = sweep_anchor(now)
        reset_sweep()
        started = time.perf_counter()
        first = services.deadline_sweep(now=now)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = services.deadline_sweep(now=now)
        idle_s = time.perf_counter() - started
        assert (again.reminded, again.overdue, again.accept_overdue) == (0, 0, 0)
        claimed = first.reminded + first.overdue + first.accept_overdue
        rows.append(
            (
                f"run {rep}",
                f"first pass {first_s:.2f} s, anchor {anchor_s:.2f} s, ratio "
                f"{first_s / anchor_s:.2f}; steady state {idle_s * 1000:.0f} ms; "
                f"{claimed:,} claimed (reminded {first.reminded:,}, overdue {first.overdue:,}, "
                f"not accepted {first.accept_overdue:,}); load {load:.1f}",
            )
        )
    report(f"Deadline sweep, {n:,} cases ({open_n:,} with a running deadline)", rows)


def bench_queue(n, requests, reps):
    client = Client()
    client.force_login(User.objects.get_by_mobile("13900000002"))
    health = Client()
    hrss = Department.objects.get(code="hrss").pk
    urls = [
        "/cases/queue/",
        "/cases/queue/?overdue=1",
        "/cases/queue/?state=handling",
        f"/cases/queue/?department={hrss}",
        "/cases/queue/?channel=12345&page=5",
        "/cases/queue/?q=12345",
    ]
    for url in urls:
        assert client.get(url, secure=True).status_code == 200
    rows = []
    for rep in range(1, reps + 1):
        load = load_average()
        samples, anchor = [], []
        for i in range(requests):
            url = urls[i % len(urls)]
            start = time.perf_counter()
            response = client.get(url, secure=True)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
            start = time.perf_counter()
            health.get("/api/v1/health", secure=True)
            anchor.append(time.perf_counter() - start)
        s, h = percentiles(samples), percentiles(anchor)
        rows.append(
            (
                f"run {rep}",
                f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms | health p50 "
                f"{h['p50_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms | load {load:.1f}",
            )
        )
    report(
        f"Dispatcher queue page, {n:,} cases, {requests} requests over {len(urls)} filter sets, "
        "health interleaved (production profile)",
        rows,
    )


def bench_import(rows_n):
    rng = random.Random(3)
    header = "工单编号,来电时间,来电人,联系电话,诉求类型,问题分类,诉求内容,所属区县,紧急程度"
    kinds = ["投诉", "咨询", "求助", "建议"]
    cats = ["欠薪", "社会保险", "交通、停车与小区通行", "驿站设施", ""]
    lines = [header]
    for i in range(rows_n):
        lines.append(
            f"BENCH{i:07d},2026-10-{rng.randint(8, 30):02d} {rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00,"
            f"李师傅,139{rng.randint(0, 99_999_999):08d},{rng.choice(kinds)},{rng.choice(cats)},"
            f"快递站点拖欠工资{rng.randint(1000, 9000)}元,城关区,{rng.choice(['一般', '一般', '紧急'])}"
        )
    data = ("\n".join(lines) + "\n").encode("gbk")
    source = HotlineSource.objects.get(code="12345")
    started = time.perf_counter()
    dispatcher = User.objects.get_by_mobile("13900000002")
    result = services.hotline_import(
        source=source, filename="export.csv", data=data, actor=dispatcher
    )
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = services.hotline_import(
        source=source, filename="export.csv", data=data, actor=dispatcher
    )
    again_s = time.perf_counter() - started
    report(
        f"Hotline import, {rows_n:,}-row GBK CSV",
        [
            (
                "first import",
                f"{first_s:.1f} s ({rows_n / first_s:,.0f} rows/s, {len(result.created):,} cases, {len(result.errors)} errors)",
            ),
            (
                "same file again",
                f"{again_s:.1f} s ({rows_n / again_s:,.0f} rows/s, {len(again.duplicates):,} duplicates, {len(again.created)} new)",
            ),
        ],
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--tiny", action="store_true", help="seconds: 2,000 cases, 500 rows")
    args, _unknown = parser.parse_known_args()
    cases_n, rows_n = (2_000, 500) if args.tiny else (args.cases, args.rows)
    reps = 1 if args.tiny else 3
    fresh_database()
    collect_static()
    seed_reference_data()
    staff()
    print(f"({machine()}, {connection.vendor}, load average {load_average():.1f})")
    built = build_cases(cases_n)
    report("Set-up", [("cases inserted", f"{cases_n:,} in {built:.0f} s")])
    bench_queue(cases_n, 30 if args.tiny else 300, reps)
    bench_sweep(cases_n, reps)
    bench_import(rows_n)


if __name__ == "__main__":
    main()
