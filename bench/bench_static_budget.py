"""Each worker page on a weak signal (docs/BENCHMARKS.md, "Worker pages on a weak signal").

Issue 10's budget: every worker page under 200 KB transferred on first load and under 1.5 s to
usable on slow 3G. The app runs as deployed (bench/_server.py: YIZHAN_ENV=production, hashed
and compressed static files from `collectstatic`, gunicorn) over the small demo city in a
throwaway SQLite database. Headless Chromium (Debian's, through Playwright) logs in as the demo
worker at 390x844, then for each page and run: empties the browser cache (cold: cookies kept,
nothing cached), emulates the link with CDP `Network.emulateNetworkConditions` (1.6 Mbps down,
750 kbps up, 300 ms RTT) and opens the page.

- bytes: the sum of `encodedDataLength` over `Network.loadingFinished` (headers and the
  compressed bodies: what crosses the link), until the network has been quiet for 500 ms;
- DOMContentLoaded and load: from the page's navigation timing (deferred scripts have run at
  DOMContentLoaded: the page answers a tap);
- map drawn (finder, report form): when the Leaflet map shows its markers or shapes;
- usable: map drawn on map pages, DOMContentLoaded on the others.

    python bench/bench_static_budget.py            # every page, 3 runs (min and median)
    python bench/bench_static_budget.py --tiny     # one page, one run (make test)
    python bench/bench_static_budget.py --var DIR  # keep or reuse the loaded city in DIR
"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _server import CHROMIUM, CHROMIUM_ARGS, ROOT, SLOW_3G, SLOW_3G_LABEL, Server, manage

BUDGET_BYTES = 200 * 1024
BUDGET_SECONDS = 1.5
WORKER = "13800000001"  # the demo worker (yizhan demo-logins)
PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password
# (name, path or (list page, link pattern), has a map)
PAGES = [
    ("home", "/", False),
    ("station finder", "/stations/", True),
    ("report form", "/reports/new/", True),
    ("my points", "/points/", False),
    ("a case", ("/cases/", r"^/cases/\d+/$"), False),
    ("news article", ("/news/", r"^/news/\d+/$"), False),
]
TINY_PAGES = ["station finder"]
# The map is drawn when the offline basemap has painted its first districts (Leaflet adds the
# canvas of the "yz-base" pane with its first shape) and, on the finder, the station layer is on
# (the whole network in view: its clusters are drawn).
MAP_DRAWN = """() => {
  const maps = [...document.querySelectorAll('.leaflet-container')];
  const drawn = maps.length && maps.every(m => {
    const base = m.querySelector('.leaflet-yz-base-pane canvas, .leaflet-marker-icon');
    const data = m.dataset.stationMap && document.getElementById(m.dataset.stationMap);
    const stationsDue = data && data.textContent.includes('stations_url');
    const stations = Number(m.dataset.stations || 0);
    const shown = stations > 0 && (stations <= 200 || m.querySelector('.marker-cluster'));
    return base && (!stationsDue || shown);
  });
  return drawn ? performance.now() : false;
}"""
NAV_TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd};
}"""


def load_city(env: dict, var: Path) -> None:
    if (var / "yizhan.sqlite3").exists():
        print(f"reusing the demo city in {var}", flush=True)
        return
    print("loading the small demo city...", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "demo_load", "--scale", "small", quiet=True)


def resolve(page, base: str, target) -> str:
    import re

    if isinstance(target, str):
        return target
    listing, pattern = target
    page.goto(base + listing)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.match(pattern, href):
            return href
    raise SystemExit(f"no link like {pattern} on {listing}")


