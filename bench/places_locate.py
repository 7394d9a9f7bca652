"""Point → community lookup in process, over the demo city's ~720 communities, and the
city-scale demo generator (300,000 workers, 20,000 employers).

    bash scripts/with-postgres.sh .venv/bin/python bench/places_locate.py [--skip-city]
"""

import argparse
import random
import time

from _common import fresh_database, machine, percentiles, report, setup_django

setup_django()

from yizhan.demo.generator import CityGenerator  # noqa: E402
from yizhan.places.models import Community  # noqa: E402
from yizhan.places.selectors import community_id_at, community_index  # noqa: E402


def bench_locate(n=10_000):
    rng = random.Random(7)
    community_index()  # build once, as a warm server has
    samples, hits = [], 0
    for _ in range(n):
        lat, lng = rng.uniform(35.98, 36.15), rng.uniform(103.55, 103.98)  # the urban districts
        start = time.perf_counter()
        found = community_id_at(lat=lat, lng=lng)
        samples.append(time.perf_counter() - start)
        hits += found is not None
    stats = percentiles(samples)
    report(
        f"Point → community, {Community.objects.count()} communities, {n:,} random points",
        [
            ("p50", f"{stats['p50_ms'] * 1000:.1f} µs"),
            ("p99", f"{stats['p99_ms'] * 1000:.1f} µs"),
            ("inside a community", f"{hits / n:.0%}"),
        ],
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-city", action="store_true", help="skip the 300,000-worker city")
    parser.add_argument("--tiny", action="store_true", help="seconds: the small city")
    args = parser.parse_args()
    fresh_database()
    started = time.monotonic()
    scale = "small" if args.tiny else "demo" if args.skip_city else "city"
    summary = CityGenerator(scale=scale).build()
    elapsed = time.monotonic() - started
    report(
        f"Demo generator, scale={scale} ({machine()})",
        [
            ("workers", f"{summary.workers:,}"),
            ("employers", f"{summary.employers:,}"),
            ("communities", f"{summary.communities:,}"),
            ("stations", f"{summary.stations:,}"),
            ("time", f"{elapsed:.0f} s ({summary.workers / elapsed:,.0f} workers/s)"),
        ],
    )
    bench_locate(500 if args.tiny else 10_000)


if __name__ == "__main__":
    main()
