"""Training end to end in a real browser: a station keeper (desktop) creates a first-aid
course at their station; a rider (phone) finds it and signs up; at the door the keeper scans
the rider's personal code; the course completes, the rider downloads the certificate (a PDF
whose Chinese text reads back) and sees the points the bank paid for it."""

import io
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import PASSWORD
from yizhan.points import services as points
from yizhan.points.models import EarningRule
from yizhan.training.models import Activity, Attendance, Enrolment


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def desk(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_a_keeper_runs_a_first_aid_course_and_a_rider_gets_certificate_and_points(
    city, page, shot, browser, live_server, transactional_db, run_tasks
):
    from tests.browser.conftest import SHOTS

    points.pool_issue(points=10_000, reason="2026 budget")
    EarningRule.objects.create(code="training", name="技能培训结业", source="training", points=30)

    # The keeper, at a desk: a first-aid course at their station, starting in half an hour.
    context, keeper = desk(browser, live_server)
    log_in(keeper, "13900000005")
    keeper.get_by_role("link", name="课程与活动").first.click()
    keeper.get_by_role("link", name="新建课程").click()
    keeper.get_by_label("主题（课程）").select_option(label="应急救护")
    keeper.get_by_label("标题").fill("应急救护培训（初级）")
    keeper.get_by_label("描述").fill("心肺复苏、止血包扎、AED 使用。")
    keeper.get_by_label("驿站或服务中心").select_option(label="甲工会驿站")
    keeper.get_by_label("开始时间", exact=True).fill("2026-11-24T10:30")
    keeper.get_by_label("结束时间", exact=True).fill("2026-11-24T12:00")
    keeper.get_by_label("名额", exact=True).fill("20")
    keeper.get_by_label("结业发证").check()
    keeper.evaluate("() => window.scrollTo(0, 0)")
    keeper.screenshot(path=str(SHOTS / "training-01-keeper-new-course.png"), full_page=True)
    keeper.get_by_role("button", name="发布").click()
    keeper.wait_for_url("**/training/console/a/*/")
    assert keeper.get_by_text("已发布，劳动者现在可以报名了。").is_visible()
    course = Activity.objects.get()
    assert course.station == city.station and course.certificate

    # The rider, on a phone: finds it and signs up in one tap.
    log_in(page, "13800000001")
    page.get_by_role("link", name="课程与活动").click()
    page.get_by_role("link", name="应急救护培训（初级）").click()
    shot("training-02-rider-course")
    page.get_by_role("button", name="报名").click()
    assert page.get_by_text("报名成功，到时见！").is_visible()
    assert page.locator("#my-status").inner_text() == "您已报名"
    page.get_by_role("link", name="我的签到码").first.click()
    code = page.locator("#pass-code").inner_text()
    shot("training-03-rider-check-in-code")

    # The keeper opens the door and scans the rider's code.
    keeper.reload()
    keeper.get_by_role("link", name="开始签到").click()
    qr = keeper.locator(".door-qr img")
    qr.wait_for()
    keeper.wait_for_load_state("networkidle")
    assert qr.evaluate("img => img.naturalWidth") > 0
    keeper.get_by_label("扫描或输入劳动者的签到码").fill(code)
    keeper.get_by_role("button", name="签到", exact=True).click()
    assert keeper.get_by_text("已签到：王**").is_visible()
    keeper.screenshot(path=str(SHOTS / "training-04-keeper-door.png"))
    context.close()
    assert Attendance.objects.count() == 1

    # The course completed; the points bank pays in the background.
    run_tasks()
    page.goto(f"/training/a/{course.pk}/")
    assert page.locator("#completed").is_visible()
    shot("training-05-rider-completed")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载结业证书（PDF）").click()
    pdf = Path(download.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    enrolment = Enrolment.objects.get()
    assert "结业证书" in text and "王小川" in text and enrolment.display_certificate_code in text

    page.goto(f"/training/verify/{enrolment.display_certificate_code}/")
    assert page.locator("#verified").is_visible() and page.get_by_text("王**").is_visible()
    shot("training-06-public-verify")

    page.goto("/points/")
    assert page.locator("#balance").inner_text() == "30"
    shot("training-07-rider-points")
