"""A rider files a wage-arrears complaint; the dispatcher accepts and dispatches it to the
labour bureau; the officer signs for it and replies; the rider rates it and it closes —
with the deadline on every page, in a real browser at phone size."""

import re

from yizhan.cases.demo import seed_demo_cases, seed_reference_data
from yizhan.cases.models import Case

PASSWORD = "Sturdy-pass-2026"


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/$"))


def log_out(page):
    page.get_by_role("button", name="退出").click()


def open_from_queue(page, case):
    """Staff find the case the worker names by its number, wherever the deadline order put it."""
    page.get_by_placeholder("工单号或热线工单编号").first.fill(str(case.pk))
    page.get_by_placeholder("工单号或热线工单编号").first.press("Enter")
    page.get_by_role("link", name=re.compile(f"#{case.pk} 欠薪")).click()


def test_rider_complaint_goes_round_the_whole_work_order_flow(
    city, moment, page, shot, transactional_db
):
    seed_reference_data()
    seed_demo_cases(n=60)  # other demands, so queues and metrics are not empty

    # The rider files the complaint.
    log_in(page, "13800000001")
    page.get_by_role("link", name="提交诉求").first.click()
    page.get_by_label("诉求类别").select_option(label="欠薪")
    page.get_by_label("诉求内容").fill("配送站点拖欠我9月份工资2800元，多次催要未果。")
    page.get_by_label("不向所涉平台或用工单位透露我的身份").check()
    page.get_by_role("button", name="提交").click()
    assert page.get_by_text("受理时限").is_visible()
    case = Case.objects.filter(worker=city.alice, channel="app").latest("id")
    page.goto("/cases/")
    assert page.get_by_text(f"#{case.pk} 欠薪").is_visible()
    shot("cases-01-my-demands")
    log_out(page)

    # The dispatcher accepts and dispatches to the labour bureau.
    log_in(page, "13900000002")
    page.get_by_role("link", name="工单调度").first.click()
    shot("cases-02-dispatcher-queue")
    open_from_queue(page, case)
    assert page.get_by_text("受理时限").is_visible()
    page.get_by_role("button", name="受理", exact=True).click()
    assert page.get_by_text("答复时限").first.is_visible()
    page.get_by_label("承办部门", exact=True).select_option(label="人力资源和社会保障局")
    page.get_by_role("button", name="派单", exact=True).click()
    assert page.get_by_text("已派单，待签收").first.is_visible()
    log_out(page)

    # The labour-bureau officer signs for it and replies.
    log_in(page, "13900000004")
    page.get_by_role("link", name="本部门工单").first.click()
    open_from_queue(page, case)
    assert page.get_by_text("答复时限").first.is_visible()
    page.get_by_role("button", name="签收", exact=True).click()
    page.get_by_label("答复劳动者").fill("已约谈站点负责人，工资将于三日内足额发放。")
    page.get_by_role("button", name="发送答复").click()
    assert page.get_by_text("已答复，待回访").first.is_visible()
    log_out(page)

    # The rider rates the reply; the case closes.
    log_in(page, "13800000001")
    page.get_by_role("link", name="我的诉求").first.click()
    page.get_by_role("link", name=re.compile(f"#{case.pk} 欠薪")).click()
    assert page.get_by_text("工资将于三日内足额发放").first.is_visible()
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    assert page.get_by_text("已办结").first.is_visible()
    shot("cases-03-case-timeline")
    case.refresh_from_db()
    assert case.state == "closed" and case.rating == "satisfied"
    log_out(page)

    # The platform representative sees the case without the rider's identity.
    log_in(page, "13900000006")
    page.goto(f"/cases/{case.pk}/")
    assert page.get_by_text("应劳动者要求不予显示").is_visible()
    assert page.get_by_text("王小川").count() == 0
    log_out(page)

    log_in(page, "13900000002")
    page.get_by_role("link", name="工单统计").first.click()
    assert page.get_by_text("按部门").is_visible()
    shot("cases-04-metrics")
