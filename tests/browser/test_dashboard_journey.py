"""The city dashboards in a real browser at 1366x768: the administrator reads the overview,
the grievance indicators with their charts, the hazard-report heat map, the stations and
points dashboards, exports a chart as PNG, and a district officer sees only their district.
Screenshots go to var/screenshots (copied to docs/screenshots for the docs)."""

import shutil
from pathlib import Path

from tests.browser.conftest import SHOTS
from tests.conftest import PASSWORD
from tests.portal.conftest import World, days_ago
from yizhan.portal import services

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def build(world, clock):
    for n in range(12, 0, -1):
        clock.move_to(days_ago(n, 9 + n % 5))
        case = world.case_filed()
        steps = ["accept", "dispatch", "sign_for", "reply", "satisfied"]
        if n % 4 == 0:
            steps = ["accept", "dispatch", "sign_for", "return"]
        elif n % 3 == 0:
            steps = ["accept", "dispatch", "sign_for", "reply", "dissatisfied"]
        for step in steps:
            world.case_step(case, step)
        for i in range(n % 4 + 1):
            report = world.report(lat=36.005 + (i % 3) * 0.015, lng=103.805 + (n % 4) * 0.011)
            if i % 2:
                world.report_step(report, "accept")
        for r in range(n % 3 + 2):
            world.visit(r)
        world.grant(n % 3, 10 + n)
    clock.move_to(days_ago(0, 8))
    services.dashboard_refresh()
    clock.move_to(days_ago(0, 10))
    world.case_filed()
    world.visit(5)


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_administrator_reads_the_dashboards(city, browser, live_server, transactional_db, clock):
    world = World(city)
    build(world, clock)
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / f"{name}.png")

    log_in(page, "13900000001")
    page.goto("/dashboard/")
    page.wait_for_selector("[data-chart] canvas")
    assert page.get_by_text("诉求登记").first.is_visible()
    shot("dashboard-overview")
    page.goto("/dashboard/grievances/")
    page.wait_for_selector("#chart-trend canvas")
    assert page.get_by_text("按时答复率").first.is_visible()
    shot("dashboard-grievances")
    with page.expect_download() as download:
        page.locator("[data-png=trend]").click()
    assert download.value.suggested_filename == "grievances-trend.png"
    page.goto("/dashboard/reports/")
    page.locator("#chart-open_heatmap").scroll_into_view_if_needed()
    # The hexagons (SVG) over the city's map: the districts and communities under them.
    page.wait_for_selector("#chart-open_heatmap path.leaflet-interactive")
    assert page.evaluate("() => YZ.maps.some(m => m.getContainer().closest('#chart-open_heatmap'))")
    shot("dashboard-reports-heatmap")
    page.goto("/dashboard/stations/")
    page.wait_for_selector("#chart-by_hour canvas")
    shot("dashboard-stations")
    page.goto("/dashboard/points/")
    page.wait_for_selector("#chart-trend canvas")
    shot("dashboard-points")
    page.goto("/dashboard/grievances/?start=2026-11-20&end=2026-11-10")
    assert page.get_by_role("alert").inner_text().strip() == "结束日期早于开始日期。"
    shot("dashboard-bad-range")
    context.close()

    officer = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    page = officer.new_page()
    log_in(page, "13900000008")
    page.goto("/dashboard/grievances/")
    options = page.locator("select[name=district] option").all_inner_texts()
    assert options == ["城关区"]
    refused = page.goto(f"/dashboard/grievances/?district={world.other_district.pk}")
    assert refused.status == 403
    officer.close()