def measure(server: Server, names: list[str], runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=1,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(server.url + "/login/")
        page.fill("#id_mobile", WORKER)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        if "/login/" in page.url:
            raise SystemExit("the demo worker could not log in")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received, urls = {}, {}
        cdp.on(
            "Network.responseReceived",
            lambda e: urls.update({e["requestId"]: e["response"]["url"]}),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: received.update({e["requestId"]: e["encodedDataLength"]}),
        )
        for name, target, has_map in PAGES:
            if name not in names:
                continue
            path = resolve(page, server.url, target)
            samples = []
            for _ in range(runs):
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
                )
                page.goto("about:blank")
                cdp.send("Network.clearBrowserCache")
                cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                received.clear()
                urls.clear()
                page.goto(server.url + path, wait_until="load")
                drawn = None
                if has_map:
                    drawn = page.wait_for_function(
                        MAP_DRAWN, polling=20, timeout=30_000
                    ).json_value()
                timing = page.evaluate(NAV_TIMING)
                page.wait_for_load_state("networkidle")
                total = sum(received.values())
                largest = sorted(
                    (
                        (int(received[r]), urls.get(r, "?").replace(server.url, ""))
                        for r in received
                    ),
                    reverse=True,
                )[:8]
                samples.append(
                    {
                        "bytes": int(total),
                        "requests": len(received),
                        "dcl_s": timing["dcl"] / 1000,
                        "load_s": timing["load"] / 1000,
                        "map_s": drawn / 1000 if drawn else None,
                        "usable_s": (drawn if drawn else timing["dcl"]) / 1000,
                        "largest": largest,
                    }
                )
            results.append(summarise(name, path, samples))
        context.close()
        browser.close()
    return results


def summarise(name: str, path: str, samples: list[dict]) -> dict:
    def stat(key):
        values = [s[key] for s in samples if s[key] is not None]
        if not values:
            return None
        return {"min": min(values), "median": statistics.median(values)}

    row = {"page": name, "path": path, "runs": len(samples)}
    for key in ("bytes", "requests", "dcl_s", "load_s", "map_s", "usable_s"):
        row[key] = stat(key)
    row["largest"] = samples[-1]["largest"]
    row["within_budget"] = (
        row["bytes"]["median"] < BUDGET_BYTES and row["usable_s"]["median"] < BUDGET_SECONDS
    )
    return row


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "kernel": os.uname().release,
        "chromium": CHROMIUM,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def table(results: list[dict]) -> str:
    def s(v):
        return "—" if v is None else f"{v['min']:.2f} / {v['median']:.2f}"

    lines = [
        "| page | KB transferred (min / median) | requests | DOMContentLoaded s | load s | map drawn s | usable s | budget |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        kb = f"{r['bytes']['min'] / 1024:.1f} / {r['bytes']['median'] / 1024:.1f}"
        lines.append(
            f"| {r['page']} (`{r['path']}`) | {kb} | {r['requests']['median']:.0f} | {s(r['dcl_s'])} "
            f"| {s(r['load_s'])} | {s(r['map_s'])} | {s(r['usable_s'])} "
            f"| {'within' if r['within_budget'] else '**over**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiny", action="store_true", help="one page, one run (make test)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", help='only these pages, e.g. "home,station finder"')
    parser.add_argument("--var", help="directory for the demo database (kept, reused)")
    parser.add_argument("--label", default="after", help="names var/bench/static_budget_LABEL.json")
    args = parser.parse_args()
    var = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="yizhan-budget-"))
    var.mkdir(parents=True, exist_ok=True)
    names = TINY_PAGES if args.tiny else [p[0] for p in PAGES]
    if args.pages:
        names = [n.strip() for n in args.pages.split(",")]
    runs = 1 if args.tiny else args.runs
    server = Server(DATABASE_URL=f"sqlite:///{var / 'yizhan.sqlite3'}", YIZHAN_VAR_DIR=str(var))
    try:
        server.collectstatic()
        load_city(server.env, var)
        with server:
            results = measure(server, names, runs)
    finally:
        if not args.var:
            shutil.rmtree(var, ignore_errors=True)
    load = os.getloadavg()
    summary = {
        "machine": machine(),
        "link": SLOW_3G_LABEL,
        "viewport": "390x844, scale 1, cold cache, logged-in worker",
        "runs_each": runs,
        "budget": {"bytes": BUDGET_BYTES, "usable_s": BUDGET_SECONDS},
        "load_average_after": [round(x, 2) for x in load],
        "pages": results,
    }
    m = summary["machine"]
    print(f"\n### Worker pages on slow 3G ({'tiny' if args.tiny else f'{runs} runs each'})")
    print(
        f"- machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}, {m['date']}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(
        f"- link: {SLOW_3G_LABEL}; budget {BUDGET_BYTES // 1024} KB, {BUDGET_SECONDS} s to usable\n"
    )
    print(table(results))
    for r in results:
        print(
            f"- {r['page']} largest: "
            + ", ".join(f"{b / 1024:.1f} KB {u}" for b, u in r["largest"][:5])
        )
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"static_budget_{args.label}.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
