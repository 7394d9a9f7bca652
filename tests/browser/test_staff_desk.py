"""Each staff role's main job at a desk (1366 x 768), in a real browser: the console's side
menu, tables that use the width, sortable headers, pickers, a clear result after each action
and the way on to the next item. Screenshots go to var/screenshots/desk-*.png."""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SHOTS
from tests.conftest import PASSWORD, make_user
from tests.reports.conftest import make_jpeg
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.cases import services as cases
from yizhan.cases.demo import seed_demo_cases, seed_reference_data
from yizhan.cases.models import Case, Category
from yizhan.orgs.models import Department
from yizhan.points import services as points
from yizhan.reports import services as reports
from yizhan.reports.defaults import ensure
from yizhan.reports.models import Category as ReportCategory
from yizhan.reports.models import Report

DESK = {"width": 1366, "height": 768}


@pytest.fixture
def desk(browser, live_server):
    context = browser.new_context(
        viewport=DESK, device_scale_factor=1, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"desk-{name}.png"), full_page=False)


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def fits_the_screen(page):
    """The console uses the width without a sideways scroll bar."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESK["width"], width
    assert page.locator("nav.sidenav").is_visible()


@pytest.fixture
def office(city, transactional_db):
    """The test city with a day's work: cases in every state, reports, the points bank."""
    seed_reference_data()
    seed_demo_cases(n=60)
    ensure(ReportCategory)
    wire = ReportCategory.objects.get(code="exposed-wire")
    for i, (lat, lng) in enumerate([(36.02, 103.82), (36.03, 103.83), (36.01, 103.81)]):
        reports.report_submit(
            reporter=city.alice,
            category=wire,
            lat=lat,
            lng=lng,
            description=f"电线裸露{i + 1}",
            photos=[make_jpeg(seed=i + 3)],
        )
    points.pool_issue(points=10_000, reason="年度预算", by=city.adam)
    item = points.catalog_item_create(
        by=city.adam, name="安全头盔", price=30, stock=5, stations=[city.station]
    )
    points.grant(worker=city.alice, points=80, reason="随手拍奖励", by=city.adam, via="web")
    city.redemption = points.redemption_create(
        worker=city.alice, item_id=item.pk, station_id=city.station.pk
    )
    city.transport = Department.objects.get(code="transport")
    city.tom = make_user(
        "13900000044",
        "交通干部",
        role=Role.DEPARTMENT_OFFICER,
        scope_field="department",
        scope=city.transport,
    )
    return city


def test_dispatcher_accepts_dispatches_urges_and_reassigns(office, desk):
    wages = Category.objects.get(code="wage_arrears")
    case, _created = cases.case_submit(
        worker=office.alice, category=wages, description="站点拖欠我10月工资3100元。"
    )
    log_in(desk, "13900000002")
    desk.locator("nav.sidenav").get_by_role("link", name="工单调度").click()
    desk.get_by_text(re.compile(r"共 \d+ 条结果")).wait_for()
    fits_the_screen(desk)
    shoot(desk, "01-dispatcher-queue")

    # Sort by filing time, newest first: two clicks on the header.
    desk.locator("th a.sort", has_text="登记时间").click()
    desk.wait_for_url(re.compile(r"sort=created"))
    desk.locator("th a.sort", has_text="登记时间").click()
    desk.wait_for_url(re.compile(r"sort=-created"))
    assert desk.locator("th[aria-sort=descending]").inner_text() == "登记时间"
    # A choice in the filter bar applies at once, keeping the sort.
    desk.locator("select[name=category]").select_option(label="欠薪")
    desk.wait_for_url(re.compile(rf"category={wages.pk}"))
    assert "sort=-created" in desk.url
    desk.get_by_role("link", name=re.compile(f"#{case.pk} 欠薪")).click()
    desk.get_by_role("button", name="受理", exact=True).click()
    desk.get_by_text(f"工单 #{case.pk} 已受理。").wait_for()
    assert desk.get_by_role("link", name="返回队列").is_visible()
    desk.get_by_label("承办部门", exact=True).select_option(label="人力资源和社会保障局")
    desk.get_by_role("button", name="派单", exact=True).click()
    desk.get_by_text(f"工单 #{case.pk} 已派给人力资源和社会保障局。").wait_for()
    fits_the_screen(desk)
    shoot(desk, "02-dispatcher-case")

    # Supervise: urge, then reassign to the transport bureau.
    desk.get_by_label("给承办部门的话（选填）").fill("请今天内签收")
    desk.get_by_role("button", name="催办", exact=True).click()
    desk.get_by_text(f"工单 #{case.pk} 已催办").wait_for()
    desk.get_by_text("改派给其他部门").click()
    desk.get_by_label("新的承办部门").select_option(label=office.transport.name)
    desk.locator("#re-reason").fill("涉及营运车辆")
    desk.get_by_role("button", name="改派", exact=True).click()
    desk.get_by_text(f"工单 #{case.pk} 已改派给{office.transport.name}。").wait_for()
    timeline = desk.locator(".timeline").inner_text()
    assert "催办" in timeline and "改派" in timeline
    shoot(desk, "03-dispatcher-reassigned")
    case.refresh_from_db()
    assert case.department == office.transport and case.state == Case.State.DISPATCHED


