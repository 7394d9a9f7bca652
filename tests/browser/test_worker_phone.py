"""A rider's main jobs on a 390×844 phone, with JavaScript on and off: report a hazard, file
a demand and rate the reply, redeem points, read their own data. Every page on the way is
checked with axe-core (injected here, never served to a page): no serious or critical
accessibility violation. Screenshots land in var/screenshots/worker-{js,nojs}-*.png."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser.conftest import SHOTS
from tests.conftest import ALICE_ID, PASSWORD
from tests.reports.conftest import IN_A, make_jpeg
from yizhan.cases import services as cases
from yizhan.cases.demo import seed_reference_data
from yizhan.cases.models import Case
from yizhan.points import services as points
from yizhan.points.demo_photos import product_photo
from yizhan.points.models import EarningRule, Redemption
from yizhan.reports.models import Report
from yizhan.stations.models import Station

# Copied from npm by `make assets`; loaded by the test from the site's own origin (the pages'
# CSP allows no inline script), never referenced by a page.
AXE = Path(__file__).resolve().parents[2] / "src/yizhan/static/vendor/axe/axe.min.js"
AXE_URL = "/static/vendor/axe/axe.min.js"
# Alice stands next to the second station: with location on, it is offered first.
NEAR_S2 = {"latitude": 36.0695, "longitude": 103.8305}


def axe_ready():
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make assets` (npm package axe-core)")


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone(request, browser, live_server, city, transactional_db):
    """A logged-in rider's phone; `phone.js` says whether JavaScript runs."""
    js = request.param
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
        java_script_enabled=js,
        geolocation=NEAR_S2,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    page.js = js
    page.mode = "js" if js else "nojs"
    page.goto("/login/")
    page.get_by_label("手机号").fill("13800000001")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    yield page
    context.close()


def look(page, name):
    """A full-page screenshot (to look at) and, where scripts run, the axe-core check."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"worker-{page.mode}-{name}.png"), full_page=True)
    if not page.js:
        return  # the same markup as with JavaScript on, where axe runs
    axe_ready()
    page.add_script_tag(url=AXE_URL)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            });
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
        }"""
    )
    assert found == [], f"{name}: {found}"


def test_home_puts_the_main_action_first(phone):
    look(phone, "01-home")
    main = phone.locator(".home-main a").first
    assert main.inner_text().startswith("随手拍")
    assert phone.locator(".icon-grid a").count() >= 4
    assert phone.get_by_role("navigation", name="主导航").get_by_role("link").count() == 5


def test_report_a_hazard(phone, tmp_path):
    EarningRule.objects.create(
        code="wire", name="裸露电线", source="report_verified", category="exposed-wire", points=20
    )
    photo = tmp_path / "wire.jpg"
    photo.write_bytes(make_jpeg(seed=3, gps=IN_A).read())
    phone.goto("/reports/new/")
    phone.get_by_label("是什么问题？").select_option("exposed-wire")
    phone.get_by_label("简单描述（可不填）").fill("电线垂到人行道上")
    phone.get_by_role("button", name="发送").click()
    # No spot yet: one message, in Chinese, beside the location — the typed text kept.
    error = phone.locator("#location-field .error")
    error.wait_for()
    assert error.count() == 1
    assert (
        error.inner_text()
        == "需要问题地点：请允许定位、在地图上选点、选择社区，或使用照片中的位置。"
    )
    assert phone.get_by_label("简单描述（可不填）").input_value() == "电线垂到人行道上"
    assert phone.get_by_text("Input should be").count() == 0
    look(phone, "02-report-no-spot")

    phone.get_by_label("照片", exact=True).set_input_files(str(photo))
    if phone.js:  # a thumbnail of the chosen photo
        phone.locator(".file-previews img").wait_for()
    phone.get_by_label("使用照片中记录的位置（手机无法定位时）").check()
    look(phone, "03-report-form")
    phone.get_by_role("button", name="发送").click()
    phone.wait_for_url(re.compile(r"/reports/\d+/\?sent=1$"))
    report = Report.objects.get()
    assert phone.get_by_role("heading", name=f"随手拍 #{report.pk} 已发送").is_visible()
    assert phone.get_by_text("社区核实后，您将获得 20 积分。").is_visible()
    assert phone.get_by_role("link", name="再拍一处").is_visible()
    look(phone, "04-report-sent")


