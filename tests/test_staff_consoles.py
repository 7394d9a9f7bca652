"""The staff consoles as a whole: every list page takes any query string without a 500 (a
value that does not parse is ignored or refused with 400), every page is drawn in the staff
console (side menu, desktop width), and the Chinese pages show no English, slugs, CLI hints
or Django's "---------"."""

import re
from html.parser import HTMLParser

import pytest

from tests.reports.conftest import make_jpeg
from yizhan.cases.demo import seed_reference_data

HUGE = "99999999999999999999"
ODD_VALUES = [
    "abc",
    HUGE,
    "-1",
    "0",
    "1.5",
    "１２",
    "'; DROP TABLE x;--",
    "%E4%B8%AD",
    "x" * 500,
    "",
]

# (who, list page, the query parameters it reads)
LIST_PAGES = [
    ("adam", "/staff/people/", ["district", "kind", "platform", "search", "sort", "page"]),
    (
        "dora",
        "/cases/queue/",
        ["state", "category", "department", "channel", "overdue", "q", "sort", "page"],
    ),
    (
        "dan",
        "/cases/department/",
        ["state", "category", "channel", "overdue", "urged", "q", "sort", "page"],
    ),
    ("pat", "/cases/platform/", ["state", "category", "channel", "q", "sort", "page"]),
    (
        "grace",
        "/staff/reports/",
        ["state", "category", "community", "overdue", "q", "sort", "page"],
    ),
    ("dora", "/staff/reports/", ["state", "category", "community", "overdue", "q", "sort", "page"]),
    ("adam", "/points/admin/wishes/", ["status", "sort", "page"]),
    ("adam", "/points/admin/redemptions/", ["month", "status", "station", "sort", "page"]),
    ("adam", "/staff/stations/city/", ["q", "kind", "district", "stale", "sort", "page"]),
    ("adam", "/staff/communities/", ["q", "district", "sort", "page"]),
    ("grace", "/staff/communities/", ["q", "district", "sort", "page"]),
    ("dora", "/cases/symposia/", ["page"]),
    ("kim", "/points/keeper/", ["code"]),
    ("kim", "/cases/walk-in/", ["filed"]),
]


@pytest.fixture
def consoles(city):
    """The test city with something in every console: cases in every state, a report, the
    points bank with a rule, an item, a wish, a redemption, a symposium."""
    from yizhan.cases import services as cases
    from yizhan.cases.demo import seed_demo_cases
    from yizhan.points import services as points
    from yizhan.reports import services as reports
    from yizhan.reports.defaults import ensure
    from yizhan.reports.models import Category as ReportCategory

    seed_reference_data()
    seed_demo_cases(n=40)
    ensure(ReportCategory)
    reports.report_submit(
        reporter=city.alice,
        category=ReportCategory.objects.filter(active=True).first(),
        lat=36.02,
        lng=103.82,
        description="井盖缺失",
        photos=[make_jpeg()],
    )
    points.pool_issue(points=1000, reason="预算", by=city.adam)
    points.rule_create(
        by=city.adam,
        code="report-any",
        name="随手拍",
        source="report_verified",
        category=ReportCategory.objects.filter(active=True).first().code,
        points=5,
        active=True,
    )
    item = points.catalog_item_create(
        by=city.adam, name="头盔", price=20, stock=5, stations=[city.station]
    )
    points.wish_submit(worker=city.alice, title="雨衣")
    points.grant(worker=city.alice, points=50, reason="测试", by=city.adam, via="web")
    points.redemption_create(worker=city.alice, item_id=item.pk, station_id=city.station.pk)
    cases.symposium_create(staff=city.dora, held_on=city.alice.date_joined.date(), place="党群中心")
    return city


@pytest.mark.parametrize(
    ("who", "url", "params"), LIST_PAGES, ids=[f"{w}:{u}" for w, u, _p in LIST_PAGES]
)
def test_list_pages_take_any_query_string_without_an_error(consoles, login, who, url, params):
    client = login(getattr(consoles, who))
    assert client.get(url).status_code == 200
    for name in [*params, "unknown"]:
        for value in ODD_VALUES:
            response = client.get(url, {name: value})
            assert response.status_code in (200, 400), (name, value, response.status_code)
    every = {name: HUGE for name in params}
    assert client.get(url, every).status_code in (200, 400)


@pytest.mark.parametrize(
    "url",
    [
        "/staff/people/99999999/",
        f"/staff/people/{HUGE[:18]}/",
        f"/cases/{HUGE[:18]}/",
        f"/reports/{HUGE[:18]}/",
        f"/points/admin/wishes/{HUGE[:18]}/",
        f"/staff/communities/{HUGE[:18]}/",
    ],
)
def test_a_record_that_does_not_exist_is_a_404_page(consoles, login, url):
    response = login(consoles.adam).get(url)
    assert response.status_code == 404
    assert "找不到" in response.content.decode() or "不存在" in response.content.decode()


def test_the_examples_of_the_issue_answer_without_an_error(consoles, login):
    adam, dora = login(consoles.adam), None
    assert adam.get("/staff/people/?district=abc").status_code == 200
    dora = login(consoles.dora)
    assert dora.get("/cases/queue/?category=99999999999999999999").status_code == 200
    assert dora.get("/staff/reports/?page=99999999999999999999").status_code == 200


