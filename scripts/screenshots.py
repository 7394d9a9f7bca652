"""Screenshots of every role's home and main pages for the README: docs/screenshots/<role>-<page>.png.

    .venv/bin/python scripts/screenshots.py                 # a throwaway demo city, then every shot
    .venv/bin/python scripts/screenshots.py --only worker   # the roles whose name contains "worker"
    .venv/bin/python scripts/screenshots.py --var /tmp/d    # reuse (or keep) a loaded demo city

It loads the demo city (`yizhan demo-load`) into a SQLite database and media directory of its
own (never var/), serves it with Django's server on a free loopback port, and drives Debian's
Chromium (/usr/bin/chromium) through Playwright: it logs in with each demo login's password
(Demo@2026, as a person would, through /login/), opens the role's pages and waits for maps and
charts to draw. Workers are shot on a phone (390x844, scale 1), staff at a desk (1366x768).
PNGs over ~250 KB are reduced to a 256-colour palette with Pillow. Shots in docs/screenshots
that no README or docs page names any more are removed.
"""

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("YIZHAN_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Demo@2026"  # noqa: S105 - the published demo password
MAX_BYTES = 250_000
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    # Near 小西湖: the finder and the report form use the phone's position.
    "geolocation": {"latitude": 36.0577, "longitude": 103.7917},
    "permissions": ["geolocation"],
}
DESK = {
    "viewport": {"width": 1366, "height": 768},
    "device_scale_factor": 1,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}

# A page is a path, or ("first", path, pattern): open path, then the first link matching
# pattern (a report, a case, a pick-up code...), or a callable doing something on the page.
WORKER_PAGES = [
    ("home", "/"),
    ("stations", "/stations/"),
    ("report-form", "/reports/new/"),
    ("my-reports", "/reports/mine/"),
    ("report", ("first", "/reports/mine/", r"^/reports/\d+/$")),
    ("my-cases", "/cases/"),
    ("case", ("first", "/cases/", r"^/cases/\d+/$")),
    ("points", "/points/"),
    ("catalogue", "/points/catalog/"),
    ("pick-up-code", ("first", "/points/", r"^/points/r/\w+/$")),
    ("volunteering", "/volunteering/"),
    ("training", "/training/"),
    ("transparency", "/transparency/"),
    ("membership", "/membership/"),
    ("check-in", "/membership/check-in/"),
    ("news-pinyin", "news"),  # the pinyin reading aid switched on, then an article
    ("me", "/me/"),
]

# (file prefix, mobile, desk?, pages)
ROLES = [
    ("worker", "13800000001", False, WORKER_PAGES),
    (
        "dispatcher",
        "13900000002",
        True,
        [
            ("home", "/"),
            ("queue", "/cases/queue/"),
            ("case", ("first", "/cases/queue/", r"^/cases/\d+/$")),
        ],
    ),
    (
        "grid-officer",
        "13900000003",
        True,
        [
            ("home", "/"),
            ("report-queue", "/staff/reports/"),
            ("report", ("first", "/staff/reports/", r"^/reports/\d+/$")),
        ],
    ),
    (
        "department-officer",
        "13900000004",
        True,
        [
            ("home", "/"),
            ("queue", "/cases/department/"),
            ("case", ("first", "/cases/department/", r"^/cases/\d+/$")),
        ],
    ),
    (
        "station-keeper",
        "13900000005",
        True,
        [("home", "/"), ("console", "/staff/stations/"), ("pick-ups", "/points/keeper/")],
    ),
    (
        "platform-rep",
        "13900000006",
        True,
        [
            ("home", "/"),
            ("queue", "/cases/platform/"),
            ("transparency", "/transparency/console/"),
        ],
    ),
    (
        "volunteer-coordinator",
        "13900000007",
        True,
        [("home", "/"), ("console", "/volunteering/console/")],
    ),
    (
        "city-admin",
        "13900000001",
        True,
        [
            ("home", "/"),
            ("dashboard", "/dashboard/"),
            ("dashboard-grievances", "/dashboard/grievances/"),
            ("dashboard-reports", "/dashboard/reports/"),
            ("dashboard-stations", "/dashboard/stations/"),
            ("dashboard-points", "/dashboard/points/"),
            ("case-metrics", "/cases/metrics/"),
            ("points-admin", "/points/admin/"),
            ("people", "/staff/people/"),
            ("admin", "/admin/"),
        ],
    ),
    (
        "district-officer",
        "13900000008",
        True,
        [("home", "/"), ("dashboard", "/dashboard/"), ("coverage", "/membership/staff/coverage/")],
    ),
    (
        "membership-officer",
        "13900000101",
        True,
        [("home", "/"), ("console", "/membership/staff/")],
    ),
]

