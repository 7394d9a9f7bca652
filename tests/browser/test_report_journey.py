"""A rider reports an exposed wire with a photo; the grid officer of that community accepts and
resolves it with an after-photo; the rider confirms and sees the state history. Run at each of
the fixed moments (tests/clock.py): the journey holds on any day."""

import re

from tests.conftest import PASSWORD
from tests.reports.conftest import IN_A, make_jpeg
from yizhan.reports.models import Report


def _photo_file(tmp_path, seed):
    path = tmp_path / f"photo-{seed}.jpg"
    path.write_bytes(make_jpeg(seed=seed, gps=IN_A).read())
    return str(path)


def _login(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_rider_reports_officer_resolves_rider_confirms(
    city, moment, browser, live_server, tmp_path, transactional_db
):
    from tests.browser.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    phone = {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "base_url": live_server.url,
    }

    rider_ctx = browser.new_context(
        **phone,
        geolocation={"latitude": IN_A[0], "longitude": IN_A[1]},
        permissions=["geolocation"],
    )
    rider = rider_ctx.new_page()
    rider.set_default_timeout(15000)
    _login(rider, "13800000001")
    rider.get_by_role("link", name="随手拍").first.click()
    rider.get_by_label("是什么问题？").select_option("exposed-wire")
    rider.get_by_label("照片", exact=True).set_input_files(_photo_file(tmp_path, 1))
    rider.get_by_role("button", name="使用我的位置").click()
    rider.wait_for_function("document.querySelector('[name=lat]').value !== ''")
    rider.get_by_label("简单描述（可不填）").fill("电线垂到头顶")
    rider.screenshot(path=str(SHOTS / "10-report-form.png"), full_page=True)
    rider.get_by_role("button", name="发送").click()
    rider.wait_for_url(re.compile(r"/reports/\d+/(\?sent=1)?$"))
    report = Report.objects.get()
    assert report.community == city.community_a
    assert rider.get_by_text("感谢您！报告已发送给甲社区。").is_visible()
    assert report.photos.get().image.read()[:2] == b"\xff\xd8"

    officer_ctx = browser.new_context(**phone)
    officer = officer_ctx.new_page()
    officer.set_default_timeout(15000)
    _login(officer, "13900000003")
    officer.get_by_role("link", name="随手拍工单").first.click()  # menu and tile
    officer.screenshot(path=str(SHOTS / "11-officer-queue.png"), full_page=True)
    officer.get_by_role("link", name=f"#{report.pk} 电线裸露").click()
    officer.get_by_role("button", name="受理").click()
    officer.get_by_text(f"报告 #{report.pk} 已受理。").wait_for()  # the result, named
    assert officer.get_by_role("link", name="返回队列").is_visible()
    officer.get_by_label("整改后照片").set_input_files(_photo_file(tmp_path, 2))
    officer.locator("#resolve_note").fill("已通知供电所，电线已重新固定")
    officer.get_by_role("button", name="标记为已整改").click()
    assert officer.locator("h1 .state").inner_text() == "已整改"

    rider.reload()
    rider.get_by_role("button", name="是的，已经整改好了").click()
    assert rider.locator("h1 .state").inner_text() == "已办结"
    timeline = rider.locator(".timeline").inner_text()
    for step in ("已提交", "已受理", "已整改", "已办结"):
        assert step in timeline
    assert rider.locator(".photos img").count() == 2
    rider.screenshot(path=str(SHOTS / "12-report-closed.png"), full_page=True)
    report.refresh_from_db()
    assert report.state == "closed" and report.verified_at is not None
    assert report.due_at > report.created_at  # a target in the future, whatever the day
    rider_ctx.close()
    officer_ctx.close()
