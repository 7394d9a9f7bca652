"""一键报到 end to end in a real browser: a rider who moved from 城关区 to 七里河区 opens her
membership on her phone, finds the station she is at, checks in with the 七里河区 union in one
tap; the receiving union's officer acknowledges on a desktop console; her card now shows the
new branch, with the same number."""

from tests.browser.conftest import SHOTS
from tests.conftest import PASSWORD
from tests.membership.conftest import World
from yizhan.membership.models import Membership, Transfer

XIYUAN = {"latitude": 36.0502, "longitude": 103.7502}  # a few metres from station S7
NEW_BRANCH = "七里河区新就业形态劳动者工会联合会"


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_rider_checks_in_in_one_tap_and_the_receiving_union_acknowledges(
    city, page, shot, browser, live_server, transactional_db
):
    world = World(city)
    number = world.alice_card.number

    # The rider, on her phone, at station S7 in 七里河区.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(XIYUAN)
    log_in(page, "13800000001")
    page.get_by_role("link", name="我的会籍").click()
    card = page.locator("article.mcard").first
    assert "城关区新就业形态劳动者工会联合会" in card.inner_text()
    assert number in card.inner_text()
    shot("membership-01-my-card-chengguan")

    page.get_by_role("link", name="一键报到").click()
    page.get_by_role("button", name="附近的驿站").click()
    page.wait_for_url("**lat=*")
    shot("membership-02-stations-near-me")
    page.get_by_role("link", name="西园工会驿站").click()
    row = page.locator("li.org-row", has_text=NEW_BRANCH)
    shot("membership-03-organisations-at-the-station")
    row.get_by_role("button", name="在此报到").click()  # the one tap
    page.wait_for_url("**/membership/check-ins/*/")
    assert page.get_by_text("待接收确认").is_visible()
    assert "2026-11-27" in page.locator(".transfer").inner_text()
    shot("membership-04-checked-in-waiting")
    transfer = Transfer.objects.get()
    assert (transfer.from_org, transfer.to_org, transfer.station) == (
        world.cg_union,
        world.qlh_union,
        world.s7,
    )

    # The receiving union's officer, at a desk.
    desk = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    console = desk.new_page()
    console.set_default_timeout(15000)
    log_in(console, "13900000102")
    console.get_by_role("link", name="组织工作台").first.click()
    console.get_by_role("link", name=NEW_BRANCH).click()
    pending = console.locator("#transfers tbody tr", has_text="王**")
    assert "城关区新就业形态劳动者工会联合会" in pending.inner_text()
    assert "2026-11-27" in pending.inner_text()
    console.screenshot(path=str(SHOTS / "membership-05-console-check-in.png"), full_page=True)
    pending.get_by_role("button", name="确认接收").click()
    console.wait_for_selector(".messages")
    assert "已确认接收" in console.locator(".messages").inner_text()
    console.screenshot(path=str(SHOTS / "membership-06-console-acknowledged.png"), full_page=True)
    desk.close()

    # The rider's card now shows the new branch, with the same number.
    page.goto("/membership/")
    card = page.locator("article.mcard").first
    assert NEW_BRANCH in card.inner_text() and number in card.inner_text()
    shot("membership-07-my-card-qilihe")
    page.locator("a.mcard-link").first.click()
    qr = page.locator(".qr img")
    qr.wait_for()
    for _ in range(50):  # the QR code is an SVG from the server: wait until it has loaded
        if qr.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert page.get_by_text("转入").first.is_visible()
    shot("membership-08-card-with-history")
    new = Membership.objects.get(organisation=world.qlh_union)
    assert new.number == number and new.previous_id == world.alice_card.pk
