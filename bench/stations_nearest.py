"""Nearest-station query in process: p50/p99 over 10,000 random points, with the city's
1,133 stations and with 20,000 (a province), through the same `StationIndex.nearest`
the API calls. No database: the index is built from generated entries.

    .venv/bin/python bench/stations_nearest.py [--points 10000]
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
import django  # noqa: E402

django.setup()

from yizhan.core import workdays  # noqa: E402
from yizhan.stations import hours  # noqa: E402
from yizhan.stations.index import Entry, StationIndex  # noqa: E402

KINDS = [("union", 213), ("little_bee", 790), ("bank", 100), ("regional", 20), ("business", 10)]
AMENITIES = [
    "drinking_water",
    "microwave",
    "fridge",
    "dining",
    "restroom",
    "shower",
    "washing_machine",
    "rest",
    "phone_charging",
    "ebike_charging",
    "first_aid",
    "wifi",
    "umbrella",
    "repair_tools",
    "legal_aid",
]
LANZHOU = (103.55, 35.98, 103.98, 36.15)
# Gansu's cities (lng, lat): a province's stations cluster in them.
GANSU = [
    (103.83, 36.06),
    (104.17, 36.55),
    (105.72, 34.58),
    (104.62, 35.58),
    (106.66, 35.54),
    (107.64, 35.71),
    (100.45, 38.93),
    (98.49, 39.73),
    (98.29, 39.77),
    (102.64, 37.93),
    (103.21, 35.60),
    (102.91, 34.98),
    (104.92, 33.40),
    (94.66, 40.14),
]


def schedule(rng):
    roll = rng.random()
    if roll < 0.4:
        return hours.Schedule(is_24h=True)
    if roll < 0.85:
        return hours.Schedule(weekly=(((480, 1320),),) * 7)
    return hours.Schedule(weekly=(((1320, 360),),) * 7)  # overnight


def entries(n, rng, place):
    kinds = [k for k, count in KINDS for _ in range(count)]
    result = []
    for i in range(n):
        lng, lat = place(rng)
        offered = tuple(a for a in AMENITIES if rng.random() < 0.45)
        result.append(
            Entry(
                i, f"B{i:06d}", f"驿站{i}", kinds[i % len(kinds)], lat, lng, offered, schedule(rng)
            )
        )
    return result


def in_lanzhou(rng):
    return rng.uniform(LANZHOU[0], LANZHOU[2]), rng.uniform(LANZHOU[1], LANZHOU[3])


def in_gansu(rng):
    lng, lat = rng.choice(GANSU)
    return lng + rng.gauss(0, 0.15), lat + rng.gauss(0, 0.12)


def measure(index, points, **filters):
    moment = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)  # 22:00 in Shanghai
    timings = []
    for lat, lng in points:
        start = time.perf_counter_ns()
        index.nearest(lat, lng, moment=moment, **filters)
        timings.append((time.perf_counter_ns() - start) / 1000)
    timings.sort()
    return {
        "p50_us": statistics.median(timings),
        "p99_us": timings[int(len(timings) * 0.99) - 1],
        "mean_us": statistics.fmean(timings),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--tiny", action="store_true", help="seconds: 200 points")
    args = parser.parse_args()
    if args.tiny:
        args.points = 200
    workdays._overrides_cache = {}  # no database here: no administrator overrides
    rng = random.Random(2026)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'stations':>9} {'query':<34} {'p50 µs':>8} {'p99 µs':>8} {'mean µs':>8}")
    for n, place in ((1133, in_lanzhou), (20_000, in_gansu)):
        index = StationIndex(entries(n, rng, place), AMENITIES, [k for k, _ in KINDS])
        points = [place(rng)[::-1] for _ in range(args.points)]
        cases = {
            "5 nearest": {"limit": 5},
            "5 nearest open with a shower": {"limit": 5, "amenities": ["shower"], "open_now": True},
            "10 nearest union, e-bike, open": {
                "limit": 10,
                "kinds": ["union"],
                "amenities": ["ebike_charging"],
                "open_now": True,
            },
        }
        for label, filters in cases.items():
            r = measure(index, points, **filters)
            print(
                f"{n:>9,} {label:<34} {r['p50_us']:>8.1f} {r['p99_us']:>8.1f} {r['mean_us']:>8.1f}"
            )


if __name__ == "__main__":
    main()
