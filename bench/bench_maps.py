"""Maps bench (docs/MAPS.md): the place description of a point, and the station finder's
first and repeat load on a slow 3G link.

1. place description: `places.selectors.describe_point` for random points of the demo city
   (1,133 stations, 720 communities and the imported landmarks), p50/p99 in process, and over
   HTTP through `/api/v1/places/describe` on gunicorn (production settings);
2. finder load: headless Chromium (Debian's) through Playwright, the network emulated with
   CDP (1.6 Mbps down, 750 kbps up, 300 ms round trip), opening /stations/ twice in one
   browser context: bytes on the wire and time until the network is quiet, first and repeat.

    python bench/bench_maps.py [--tiny] [--src DIR] [--only describe|finder]

`--src DIR` serves another checkout's `src/` (the "before" figures were taken from the
commit before the maps work, unpacked with `git archive`). The database is the demo city in
var/ (`yizhan demo-load`); the server runs with YIZHAN_ENV=production from collected,
hashed and compressed static files, as docs/OPERATIONS.md deploys it.
"""

import argparse
import http.client
import json
import os
import random
import sys
import time
from pathlib import Path

from _server import CHROMIUM, ROOT, SLOW_3G, SLOW_3G_LABEL, Server

URBAN = (103.60, 35.98, 103.98, 36.13)  # where most of the demo city's stations are


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- 1. the place description ---------------------------------------------------------


def random_points(n, seed=7):
    rng = random.Random(seed)
    return [(rng.uniform(URBAN[1], URBAN[3]), rng.uniform(URBAN[0], URBAN[2])) for _ in range(n)]


def describe_in_process(n: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
    import django

    django.setup()
    from yizhan.places.models import Community, Landmark
    from yizhan.places.selectors import describe_point

    describe_point(lat=36.06, lng=103.83)  # build the indexes, as a warm server has
    samples, near = [], 0
    for lat, lng in random_points(n):
        start = time.perf_counter()
        place = describe_point(lat=lat, lng=lng)
        samples.append(time.perf_counter() - start)
        near += place.near is not None
    return {
        "points": n,
        "communities": Community.objects.count(),
        "landmarks": Landmark.objects.count(),
        "p50_us": round(percentile(samples, 0.5) * 1e6, 1),
        "p99_us": round(percentile(samples, 0.99) * 1e6, 1),
        "with_a_nearby_place": round(near / n, 2),
    }


def describe_over_http(server: Server, n: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    samples = {"health": [], "describe": []}
    points = random_points(n, seed=11)
    refused = 0
    for i in range(min(200, n)):  # warm every worker
        conn.request("GET", f"/api/v1/places/describe?lat={points[i][0]}&lng={points[i][1]}")
        conn.getresponse().read()
    for lat, lng in points:
        for name, path in (
            ("health", "/api/v1/health"),
            ("describe", f"/api/v1/places/describe?lat={lat:.6f}&lng={lng:.6f}"),
        ):
            start = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            samples[name].append(time.perf_counter() - start)
            # 422: the random point fell outside the city (the box is wider than the city).
            assert response.status in (200, 422), (path, response.status)
            refused += response.status == 422
    return {
        name: {
            "p50_ms": round(percentile(s, 0.5) * 1000, 2),
            "p99_ms": round(percentile(s, 0.99) * 1000, 2),
        }
        for name, s in samples.items()
    } | {
        "requests_each": n,
        "outside_the_city_422": refused,
        "client": "one keep-alive connection, sequential",
    }


# --- 2. the finder on a slow link -------------------------------------------------------


def finder_load(server: Server, path: str = "/stations/", *, throttle: bool = True) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:  # --tiny loads at loopback speed: it proves the page loads, in seconds
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        received = {}
        urls = {}

        def on_response(event):
            urls[event["requestId"]] = event["response"]["url"]

        def on_finished(event):
            received[event["requestId"]] = event["encodedDataLength"]

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        runs = []
        for label in ("first", "repeat"):
            received.clear()
            urls.clear()
            start = time.perf_counter()
            page.goto(server.url + path, wait_until="load", timeout=120_000)
            page.wait_for_load_state("networkidle", timeout=120_000)
            elapsed = time.perf_counter() - start
            total = sum(received.values())
            biggest = sorted(
                ((received[r], urls.get(r, "?").replace(server.url, "")) for r in received),
                reverse=True,
            )[:6]
            runs.append(
                {
                    "load": label,
                    "bytes": int(total),
                    "kb": round(total / 1024, 1),
                    "seconds": round(elapsed, 2),
                    "requests": len(received),
                    "largest": [[int(b), u] for b, u in biggest],
                }
            )
        context.close()
        browser.close()
    # "seconds" counts until the network has been idle for 500 ms (Playwright's networkidle).
    link = SLOW_3G_LABEL if throttle else "loopback"
    return {"link": link, "runs": runs}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiny", action="store_true", help="a few samples: seconds, not minutes")
    parser.add_argument("--src", default=str(ROOT / "src"), help="the src/ directory to serve")
    parser.add_argument("--only", choices=["describe", "finder"], default=None)
    parser.add_argument("--label", default="after")
    args = parser.parse_args()
    n = 200 if args.tiny else 20_000
    result = {
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
        "label": args.label,
        "date": time.strftime("%Y-%m-%d"),
    }
    if args.only in (None, "describe"):
        result["describe_in_process"] = describe_in_process(n)
    with Server(Path(args.src)) as server:
        if args.only in (None, "describe"):
            result["describe_http"] = describe_over_http(server, 100 if args.tiny else 3000)
        if args.only in (None, "finder"):
            result["finder"] = finder_load(server, throttle=not args.tiny)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"maps_{args.label}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
