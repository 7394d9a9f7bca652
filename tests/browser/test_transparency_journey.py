"""Platform transparency end to end in a real browser: a ride-hailing driver uploads his
earnings statement on his phone, sees 32 % against the 25 % cap his platform published,
files the commission case in one tap; the platform's representative answers it with a
statement from the console (without learning who he is); the dispatcher routes it to the
transport bureau by the city's rule. The public page shows the caps and their history."""

import datetime as dt
import re

from tests.browser.conftest import SHOTS
from tests.conftest import PASSWORD
from tests.transparency.conftest import World, at, csv_bytes, ride_rows
from yizhan.cases import selectors as cases_selectors
from yizhan.transparency import services
from yizhan.transparency.models import Dispute


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/$"))


def desktop(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_driver_disputes_a_commission_above_the_cap_and_it_reaches_transport(
    city, page, shot, browser, live_server, tmp_path, transactional_db
):
    world = World(city)
    world.ride_caps(express=2800, effective_from=dt.date(2026, 3, 1), now=at(2026, 2, 20))
    world.ride_caps(express=2500, effective_from=dt.date(2026, 9, 1), now=at(2026, 8, 20))
    services.disclosure_confirm(platform=world.ride, actor=world.rita)
    statement = tmp_path / "黄河出行收入明细.csv"
    statement.write_bytes(
        csv_bytes(
            ride_rows(14), encoding="gbk", meta=[["司机姓名", "李**"], ["手机号", "138****0002"]]
        )
    )

    # The driver, on his phone: 查一查 → upload the statement → the week → one tap.
    log_in(page, "13800000002")
    page.get_by_role("link", name="查一查抽成").first.click()
    page.get_by_role("link", name="上传收入明细").click()
    page.get_by_label("平台").select_option(label="黄河出行")
    page.get_by_label("收入明细（CSV 或 Excel）").set_input_files(str(statement))
    page.get_by_role("button", name="读取收入明细").click()
    assert page.locator(".result").get_by_text("新增 14 笔").is_visible()
    shot("transparency-01-statement-read")
    page.locator("a.week").first.click()
    assert page.locator("#week-rate").inner_text() == "32.0%"
    assert page.locator("#week-cap").inner_text() == "25.0%"
    assert page.get_by_text("按本市规则，由交通运输局办理").is_visible()
    shot("transparency-02-week-above-cap")
    page.get_by_role("button", name="一键提交抽成诉求").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    dispute = Dispute.objects.get()
    assert page.get_by_text(f"抽成诉求 #{dispute.case_id} 已提交").is_visible()
    assert page.get_by_text("实际抽成比例 32.0%，高于平台公示的上限 25.0%").is_visible()
    shot("transparency-03-case-filed")
    page.goto("/transparency/check/")
    assert page.locator("a.week .flag.filed").is_visible()
    shot("transparency-03b-check-weeks")
    page.goto("/transparency/hours/")
    page.get_by_label("在线时长（小时）").fill("11.5")
    page.get_by_label("日期").fill("2026-11-20")
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("工作时长已记录").is_visible()
    shot("transparency-03c-hours")

    # The platform's representative, at a desk: the console, the case, a statement.
    context, rep = desktop(browser, live_server)
    log_in(rep, "13900000016")
    rep.get_by_role("link", name="平台工作台").first.click()
    assert rep.get_by_text("现行公示").is_visible()
    rep.screenshot(path=str(SHOTS / "transparency-04-console.png"), full_page=True)
    rep.locator("#cases").get_by_role("link", name="回应").first.click()
    assert rep.get_by_text("应劳动者要求不予显示").is_visible()
    assert "李大山" not in rep.content() and "13800000002" not in rep.content()
    rep.get_by_label("平台说明").fill(
        "经核查，该周订单含代收高速通行费，平台将逐单复核并在3个工作日内回复。"
    )
    rep.get_by_role("button", name="将说明记入诉求").click()
    assert rep.get_by_text("你的说明已记入诉求办理记录").is_visible()
    rep.screenshot(path=str(SHOTS / "transparency-05-platform-statement.png"), full_page=True)
    context.close()

    # The dispatcher routes it to the transport bureau as the city's rule says.
    context, desk = desktop(browser, live_server)
    log_in(desk, "13900000002")
    desk.get_by_role("link", name="抽成诉求").first.click()
    desk.get_by_role("button", name="派往交通运输局").click()
    assert desk.get_by_text(f"诉求 #{dispute.case_id} 已派往交通运输局").is_visible()
    desk.screenshot(path=str(SHOTS / "transparency-06-routed.png"), full_page=True)
    desk.goto(f"/cases/{dispute.case_id}/")
    assert desk.get_by_text("平台说明").first.is_visible()
    desk.screenshot(path=str(SHOTS / "transparency-07-case-history.png"), full_page=True)
    context.close()

    case = cases_selectors.case_for_viewer(user=city.dora, case_id=dispute.case_id)
    assert case.state == "dispatched" and case.department == world.transport
    actions = [e.action for e in cases_selectors.case_history(case)]
    assert actions == ["submit", "platform_statement", "accept", "dispatch"]

    # Anyone, without logging in: the platform's public page with the caps' history.
    page.get_by_role("button", name="退出").click()
    page.goto("/transparency/p/huanghe/")
    page.wait_for_selector("#history [data-chart] svg")
    assert (
        page.get_by_role("cell", name="28.0%").is_visible()
        or page.get_by_text("28.0%").first.is_visible()
    )
    shot("transparency-08-public-page")


def test_the_public_page_draws_the_index_with_its_table_and_the_city_reviews(
    city, browser, live_server, page, shot, transactional_db
):
    """The demo seeder's data: the index published for 黄河出行 with the cap as a line,
    the table beside it; the city's review page with the queue and the stale flags."""
    from tests.conftest import make_user
    from yizhan.accounts.models import WorkerProfile
    from yizhan.cases.demo import seed_reference_data
    from yizhan.orgs.models import Platform
    from yizhan.transparency.demo import seed_transparency

    seed_reference_data()
    for code, name, kind in [
        ("jincheng", "金城外卖", "delivery"),
        ("silu", "丝路货运", "freight"),
        ("feiyan", "飞燕快递", "courier"),
        ("tongcheng", "同城急送", "delivery"),
    ]:
        Platform.objects.create(code=code, name=name, kind=kind)
    platforms = list(Platform.objects.order_by("id"))
    for i in range(100):
        WorkerProfile.objects.create(
            user=make_user(f"1360000{i:04d}", f"骑手{i}"),
            kind="delivery_rider",
            platform=platforms[i % len(platforms)],
            home_district=city.district,
            consent_version="2026-11",
            consent_at=city.alice.worker.consent_at,
        )
    seed_transparency()

    context, desk = desktop(browser, live_server)
    desk.goto("/transparency/p/huanghe/")
    desk.wait_for_selector("#index [data-chart] svg")
    assert desk.locator("#index table").get_by_text("快车").first.is_visible()
    desk.screenshot(path=str(SHOTS / "transparency-09-public-index-desktop.png"), full_page=True)
    desk.goto("/transparency/p/silu/")
    assert desk.get_by_text("不公布：不足 20 名劳动者").first.is_visible()
    assert desk.get_by_text("久未确认").first.is_visible()
    context.close()

    page.goto("/transparency/")
    shot("transparency-10-public-list")

    context, desk = desktop(browser, live_server)
    log_in(desk, "13900000001")
    desk.get_by_role("link", name="公示审核").first.click()
    assert desk.get_by_text("同城急送").first.is_visible()
    desk.screenshot(path=str(SHOTS / "transparency-11-review.png"), full_page=True)
    desk.get_by_role("link", name="审核", exact=True).first.click()
    assert desk.get_by_text("与第 3 版相比的变化").is_visible()
    desk.screenshot(path=str(SHOTS / "transparency-12-review-detail.png"), full_page=True)
    context.close()