# Wait (at most a few seconds) until every map has drawn its shapes or markers and every chart
# its canvas or SVG; pages without either pass at once.
DRAWN = """() => {
  const maps = [...document.querySelectorAll('.leaflet-container')];
  const mapsDrawn = maps.every(m => m.querySelector(
    '.leaflet-marker-icon, .leaflet-interactive, .marker-cluster, svg path, canvas'));
  const charts = [...document.querySelectorAll('[data-chart], [_echarts_instance_]')];
  const chartsDrawn = charts.every(c => c.querySelector('canvas, svg'));
  return mapsDrawn && chartsDrawn;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(var: Path) -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        YIZHAN_HOME=str(ROOT),
        YIZHAN_VAR_DIR=str(var),  # the SQLite database, media and private files
        MEDIA_ROOT=str(var / "media"),
        DJANGO_SETTINGS_MODULE="yizhan.settings",
        YIZHAN_FAST_PASSWORD_HASHER="true",
    )
    for name in ("DATABASE_URL", "YIZHAN_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def load_city(var: Path, env: dict) -> None:
    if (var / "yizhan.sqlite3").exists():
        print(f"reusing the demo city in {var}")
        return
    yizhan = [sys.executable, "-m", "yizhan.cli"]
    subprocess.run([*yizhan, "migrate", "--noinput", "-v0"], env=env, check=True)
    print("loading the demo city (about a minute)...", flush=True)
    subprocess.run([*yizhan, "demo-load"], env=env, check=True, stderr=subprocess.DEVNULL)


class DemoServer:
    """Django's server (static files through WhiteNoise's finders, as `make demo` serves them)."""

    def __init__(self, env: dict):
        self.env, self.port = env, free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=2):  # noqa: S310
                    return self
            except OSError:
                time.sleep(0.3)
        self.proc.terminate()
        raise SystemExit("the demo server did not come up")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def settle(page) -> None:
    # A page that polls never idles: draw what is there after 15 s.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=15_000)
    try:
        page.wait_for_function(DRAWN, timeout=8_000)
    except PlaywrightError:
        print(f"  (not every map or chart drew on {page.url})")
    if page.locator(".leaflet-container, [data-chart], [_echarts_instance_]").count():
        page.wait_for_timeout(1200)  # chart animations and map tiles fading in
    page.evaluate("document.activeElement && document.activeElement.blur()")


def log_in(page, base: str, mobile: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_mobile", mobile)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    if "/login/" in page.url:
        raise SystemExit(f"could not log in as {mobile}")


def first_link(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        if re.match(pattern, href):
            return href
    raise LookupError(f"no link like {pattern} on {page.url}")


def open_page(page, base: str, target) -> None:
    if target == "news":
        page.goto(f"{base}/news/")
        page.click(".pinyin-toggle button[value=all]")
        page.wait_for_load_state()
        page.goto(base + first_link(page, r"^/news/\d+/$"))
    elif isinstance(target, tuple):
        _first, path, pattern = target
        page.goto(base + path)
        page.goto(base + first_link(page, pattern))
    else:
        page.goto(base + target)


def shrink(path: Path) -> None:
    """A palette PNG when the full-colour one is heavy (screenshots have few colours)."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def shoot(browser, base: str, only: str) -> list[str]:
    saved = []
    for prefix, mobile, desk, pages in ROLES:
        if only and only not in prefix:
            continue
        context = browser.new_context(**(DESK if desk else PHONE))
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, base, mobile)
        for name, target in pages:
            try:
                open_page(page, base, target)
            except LookupError as error:
                print(f"  skipped {prefix}-{name}: {error}")
                continue
            settle(page)
            path = OUT / f"{prefix}-{name}.png"
            page.screenshot(path=str(path))
            shrink(path)
            saved.append(path.name)
            print(f"  {path.name} {path.stat().st_size // 1024} KB  {page.url.replace(base, '')}")
        context.close()
    return saved


def referenced() -> set[str]:
    names = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]:
        # Docs name shots as links or as bare file names (`maps-finder.png`).
        names |= set(re.findall(r"([\w.-]+\.png)", doc.read_text("utf-8")))
    return names


def prune(keep: set[str]) -> None:
    """Remove shots no page shows any more (and that this run did not just take)."""
    used = referenced() | keep
    for png in sorted(OUT.glob("*.png")):
        if png.name not in used:
            print(f"  removing unreferenced {png.name}")
            png.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--var", help="directory for the demo database and media (kept)")
    parser.add_argument("--only", default="", help="only roles whose file prefix contains this")
    parser.add_argument("--no-prune", action="store_true", help="keep unreferenced shots")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    var = Path(args.var) if args.var else Path(tempfile.mkdtemp(prefix="yizhan-shots-"))
    var.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    env = demo_env(var)
    try:
        load_city(var, env)
        with DemoServer(env) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            saved = shoot(browser, server.url, args.only)
            browser.close()
    finally:
        if not args.var:
            shutil.rmtree(var, ignore_errors=True)
    if not args.only and not args.no_prune:
        prune(set(saved))
    print(f"{len(saved)} screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