def test_department_officer_signs_for_and_replies_then_goes_on(office, desk):
    labour = office.labour
    wages = Category.objects.get(code="wage_arrears")
    mine = []
    for text in ("欠薪一", "欠薪二"):
        case, _ = cases.case_submit(worker=office.alice, category=wages, description=text)
        cases.case_accept(case=case, actor=office.dora)
        mine.append(cases.case_dispatch(case=case, actor=office.dora, department=labour))
    cases.case_urge(case=mine[0], actor=office.dora, note="请尽快")
    log_in(desk, "13900000004")
    desk.locator("nav.sidenav").get_by_role("link", name="本部门工单").click()
    desk.get_by_text(re.compile(r"共 \d+ 条结果")).wait_for()
    assert desk.locator("table.data").get_by_text("已催办").first.is_visible()
    fits_the_screen(desk)
    shoot(desk, "04-department-queue")
    desk.get_by_role("link", name=re.compile(f"#{mine[0].pk} 欠薪")).click()
    desk.get_by_role("button", name="签收", exact=True).click()
    desk.get_by_text(f"您已签收工单 #{mine[0].pk}。").wait_for()
    desk.get_by_label("答复劳动者").fill("已约谈站点负责人，工资三日内结清。")
    desk.get_by_role("button", name="发送答复").click()
    desk.get_by_text(f"#{mine[0].pk} 的答复已发送给劳动者。").wait_for()
    shoot(desk, "05-department-replied")
    desk.get_by_role("link", name=re.compile("队列中的下一件")).click()
    desk.wait_for_url(lambda url: re.search(r"/cases/\d+/$", url) and f"/{mine[0].pk}/" not in url)
    # The next one waits for the department: it may be signed for.
    desk.get_by_role("button", name="签收", exact=True).or_(
        desk.get_by_role("button", name="记录办理情况")
    ).first.wait_for()


def test_grid_officer_works_the_report_queue(office, desk):
    log_in(desk, "13900000003")
    desk.locator("nav.sidenav").get_by_role("link", name="随手拍工单").click()
    desk.locator("table.data").wait_for()
    fits_the_screen(desk)
    # Nothing ticked: the page says so and changes nothing.
    desk.get_by_role("button", name="受理所选").click()
    desk.get_by_text("未选择任何报告：请先在列表中勾选。").wait_for()
    # Tick every row with the header's box and accept them all.
    desk.locator("th.col-check input").check()
    desk.get_by_role("button", name="受理所选").click()
    desk.get_by_text(re.compile(r"已受理：#\d+")).wait_for()
    shoot(desk, "06-grid-officer-queue")
    assert set(Report.objects.values_list("state", flat=True)) == {"accepted"}
    # Sort by the response deadline, the other way.
    desk.locator("th a.sort", has_text="响应期限").click()
    desk.wait_for_url(re.compile(r"sort=-due"))
    assert desk.locator("th[aria-sort=descending]").count() == 1
    # A report, then straight on to the next one in the queue.
    first = desk.locator("table.data tbody a").first
    first.click()
    desk.get_by_role("link", name=re.compile("队列中的下一件")).wait_for()
    fits_the_screen(desk)
    shoot(desk, "06b-grid-officer-report")
    desk.get_by_role("button", name="开始处理").click()
    desk.get_by_text(re.compile(r"报告 #\d+ 已开始处理。")).wait_for()


