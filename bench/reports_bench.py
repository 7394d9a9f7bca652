"""Hazard reports at city scale (PostgreSQL):

- submissions per second with a typical 3-megapixel phone JPEG, processing included, one process
- nearby-duplicate query and point → community routing with 1,000,000 reports, ~720 communities
- the grid officer's and the dispatcher's queue page with 1,000,000 reports in the city (p99)

    bash scripts/with-postgres.sh .venv/bin/python bench/reports_bench.py [--reports N]
"""

import argparse
import datetime as dt
import io
import random
import time

from _common import fresh_database, machine, percentiles, report, setup_django

setup_django()

import numpy as np  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from yizhan.accounts.models import Role, User  # noqa: E402
from yizhan.demo.generator import CityGenerator  # noqa: E402
from yizhan.places.models import Community  # noqa: E402
from yizhan.places.selectors import community_id_at, community_index  # noqa: E402
from yizhan.reports import selectors, services  # noqa: E402
from yizhan.reports.models import Category, Report  # noqa: E402


def phone_jpeg(seed: int) -> bytes:
    """A 2048x1536 (3.1 MP) photo-like JPEG: smooth light plus sensor noise, ~1 MB."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:1536, 0:2048]
    base = np.stack([(x / 8) % 256, (y / 6) % 256, ((x + y) / 10) % 256], axis=-1)
    noisy = np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(noisy, "RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def bench_submit(n=30):
    from django.conf import settings

    settings.REPORTS_DAILY_LIMIT = 10**6  # one bench reporter sends them all
    reporter = User.objects.filter(worker__isnull=False).first()
    category = Category.objects.get(code="exposed-wire")
    photos = [phone_jpeg(i) for i in range(n)]
    started = time.perf_counter()
    for i, data in enumerate(photos):
        services.report_submit(
            reporter=reporter,
            category=category,
            lat=36.05 + i * 1e-4,
            lng=103.83,
            photos=[SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")],
            client_key=f"bench-{i}",
        )
    elapsed = time.perf_counter() - started
    report(
        f"Submissions with a 3.1 MP JPEG ({len(photos[0]) / 1e6:.1f} MB), one process",
        [("submissions/s per core", f"{n / elapsed:.1f} ({elapsed / n * 1000:.0f} ms each)")],
    )


def bulk_reports(total: int):
    """Insert `total` reports spread over the city's communities in the last 120 days."""
    rng = random.Random(5)
    communities = list(
        Community.objects.values_list("id", "min_lat", "max_lat", "min_lng", "max_lng")
    )
    categories = list(Category.objects.values_list("id", flat=True))
    states = ["submitted"] * 2 + ["accepted", "in_progress"] + ["closed"] * 5 + ["rejected"]
    now = timezone.now()
    started = time.perf_counter()
    columns = (
        "token, source, client_key, category_id, description, lat, lng, community_id, state,"
        " reject_reason, photo_reused, media_url, created_at, updated_at, due_at"
    )
    with connection.cursor() as cursor:
        # COPY: the PostgreSQL way to load a million rows (psycopg 3 streams them).
        with cursor.connection.cursor().copy(f"COPY reports_report ({columns}) FROM STDIN") as copy:
            for i in range(total):
                cid, la0, la1, ln0, ln1 = communities[i % len(communities)]
                created = now - dt.timedelta(minutes=rng.randint(0, 120 * 24 * 60))
                copy.write_row(
                    (
                        f"00000000-0000-4000-8000-{i:012d}",
                        "bench",
                        "",
                        rng.choice(categories),
                        "",
                        rng.uniform(la0, la1),
                        rng.uniform(ln0, ln1),
                        cid,
                        rng.choice(states),
                        "",
                        False,
                        "",
                        created,
                        created,
                        created + dt.timedelta(days=3),
                    )
                )
        cursor.execute("ANALYZE reports_report")
    elapsed = time.perf_counter() - started
    report("Bulk load", [("reports", f"{total:,} in {elapsed:.0f} s")])


def bench_nearby_and_routing(n=2000):
    rng = random.Random(9)
    categories = list(Category.objects.all())
    community_index()
    nearby, routing, found = [], [], 0
    for _ in range(n):
        lat, lng = rng.uniform(35.99, 36.14), rng.uniform(103.56, 103.97)
        category = rng.choice(categories)
        start = time.perf_counter()
        found += len(selectors.nearby_open(category=category, lat=lat, lng=lng))
        nearby.append(time.perf_counter() - start)
        start = time.perf_counter()
        community_id_at(lat=lat, lng=lng)
        routing.append(time.perf_counter() - start)
    a, b = percentiles(nearby), percentiles(routing)
    report(
        f"With {Report.objects.count():,} reports and {Community.objects.count()} communities, {n:,} random points",
        [
            (
                "nearby-duplicate query",
                f"p50 {a['p50_ms']:.2f} ms, p99 {a['p99_ms']:.2f} ms (mean {found / n:.1f} found)",
            ),
            (
                "point → community routing",
                f"p50 {b['p50_ms'] * 1000:.0f} µs, p99 {b['p99_ms'] * 1000:.0f} µs",
            ),
        ],
    )


def bench_bulk_accept(rounds=20, size=30):
    """The console's "accept selected": a page of 30 reports locked in id order and accepted in
    one transaction, with a history row and the followers' notifications each."""
    officer = User.objects.filter(role_assignments__role=Role.DISPATCHER).first()
    samples = []
    for _ in range(rounds):
        ids = list(
            Report.objects.filter(state="submitted")
            .order_by("id")
            .values_list("id", flat=True)[:size]
        )
        start = time.perf_counter()
        outcome = services.reports_bulk_accept(user=officer, report_ids=ids)
        samples.append(time.perf_counter() - start)
        assert len(outcome.done) == len(ids)
    s = percentiles(samples)
    report(
        f"Bulk accept of {size} reports (one transaction, rows locked in id order)",
        [("per page", f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms")],
    )


def bench_queue_page(n=200):
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rows = []
    for role, label in (
        (Role.GRID_OFFICER, "grid officer (one community)"),
        (Role.DISPATCHER, "dispatcher (whole city)"),
    ):
        user = User.objects.filter(role_assignments__role=role).first()
        client = Client()
        client.force_login(user, backend="yizhan.accounts.backends.MobilePasswordBackend")
        client.get("/staff/reports/")
        samples = []
        for i in range(n):
            url = "/staff/reports/" + ("?overdue=1" if i % 2 else "")
            start = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        s = percentiles(samples)
        rows.append((label, f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms"))
    health = Client()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        health.get("/api/v1/health")
        samples.append(time.perf_counter() - start)
    rows.append(("trivial endpoint, same process", f"p99 {percentiles(samples)['p99_ms']:.1f} ms"))
    report(
        f"Officer queue page (in process, template rendered), {Report.objects.count():,} reports",
        rows,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    args = parser.parse_args()
    fresh_database()
    CityGenerator(scale="small").build()
    print(f"machine: {machine()}")
    bench_submit()
    bulk_reports(args.reports)
    bench_nearby_and_routing()
    bench_bulk_accept()
    bench_queue_page()


if __name__ == "__main__":
    main()
