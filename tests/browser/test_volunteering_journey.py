"""Volunteer services end to end in a real browser: the coordinator (at a desk) books a
standing dialysis ride and plans the day; the volunteer (on a phone) accepts the offer,
picks the patient up and taps done; the patient confirms with the code from the text;
the volunteer's hours and points rise."""

import datetime as dt
import re

from django.utils import timezone

from tests.browser.conftest import SHOTS
from tests.conftest import PASSWORD
from tests.volunteering.conftest import credentials, every_day
from yizhan.core import sms
from yizhan.points import services as bank
from yizhan.points.models import EarningRule
from yizhan.volunteering import services
from yizhan.volunteering.models import Trip

HOSPITAL = ("兰大一院血液净化中心", "36.045", "103.84")


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_coordinator_books_a_dialysis_ride_the_volunteer_drives_it_and_hours_and_points_rise(
    city, page, shot, browser, live_server, transactional_db, run_tasks, clock
):
    from tests.conftest import make_user
    from yizhan.accounts.models import Role

    vera = make_user("13900000007", "协调员", role=Role.VOLUNTEER_COORDINATOR)
    team = services.team_create(by=vera, name="黄河出行爱心车队", kind="fleet")
    alice = services.volunteer_enrol(by=vera, user=city.alice, team=team, home=(36.02, 103.83))
    credentials(vera, alice)
    every_day(vera, alice)
    services.beneficiary_register(
        by=vera,
        kind="patient",
        name="张桂兰",
        address="甲社区幸福路8号",
        lat=36.01,
        lng=103.81,
        consent=True,
        mobile="13700000001",
        health_note="规律透析",
    )
    bank.pool_issue(points=10_000, reason="志愿服务预算", by=city.adam)
    EarningRule.objects.create(
        code="volunteer-hour", name="志愿服务（每小时）", source="volunteer_hour", points=10
    )
    day = timezone.localdate() + dt.timedelta(days=1)

    # The coordinator, at a desk, books the standing ride and plans the day.
    desk = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
    ).new_page()
    desk.set_default_timeout(15000)
    log_in(desk, "13900000007")
    desk.get_by_role("link", name="预约接送").first.click()
    desk.get_by_label("服务对象").select_option(label="张** · 重病患者 · 甲社区")
    desk.get_by_label("目的地名称").fill(HOSPITAL[0])
    desk.get_by_label("纬度（WGS-84）").fill(HOSPITAL[1])
    desk.get_by_label("经度（WGS-84）").fill(HOSPITAL[2])
    desk.get_by_label("日期（长期接送填首日）").fill(day.isoformat())
    desk.get_by_label("预约时间（需到达）").fill("07:30")
    desk.get_by_label("返程接人时间（可选）").fill("12:00")
    desk.get_by_label("长期接送（每周重复）").check()
    for weekday in (day.weekday(), (day.weekday() + 2) % 7, (day.weekday() + 4) % 7):
        desk.locator(f"input[name=weekdays][value='{weekday}']").check()
    desk.screenshot(path=str(SHOTS / "volunteering-01-book-standing-ride.png"), full_page=True)
    desk.get_by_role("button", name="预约", exact=True).click()
    desk.wait_for_url("**/volunteering/console/**")
    assert desk.get_by_text("已预约。").is_visible()
    desk.get_by_role("button", name="生成排班方案").click()
    desk.wait_for_selector(".tl-trip")
    assert desk.locator("#plan-figures").get_by_role("rowheader", name="OR-Tools").is_visible()
    desk.wait_for_selector(".plan-map path.leaflet-interactive")
    # Drawn through the city map (YZ): its tiles, datum and Chinese controls.
    assert desk.evaluate("() => YZ.maps.some(m => m.getContainer().classList.contains('plan-map'))")
    desk.get_by_role("button", name="发布给志愿者").click()
    assert desk.get_by_text("已通过站内通知和短信向志愿者发出 2 个行程。").is_visible()
    desk.screenshot(path=str(SHOTS / "volunteering-02-console-plan.png"), full_page=True)

    # The volunteer, on a phone, accepts the morning ride and drives it.
    log_in(page, "13800000001")
    page.get_by_role("link", name="我的志愿行程").first.click()
    assert page.get_by_text("已向你发出").is_visible()
    shot("volunteering-03-offers")
    page.locator("li.offer").first.get_by_role("button", name="接受").click()
    assert page.get_by_text("已接单，谢谢！").is_visible()
    trip = Trip.objects.get(status=Trip.Status.ACCEPTED)
    assert timezone.localtime(trip.dropoff_at).time() <= dt.time(7, 30)
    shot("volunteering-04-accepted-trip")
    clock.move_to(trip.pickup_at)
    page.get_by_role("button", name="已接到").click()
    clock.move_to(trip.dropoff_at)
    page.get_by_role("button", name="完成：已送达").click()
    assert page.get_by_text("等待乘客确认").is_visible()
    shot("volunteering-05-done")
    text = next(m.text for m in sms.outbox() if "确认请回复" in m.text)
    code = re.search(r"回复 (\d{6})", text).group(1)

    # The patient (or her daughter) confirms with the code from the text.
    page.get_by_role("button", name="退出").click()
    page.goto("/volunteering/confirm/")
    page.get_by_label("收到短信的手机号").fill("13700000001")
    page.get_by_label("短信中的确认码").fill(code)
    page.get_by_role("button", name="确认").click()
    assert page.get_by_text("行程已确认").is_visible()
    shot("volunteering-06-confirmed")

    # Hours and points rise.
    run_tasks()
    log_in(page, "13800000001")
    page.goto("/volunteering/hours/")
    assert float(page.locator("#total-hours").inner_text()) > 0
    assert page.locator("#points").inner_text() == "10"
    shot("volunteering-07-hours-and-points")
    desk.context.close()