def test_pagination_keeps_the_filters_and_the_sort(consoles, login):
    from tests.conftest import make_user
    from yizhan.accounts.models import WorkerProfile

    for i in range(60):
        user = make_user(f"1370000{i:04d}", f"测试{i}")
        WorkerProfile.objects.create(
            user=user,
            kind="courier",
            home_district=consoles.district,
            consent_version="2026-11",
            consent_at=user.date_joined,
        )
    page = login(consoles.adam).get("/staff/people/?kind=courier&sort=district").content.decode()
    assert "共 60 条结果" in page
    assert 'href="?kind=courier&amp;sort=district&amp;page=2"' in page


# --- what a Chinese staff page may not show -------------------------------------------------

STAFF_PAGES = [
    ("dora", "/cases/queue/"),
    ("dora", "/cases/import/"),
    ("dora", "/cases/symposia/"),
    ("dora", "/cases/metrics/"),
    ("dora", "/cases/walk-in/"),
    ("dan", "/cases/department/"),
    ("pat", "/cases/platform/"),
    ("grace", "/staff/reports/"),
    ("adam", "/staff/people/"),
    ("adam", "/points/admin/"),
    ("adam", "/points/admin/wishes/"),
    ("adam", "/points/admin/catalog/"),
    ("adam", "/points/admin/rules/"),
    ("adam", "/points/admin/redemptions/"),
    ("adam", "/points/admin/grant/"),
    ("kim", "/points/keeper/"),
    ("kim", "/staff/stations/S1/"),
    ("adam", "/staff/stations/city/"),
    ("adam", "/staff/stations/import/"),
    ("adam", "/staff/communities/"),
]

# Words that may stand in a Chinese page: names of things, units, formats.
ALLOWED = {"Yizhan", "English", "Excel", "CSV", "xlsx", "csv", "UTF", "GBK", "WGS", "GCJ", "QR"}


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles, attribute values (but placeholders and
    labels for screen readers count)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "data-picker") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def english_words(html: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z_]{3,}", visible_text(html)))
    # Capitals only are codes (a pick-up code ABCD-EFGH, QR, GBK), not words.
    return {w for w in words if w not in ALLOWED and not w.isupper()}


@pytest.mark.parametrize(("who", "url"), STAFF_PAGES, ids=[f"{w}:{u}" for w, u in STAFF_PAGES])
def test_chinese_staff_pages_have_no_english_slugs_or_empty_dashes(consoles, login, who, url):
    html = login(getattr(consoles, who)).get(url).content.decode()
    assert 'class="staff-shell"' in html and 'class="sidenav"' in html  # the staff console
    assert "---------" not in html
    assert not re.search(r"yizhan\s+[a-z]", visible_text(html))  # no CLI hints
    assert not english_words(html), english_words(html)


def test_admin_login_and_the_task_table_speak_chinese(consoles, client, login):
    page = client.get("/admin/login/").content.decode()
    assert "手机号" in page and "Mobile index" not in page and "mobile index" not in page.lower()
    from yizhan.core.tasks import deliver_event

    deliver_event.enqueue(0)  # one row in the table, so that it has its headings
    admin = login(consoles.adam)
    index = admin.get("/admin/").content.decode()
    assert "后台任务" in index and "Tasks Database Backend" not in index
    tasks = admin.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    for english in ("Task Result", "enqueued at", "Queue name", "Priority", "Task name"):
        assert english not in tasks, english
    assert "入队时间" in tasks and "优先级" in tasks and "待执行" in tasks


def test_record_pages_of_the_consoles_are_chinese_too(consoles, login):
    from yizhan.accounts.models import WorkerProfile
    from yizhan.cases.models import Case, Symposium
    from yizhan.points.models import Wish
    from yizhan.reports.models import Report

    dispatched = Case.objects.filter(state__in=["dispatched", "signed", "handling"]).first()
    pages = [
        ("adam", f"/staff/people/{WorkerProfile.objects.get(user=consoles.alice).pk}/"),
        ("dora", f"/cases/{dispatched.pk}/"),
        ("dora", f"/cases/{Case.objects.filter(state='submitted').first().pk}/"),
        ("dora", f"/cases/symposia/{Symposium.objects.first().pk}/"),
        ("grace", f"/reports/{Report.objects.first().pk}/"),
        ("adam", f"/points/admin/wishes/{Wish.objects.first().pk}/"),
        ("kim", "/staff/stations/S1/stats/"),
        ("adam", f"/staff/communities/{consoles.community_a.pk}/"),
        ("dora", "/"),
    ]
    for who, url in pages:
        html = login(getattr(consoles, who)).get(url).content.decode()
        assert 'class="staff-shell"' in html, url
        assert "---------" not in html, url
        assert not english_words(html), (url, english_words(html))


def test_role_scopes_are_picked_in_the_admin_not_typed_as_ids(consoles, login):
    page = login(consoles.adam).get(f"/admin/accounts/user/{consoles.grace.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "admin-autocomplete" in html and "vForeignKeyRawIdAdminField" not in html
