"""Hazard reports at city scale (PostgreSQL), in the production profile (YIZHAN_ENV=production:
DEBUG off, persistent database connections, cached templates, hashed static files):

1. the small demo city, then 1,000,000 reports loaded with COPY over its 720 communities and
   120 days (30 % open), a third of them with a photo row (so the nearby-photo scan has a
   city's photos to look through);
2. submissions with real-like 12 MP phone photos (Pillow: a scene of their own each, EXIF
   orientation 1/6/3/8, GPS; every fourth takes its spot from the photo), timed with the
   million reports in place;
3. the nearby-duplicate query and point → community routing at 2,000 random points;
4. the console's bulk accept of 30 reports;
5. the grid officer's and the dispatcher's queue pages, through the whole Django stack with
   a logged-in client, each request followed by one to `/api/v1/health` (the anchor,
   interleaved), repeated 3 times.

    bash scripts/with-postgres.sh .venv/bin/python bench/reports_bench.py [--reports N] [--tiny]
"""

import argparse
import datetime as dt
import random
import time

from _common import (
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
from _photos import ORIENTATIONS, phone_photo  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yizhan.accounts.models import Role, User  # noqa: E402
from yizhan.demo.generator import CityGenerator  # noqa: E402
from yizhan.places.models import Community  # noqa: E402
from yizhan.places.selectors import community_id_at, community_index  # noqa: E402
from yizhan.reports import selectors, services  # noqa: E402
from yizhan.reports.models import Category, Photo, Report  # noqa: E402

LANZHOU = (35.99, 36.14, 103.56, 103.97)  # lat, lat, lng, lng


def copy_rows(model, rows, given: dict) -> None:
    """COPY `rows` (dicts of the `given` columns) into `model`'s table. The column list is the
    model's own: a column added later gets its default (or NULL), so the loader does not rot
    when the model grows; a NOT NULL column without a default stops it with its name."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {}
    for f in fields:
        if f.attname in given:
            continue
        if f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        elif f.blank and f.get_internal_type() in ("CharField", "TextField", "URLField"):
            defaults[f.attname] = ""
        else:
            raise SystemExit(f"bench: say what {model.__name__}.{f.attname} holds (NOT NULL)")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [row[f.attname] if f.attname in row else defaults[f.attname] for f in fields]
            )


def bulk_reports(total: int) -> None:
    """`total` reports spread over the city's communities in the last 120 days; a third with
    a photo row of its own (a random perceptual hash)."""
    rng = random.Random(5)
    communities = list(
        Community.objects.values_list("id", "min_lat", "max_lat", "min_lng", "max_lng")
    )
    categories = list(Category.objects.values_list("id", flat=True))
    states = ["submitted"] * 2 + ["accepted", "in_progress"] + ["closed"] * 5 + ["rejected"]
    now = timezone.now()
    started = time.perf_counter()
    first_id = (Report.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    made = []

    def reports():
        for i in range(total):
            cid, la0, la1, ln0, ln1 = communities[i % len(communities)]
            created = now - dt.timedelta(minutes=rng.randint(0, 120 * 24 * 60))
            made.append(created)
            yield {
                "token": f"00000000-0000-4000-8000-{i:012d}",
                "source": "bench",
                "category_id": rng.choice(categories),
                "lat": rng.uniform(la0, la1),
                "lng": rng.uniform(ln0, ln1),
                "community_id": cid,
                "state": rng.choice(states),
                "created_at": created,
                "updated_at": created,
                "due_at": created + dt.timedelta(days=3),
            }

    copy_rows(
        Report,
        reports(),
        given={
            "token",
            "source",
            "category_id",
            "lat",
            "lng",
            "community_id",
            "state",
            "created_at",
            "updated_at",
            "due_at",
        },
    )
    loaded = time.perf_counter() - started
    ids = list(
        Report.objects.filter(id__gte=first_id, source="bench")
        .order_by("id")
        .values_list("id", "created_at")
    )
    photos = (
        {
            "report_id": pk,
            "kind": "before",
            "image": f"reports/bench/{pk}.jpg",
            "width": 1600,
            "height": 1200,
            "phash": f"{rng.getrandbits(64):016x}",
            "created_at": created,
        }
        for n, (pk, created) in enumerate(ids)
        if n % 3 == 0
    )
    copy_rows(
        Photo,
        photos,
        given={"report_id", "kind", "image", "width", "height", "phash", "created_at"},
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_report")
        cursor.execute("VACUUM ANALYZE reports_photo")
    report(
        "Bulk load (COPY)",
        [
            ("reports", f"{total:,} in {loaded:.0f} s"),
            ("photo rows", f"{(total + 2) // 3:,}; all in {time.perf_counter() - started:.0f} s"),
        ],
    )


def bench_submit(n: int, size: tuple[int, int]) -> None:
    from django.conf import settings

    settings.REPORTS_DAILY_LIMIT = 10**6  # one bench reporter sends them all
    reporter = User.objects.filter(worker__isnull=False).order_by("id").first()
    photo_categories = list(Category.objects.filter(active=True, photo_required=True))
    rng = random.Random(17)
    jobs = []
    for i in range(n):
        lat, lng = rng.uniform(*LANZHOU[:2]), rng.uniform(*LANZHOU[2:])
        data = phone_photo(1000 + i, lat=lat, lng=lng, orientation=ORIENTATIONS[i % 4], size=size)
        jobs.append((lat, lng, data, photo_categories[i % len(photo_categories)]))
    samples, reused, upright = [], 0, 0
    for i, (lat, lng, data, category) in enumerate(jobs):
        from_photo = i % 4 == 3  # the reporter lets the photo's GPS place the report
        start = time.perf_counter()
        submitted = services.report_submit(
            reporter=reporter,
            category=category,
            lat=None if from_photo else lat,
            lng=None if from_photo else lng,
            use_photo_location=from_photo,
            photos=[SimpleUploadedFile("IMG_2026.jpg", data, content_type="image/jpeg")],
            client_key=f"bench-{i}",
        )
        samples.append(time.perf_counter() - start)
        reused += submitted.report.photo_reused
        photo = submitted.report.photos.get()
        upright += photo.width > photo.height  # every scene is wider than high once turned
    s = percentiles(samples)
    report(
        f"Submissions with a {size[0] * size[1] / 1e6:.0f} MP phone JPEG "
        f"(~{len(jobs[0][2]) / 1e6:.1f} MB, EXIF orientation and GPS), "
        f"{Report.objects.count():,} reports and {Photo.objects.count():,} photos in place, "
        f"one process",
        [
            (
                "per submission",
                f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms "
                f"({1000 / s['mean_ms']:.1f} submissions/s per core)",
            ),
            ("turned upright", f"{upright} of {n}"),
            ("flagged as a reused photo", f"{reused} of {n} (all are distinct)"),
            ("load average", f"{load_average():.1f}"),
        ],
    )


def bench_nearby_and_routing(n=2000):
    rng = random.Random(9)
    categories = list(Category.objects.all())
    community_index()
    nearby, routing, found = [], [], 0
    for _ in range(n):
        lat, lng = rng.uniform(*LANZHOU[:2]), rng.uniform(*LANZHOU[2:])
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


def bench_queue_page(n: int, reps: int) -> None:
    """Queue pages with the health endpoint interleaved: request, anchor, request, anchor…"""
    officers = {}
    for role, label in (
        (Role.GRID_OFFICER, "grid officer (one community)"),
        (Role.DISPATCHER, "dispatcher (whole city)"),
    ):
        client = Client()
        client.force_login(
            User.objects.filter(role_assignments__role=role).first(),
            backend="yizhan.accounts.backends.MobilePasswordBackend",
        )
        officers[label] = client
    health = Client()
    rows = []
    for rep in range(1, reps + 1):
        load = load_average()
        for label, client in officers.items():
            for url in ("/staff/reports/", "/staff/reports/?overdue=1"):  # warm up
                assert client.get(url, secure=True).status_code == 200
            samples, anchor = [], []
            for i in range(n):
                url = "/staff/reports/" + ("?overdue=1" if i % 2 else "")
                start = time.perf_counter()
                response = client.get(url, secure=True)
                samples.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
                start = time.perf_counter()
                health.get("/api/v1/health", secure=True)
                anchor.append(time.perf_counter() - start)
            s, h = percentiles(samples), percentiles(anchor)
            rows.append(
                (
                    f"run {rep}, {label}",
                    f"p50 {s['p50_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms | health p50 "
                    f"{h['p50_ms']:.1f} ms, p99 {h['p99_ms']:.1f} ms | load {load:.1f}",
                )
            )
    report(
        f"Queue pages (production profile, in process, template rendered), "
        f"{Report.objects.count():,} reports, {n} requests each, health interleaved",
        rows,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--tiny", action="store_true", help="seconds: 2,000 reports")
    args, _ = parser.parse_known_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run under scripts/with-postgres.sh (make bench does)")
    total = 2_000 if args.tiny else args.reports
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    collect_static()
    CityGenerator(scale="small").build()
    print(f"machine: {machine()}, load average {load_average():.1f}")
    bulk_reports(total)
    if args.tiny:
        bench_submit(2, (1600, 1200))
    else:
        bench_submit(30, (4032, 3024))
    bench_nearby_and_routing(200 if args.tiny else 2000)
    bench_bulk_accept(rounds=2 if args.tiny else 20)
    bench_queue_page(n=10 if args.tiny else 200, reps=1 if args.tiny else 3)


if __name__ == "__main__":
    main()
