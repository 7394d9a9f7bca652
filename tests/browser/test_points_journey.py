"""Points end to end in a real browser: verified reports earn points through the domain
event, the worker redeems a helmet at a station and gets a code and QR code, the keeper
enters the code and hands the helmet over, and balance, stock and ledger agree."""

from urllib.parse import urlsplit

from django.db import transaction

from tests.conftest import PASSWORD
from yizhan.core import events
from yizhan.points import selectors, services
from yizhan.points.models import CatalogItem, EarningRule, Redemption
from yizhan.points.verification import verify_ledger


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the home page, not /login/


def log_out(page):
    page.get_by_role("button", name="退出").click()


def test_worker_redeems_a_helmet_and_the_keeper_hands_it_over(
    city, page, shot, transactional_db, run_tasks
):
    services.pool_issue(points=10_000, reason="budget", by=city.adam)
    EarningRule.objects.create(
        code="exposed-wire",
        name="随手拍·裸露电线",
        source="report_verified",
        category="exposed_wire",
        points=20,
    )
    helmet = services.catalog_item_create(
        by=city.adam, name="安全头盔", price=30, stock=2, stations=[city.station]
    )
    services.catalog_item_create(
        by=city.adam, name="爱心餐券", price=5, stock=50, stations=[city.station]
    )
    # What the reports app will do when a grid officer verifies Alice's reports.
    for report_id in (301, 302):
        with transaction.atomic():
            events.publish(
                "report.verified",
                report_id=report_id,
                reporter_id=city.alice.pk,
                category="exposed_wire",
            )
    run_tasks()

    log_in(page, "13800000001")
    page.get_by_role("link", name="我的积分").click()
    assert page.locator("#balance").inner_text() == "40"
    assert page.get_by_text("随手拍·裸露电线 · 举报 301 已核实").is_visible()
    shot("points-01-my-points")

    page.get_by_role("link", name="兑换", exact=True).click()
    shot("points-02-catalogue")
    page.locator("article.product", has_text="安全头盔").get_by_role("link").click()
    assert page.get_by_text("兑换后余额").is_visible()  # nothing spent before confirming
    page.get_by_label("甲工会驿站").check()
    page.get_by_role("button", name="确认使用 30 积分兑换").click()
    page.wait_for_url("**/points/r/*/")
    code = page.locator("#pickup-code").inner_text()
    assert page.get_by_text("兑换成功").is_visible()
    page.wait_for_function("document.querySelector('.pickup img').naturalWidth > 0")
    shot("points-03-pick-up-code")
    log_out(page)

    log_in(page, "13900000005")
    page.get_by_role("link", name="兑换核销").first.click()  # menu and tile
    page.get_by_label("领取码").fill(code.lower())
    page.get_by_role("button", name="核对领取码").click()
    page.locator(".found").get_by_text("安全头盔").wait_for()  # after the page has loaded
    shot("points-04-keeper-check")
    page.get_by_role("button", name="确认发放").click()
    page.get_by_text("已发放：安全头盔，谢谢！").wait_for()
    shot("points-05-keeper-handed-over")
    log_out(page)

    log_in(page, "13900000001")
    page.get_by_role("link", name="积分管理").first.click()
    page.get_by_role("link", name="兑换台账").click()
    page.wait_for_url("**/points/admin/redemptions/")
    page.locator("table.data").get_by_text("已领取").wait_for()
    shot("points-06-redemption-ledger")

    helmet = CatalogItem.objects.get(pk=helmet.pk)
    redemption = Redemption.objects.get()
    assert redemption.status == "fulfilled" and redemption.display_code == code
    assert selectors.worker_balance(city.alice) == {"balance": 10, "held": 0}
    assert helmet.stock == 1
    report = verify_ledger()
    assert report.ok, report.violations
    assert report.totals["balance:redeemed"] == 30 and report.totals["balance:escrow"] == 0