def test_station_keeper_sets_the_status_and_hands_over(office, desk):
    log_in(desk, "13900000005")
    desk.locator("nav.sidenav").get_by_role("link", name="驿站").first.click()
    desk.wait_for_url(re.compile(r"/staff/stations/S1/$"))
    fits_the_screen(desk)
    desk.get_by_label("状态", exact=True).select_option(index=1)
    desk.get_by_role("button", name="设置状态").click()
    desk.get_by_text("驿站状态已更新。").wait_for()
    shoot(desk, "07-keeper-console")
    desk.locator("nav.sidenav").get_by_role("link", name="兑换核销").click()
    desk.get_by_label("领取码").fill(office.redemption.code.lower())
    desk.get_by_role("button", name="核对领取码").click()
    desk.locator(".found").get_by_text("安全头盔").wait_for()
    fits_the_screen(desk)
    shoot(desk, "08-keeper-hand-over")
    desk.get_by_role("button", name="确认发放").click()
    desk.get_by_text("已发放：安全头盔，谢谢！").wait_for()


def test_platform_representative_reads_the_cases_about_the_platform(office, desk):
    log_in(desk, "13900000006")
    desk.locator("nav.sidenav").get_by_role("link", name="涉及本平台的工单").click()
    desk.get_by_text(re.compile(r"共 \d+ 条结果")).wait_for()
    fits_the_screen(desk)
    shoot(desk, "09-platform-queue")
    desk.locator("table.data tbody a").first.click()
    desk.get_by_role("link", name="返回队列").wait_for()
    assert desk.locator(".split").count() == 0  # nothing to do here: the case uses the width
    shoot(desk, "10-platform-case")


def test_city_administrator_finds_people_stations_and_points(office, desk):
    twin = make_user("13812340001", "李四")
    WorkerProfile.objects.create(
        user=twin,
        kind="courier",
        home_district=office.district,
        consent_version="2026-11",
        consent_at=twin.date_joined,
    )
    log_in(desk, "13900000001")
    desk.goto("/staff/people/")
    desk.get_by_placeholder("完整姓名、手机号或 138****1234").fill("138****0001")
    desk.get_by_role("button", name="搜索", exact=True).click()
    desk.get_by_text("共 2 条结果").wait_for()
    assert "0001" not in urlsplit(desk.url).query
    fits_the_screen(desk)
    shoot(desk, "11-admin-people-search")

    desk.locator("nav.sidenav").get_by_role("link", name="驿站").first.click()
    desk.wait_for_url(re.compile(r"/staff/stations/city/"))
    desk.get_by_text(re.compile(r"共 \d+ 条结果")).wait_for()
    fits_the_screen(desk)
    shoot(desk, "12-admin-station-network")

    desk.locator("nav.sidenav").get_by_role("link", name="积分管理").click()
    assert desk.get_by_text("累计发放积分").is_visible()
    shoot(desk, "13-admin-points")
    desk.get_by_role("link", name="兑换台账").click()
    picker = desk.locator(".picker input[type=search]").first
    picker.fill("甲工会")
    picker.press("Enter")
    desk.wait_for_url(re.compile(rf"station={office.station.pk}"))
    desk.locator("table.data").get_by_text("安全头盔").wait_for()
    fits_the_screen(desk)
    shoot(desk, "14-admin-ledger")
