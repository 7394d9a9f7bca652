"""Screenshots of the running demo for the README: `python scripts/screenshots.py [BASE_URL]`.

Drives Debian's Chromium through Playwright at a phone's size (390x844) and saves PNGs in
docs/screenshots/. Start the demo first (`make demo`).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def login(page, mobile, password="Demo@2026"):  # noqa: S107 - the published demo password
    page.goto(f"{BASE}/login/")
    page.fill("#id_mobile", mobile)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        phone = {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "locale": "zh-CN",
        }

        ctx = browser.new_context(**phone)
        page = ctx.new_page()
        page.goto(f"{BASE}/")
        page.screenshot(path=OUT / "home.png", full_page=True)
        page.goto(f"{BASE}/register/")
        page.fill("#id_id_number", "620103199001011230")
        page.fill("#id_mobile", "2371234")
        page.click("button[type=submit].primary")
        page.screenshot(path=OUT / "register-errors.png", full_page=True)
        login(page, "13800000001")
        page.goto(f"{BASE}/me/")
        page.screenshot(path=OUT / "profile.png", full_page=True)
        ctx.close()

        ctx = browser.new_context(**phone)
        page = ctx.new_page()
        login(page, "13900000002")
        page.goto(f"{BASE}/staff/people/")
        page.screenshot(path=OUT / "people-masked.png", full_page=True)
        ctx.close()

        ctx = browser.new_context(**phone)
        page = ctx.new_page()
        login(page, "13900000003")
        page.goto(f"{BASE}/staff/communities/")
        page.click(".list a")
        page.wait_for_selector(".leaflet-interactive")
        page.screenshot(path=OUT / "community-map.png", full_page=True)
        ctx.close()

        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = ctx.new_page()
        login(page, "13900000001")
        page.goto(f"{BASE}/admin/")
        page.screenshot(path=OUT / "admin.png")
        page.goto(f"{BASE}/api/v1/docs")
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / "api-docs.png")
        ctx.close()
        browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
