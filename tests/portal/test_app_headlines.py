"""The apps that landed after the dashboards (volunteering, training, transparency,
membership) on the overview page and in the API: a heading per app, every label in Chinese
and English, a district officer's figures their district's; membership's reach on the
coverage page."""

import pytest

from tests.conftest import make_user
from tests.membership.conftest import World as MembershipWorld
from yizhan.accounts.models import Role

GROUPS = {
    "volunteering": ("志愿服务", "Volunteering"),
    "training": ("培训与活动", "Training and events"),
    "transparency": ("平台阳光公示", "Platform transparency"),
    "membership": ("会员管理", "Membership"),
}


@pytest.fixture
def members(city):
    return MembershipWorld(city)


def overview(client, lang="zh-hans", **params):
    response = client.get("/api/v1/dashboard/overview", params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return {i["key"]: i for i in response.json()["indicators"]}


@pytest.mark.parametrize("lang, index", [("zh-hans", 0), ("en", 1)])
def test_every_app_has_its_group_in_the_api(members, login, lang, index):
    got = overview(login(members.city.adam), lang)
    for app, names in GROUPS.items():
        mine = [i for k, i in got.items() if k.startswith(app + ".")]
        assert mine, app
        assert {i["group"] for i in mine} == {names[index]}
    assert got["membership.members"]["value"] == 1
    if lang == "zh-hans":
        assert got["volunteering.trips_done"]["label"] == "完成行程"
        assert got["membership.workers_in_reach"]["label"] == "工会组织覆盖的劳动者"
    else:
        assert got["training.certificates"]["label"] == "Certificates issued"


def test_the_overview_page_has_a_heading_per_app(members, login):
    page = login(members.city.adam).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    for zh, _en in GROUPS.values():
        assert f'<h2 class="indicator-group">{zh}</h2>' in html
    assert 'data-key="transparency.publishing"' in html


def test_a_district_officer_gets_their_districts_figures(members, login):
    olga = make_user(
        "13900000018",
        "七里河干部",
        role=Role.DISTRICT_OFFICER,
        scope_field="district",
        scope=members.qilihe,
    )
    got = overview(login(olga))
    assert got["membership.members"]["value"] == 0  # alice is a member in 城关
    assert got["membership.workers_in_reach"]["value"] == 1  # bob, in 七里河
    assert overview(login(members.city.adam))["membership.members"]["value"] == 1


def test_membership_reach_is_a_column_of_the_coverage_table(members, login):
    client = login(members.city.adam)
    data = client.get("/api/v1/dashboard/coverage", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    table = next(c for c in data["charts"] if c["key"] == "by_district")
    for column in ("工会会员", "工会组织", "工会组织覆盖的劳动者"):
        assert column in table["columns"]
    rows = {r[0]: dict(zip(table["columns"], r, strict=True)) for r in table["rows"]}
    assert rows["七里河区"]["工会组织覆盖的劳动者"] == 1 and rows["七里河区"]["工会会员"] == 0
    keys = {i["key"] for i in data["indicators"]}
    assert {"membership.share", "membership.workers_in_reach"} <= keys