def test_file_a_demand_and_rate_the_reply(phone, city, tmp_path):
    seed_reference_data()
    not_a_pdf = tmp_path / "wages.pdf"
    not_a_pdf.write_bytes(b"just text")
    phone.goto("/cases/new/")
    phone.get_by_label("诉求类别").select_option(label="欠薪")
    phone.get_by_label("诉求内容").fill("配送站点拖欠我9月份工资2800元。")
    phone.locator("input[name=attachments]").set_input_files(str(not_a_pdf))
    phone.get_by_role("button", name="提交").click()
    # Refused beside the attachments, in Chinese; what was typed stays.
    error = phone.locator(".file-field .error")
    error.wait_for()
    assert "PDF" in error.inner_text() and "照片" in error.inner_text()
    assert phone.get_by_label("诉求内容").input_value() == "配送站点拖欠我9月份工资2800元。"
    assert phone.get_by_label("诉求类别").input_value() != ""
    look(phone, "05-demand-refused")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    notice = phone.locator(".messages").inner_text()
    assert f"诉求 #{case.pk} 已提交" in notice and "前受理" in notice
    assert phone.get_by_role("heading", name=re.compile(f"#{case.pk} 欠薪")).is_visible()
    look(phone, "06-demand-filed")

    cases.case_accept(case=case, actor=city.dora)
    cases.case_dispatch(case=case, actor=city.dora, department=city.labour)
    cases.case_sign_for(case=case, actor=city.dan)
    cases.case_handle(case=case, actor=city.dan, note="内部：站长推诿")
    cases.case_reply(case=case, actor=city.dan, text="已责令站点三日内结清工资。")
    phone.goto(f"/cases/{case.pk}/")
    assert phone.get_by_text("已责令站点三日内结清工资。").first.is_visible()
    assert phone.get_by_text("内部：站长推诿").count() == 0
    choices = phone.locator(".choices .choice")
    boxes = [choices.nth(i).bounding_box() for i in range(3)]
    assert len({round(b["y"]) for b in boxes}) == 1  # one row of labelled choices
    look(phone, "07-demand-replied")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("已办结").first.wait_for()
    case.refresh_from_db()
    assert case.state == "closed" and case.rating == "satisfied"


def test_redeem_points(phone, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    near = Station.objects.create(
        code="S2",
        name="乙工会驿站",
        kind="union",
        lat=36.07,
        lng=103.83,
        community=city.community_b,
        address="城关区乙路 12 号",
    )
    points.pool_issue(points=1000, reason="budget", by=city.adam)
    points.grant(worker=city.alice, points=50, reason="帮扶", by=city.adam, via="web")
    points.catalog_item_create(
        by=city.adam,
        name="安全头盔",
        price=30,
        stock=2,
        stations=[city.station, near],
        photo=SimpleUploadedFile("h.png", product_photo("安全头盔", kind="helmet"), "image/png"),
    )
    phone.goto("/points/catalog/")
    assert phone.locator("img.product-photo").count() == 1
    look(phone, "08-catalogue")
    phone.locator("article.product", has_text="安全头盔").get_by_role("link").click()
    assert phone.get_by_text("兑换后余额").is_visible()
    if phone.js:  # location on: the nearest station first, chosen, with its distance
        phone.locator("#station-choices .distance").first.wait_for()
        first = phone.locator("#station-choices li").first
        assert "乙工会驿站" in first.inner_text() and "米" in first.inner_text()
        assert first.locator("input").is_checked()
    else:  # the list as it comes, the first chosen
        phone.get_by_label("乙工会驿站").check()
    assert phone.get_by_text("城关区乙路 12 号").is_visible()
    look(phone, "09-redeem-confirm")
    assert not Redemption.objects.exists()  # nothing spent before confirming
    phone.get_by_role("button", name="确认使用 30 积分兑换").click()
    phone.wait_for_url("**/points/r/*/")
    redemption = Redemption.objects.get()
    assert redemption.station == near
    assert phone.locator("#pickup-code").inner_text() == redemption.display_code
    look(phone, "10-pick-up-code")


def test_read_my_data(phone):
    phone.get_by_role("navigation", name="主导航").get_by_role("link", name="我的").click()
    phone.wait_for_url("**/me/")
    masked = ALICE_ID[:3] + "*" * 11 + ALICE_ID[-4:]
    assert phone.locator("#my-id-number").inner_text() == masked
    assert phone.locator("#my-mobile").inner_text() == "138****0001"
    look(phone, "11-me")
    phone.get_by_role("button", name="显示完整信息").click()
    assert phone.locator("#my-id-number").inner_text() == ALICE_ID
    look(phone, "12-me-shown")
    phone.get_by_role("link", name="注销账户").click()
    assert phone.get_by_text("注销后您将失去：").count() == 0  # nothing to lose yet
    phone.get_by_role("button", name="注销账户").click()
    assert phone.get_by_text("请勾选确认您要删除个人信息。").is_visible()
    look(phone, "13-delete-unconfirmed")
