"""The dashboards as their readers meet them: figures, filters, scoping, bad input, the API
and its schema, the rollup job, the monthly report, the provider hook."""

import datetime as dt

import pytest

from tests.portal.conftest import days_ago
from yizhan.core.dashboards import Headline
from yizhan.portal import services
from yizhan.portal.dashboards import providers, rollups
from yizhan.portal.models import MonthlyReport, Rollup, RollupState, RollupWide


def closed_case(world, rating="satisfied"):
    case = world.case_filed()
    for step in ("accept", "dispatch", "sign_for", "reply", rating):
        world.case_step(case, step)
    return case


@pytest.fixture
def busy(world, clock):
    """Three days ago: a case closed satisfied, one returned, a report, visits, points; the
    rollup job ran this morning; today: one more case and a visit."""
    clock.move_to(days_ago(3))
    closed_case(world)
    returned = world.case_filed()
    for step in ("accept", "dispatch", "sign_for", "return"):
        world.case_step(returned, step)
    world.report()
    world.visit(0)
    world.grant(0, 20)
    clock.move_to(days_ago(0, 7))
    services.dashboard_refresh()
    clock.move_to(days_ago(0, 10))
    world.case_filed()
    world.visit(1)
    return world


def indicators(response):
    return {i["key"]: i for i in response.json()["indicators"]}


def test_grievance_indicators_come_from_rollups_and_today(busy, login):
    # The grievance cube is kept wide: one row per key combination, a column per metric.
    assert RollupWide.objects.filter(family="cases", grain="d").exists()
    assert not Rollup.objects.filter(metric__startswith="cases.").exists()
    body = login(busy.city.adam).get("/api/v1/dashboard/grievances?compare=none")
    got = indicators(body)
    assert got["filed"]["value"] == 3  # two rolled up, one filed today
    assert got["returned"]["value"] == 1
    assert got["satisfaction_rate"]["value"] == 100.0
    assert got["on_time_rate"]["value"] == 100.0
    assert got["open_now"]["value"] == 2


def test_period_comparison_counts_the_period_before(busy, login):
    client = login(busy.city.adam)
    start = (days_ago(0) - dt.timedelta(days=1)).date().isoformat()
    got = indicators(client.get(f"/api/v1/dashboard/grievances?start={start}&compare=previous"))
    assert got["filed"]["value"] == 1 and got["filed"]["previous"] == 2  # 3 and 2 days ago
    end = (days_ago(2)).date().isoformat()
    got = indicators(client.get(f"/api/v1/dashboard/grievances?start={start[:8]}01&end={end}"))
    assert got["filed"]["value"] == 2


def test_stations_and_points_figures(busy, login):
    client = login(busy.city.adam)
    stations = indicators(client.get("/api/v1/dashboard/stations"))
    assert stations["visits"]["value"] == 2 and stations["stations"]["value"] == 1
    points = client.get("/api/v1/dashboard/points").json()
    assert indicators_of(points)["issued"]["value"] == 20
    top = next(c for c in points["charts"] if c["key"] == "top_earners")
    assert top["rows"][0][2] == "王**" and top["rows"][0][3] == 20


def indicators_of(data):
    return {i["key"]: i for i in data["indicators"]}


def test_hazard_reports_heat_map_lists_the_open_report(busy, login):
    chart = login(busy.city.adam).get("/api/v1/dashboard/reports/charts/open_heatmap").json()
    assert [r[1] for r in chart["rows"]] == [1]
    assert len(chart["extra"]["outlines"][chart["rows"][0][0]]) == 6


def test_district_officer_sees_only_their_district(busy, login):
    dina = login(busy.dina)
    own = dina.get("/api/v1/dashboard/grievances").json()
    assert own["scope"]["districts"] == [busy.city.district.pk]
    refused = dina.get(f"/api/v1/dashboard/grievances?district={busy.other_district.pk}")
    assert refused.status_code == 403
    assert "own district" in refused.json()["message"] or "本区" in refused.json()["message"]
    olga = login(busy.olga).get("/api/v1/dashboard/grievances?compare=none").json()
    assert indicators_of(olga)["filed"]["value"] == 0  # nothing filed in Qilihe


def test_workers_and_other_staff_are_refused(busy, login):
    assert login(busy.city.alice).get("/api/v1/dashboard/overview").status_code == 403
    assert login(busy.city.grace).get("/dashboard/").status_code == 403
    from django.test import Client

    assert Client().get("/api/v1/dashboard/overview").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-11-20&end=2026-11-10", "end"),
        ("start=2024-01-01&end=2026-11-20", "start"),
        ("end=2099-01-01", "end"),
        ("start=yesterday", "start"),
        ("district=999999", "district"),
        ("district=99999999999999999999999", "district"),
        ("department=424242", "department"),
        ("category=nope", "category"),
        ("compare=sometimes", "compare"),
        ("category=" + "x" * 41, "category"),
    ],
)
def test_bad_filters_get_a_clear_message(busy, login, query, field):
    client = login(busy.city.adam)
    response = client.get(f"/api/v1/dashboard/grievances?{query}")
    assert response.status_code == 422, response.content
    assert field in [d["field"] for d in response.json()["detail"]]
    page = client.get(f"/dashboard/grievances/?{query}")
    assert page.status_code == 422
    assert 'role="alert"' in page.content.decode()


def test_every_chart_follows_the_schema(busy, login):
    """Each chart's rows have one value per column, labels first, numbers or nothing after."""
    client = login(busy.city.adam)
    for section in ("overview", "grievances", "reports", "stations", "points", "coverage"):
        data = client.get(f"/api/v1/dashboard/{section}").json()
        assert data["section"] == section and data["indicators"]
        for chart in data["charts"]:
            assert chart["kind"] in {"line", "bar", "pie", "table", "hexmap"}
            for row in chart["rows"]:
                assert len(row) == len(chart["columns"]), (section, chart["key"])
            # The chart endpoint reads only what its chart needs, and gives the same chart.
            one = client.get(f"/api/v1/dashboard/{section}/charts/{chart['key']}")
            assert one.status_code == 200 and one.json() == chart, (section, chart["key"])
    assert client.get("/api/v1/dashboard/grievances/charts/nope").status_code == 404
    assert client.get("/api/v1/dashboard/elsewhere").status_code == 422
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/dashboard/{section}" in schema["paths"]


def test_the_live_job_rolls_up_today_so_far(busy, clock, login):
    """After the live job a page asks the apps only for what happened since it ran; the
    figures are the same, and a case filed after it still counts."""
    client = login(busy.city.adam)
    url = "/api/v1/dashboard/grievances?compare=none"
    assert indicators(client.get(url))["filed"]["value"] == 3
    busy.grant(0, 5)  # today: the same worker earns 5 more
    clock.move_to(days_ago(0, 11))
    services.dashboard_live_refresh()
    taken = RollupState.objects.get(name=rollups.LIVE_STATE).refreshed_at
    assert RollupWide.objects.filter(family="cases", grain="l").exists()
    assert Rollup.objects.filter(metric="points.earned", grain="l").exists()
    assert rollups.Reader().live_since == taken
    assert indicators(client.get(url))["filed"]["value"] == 3
    clock.move_to(days_ago(0, 12))
    busy.case_filed()
    assert indicators(client.get(url))["filed"]["value"] == 4
    points = client.get("/api/v1/dashboard/points/charts/top_earners").json()
    assert points["rows"][0][3] == 25  # the month's rows and today's, rolled by the live job
    # The nightly job moves the complete days on: the live rows start there again.
    clock.move_to(days_ago(-1, 7))
    services.dashboard_refresh()
    assert rollups.Reader().live_since == RollupState.objects.get(name="live").refreshed_at
    assert RollupState.objects.get(name="live").complete_until == days_ago(-1).date()


# Queries per page and per chart endpoint (session, user, scope, labels, rollups, live
# delta): pinned so a change that reads the rollups once per figure again is noticed. (A
# range covering most of a month reads the month row less the days left out: one query more.)
PAGE_QUERIES = {
    "/dashboard/": 53,  # with every app's headline figures (2–6 queries each)
    "/dashboard/grievances/": 23,
    "/dashboard/reports/": 34,
    "/dashboard/stations/": 20,
    "/dashboard/points/": 30,
    "/dashboard/coverage/": 34,
    "/api/v1/dashboard/grievances/charts/by_department": 11,
    "/api/v1/dashboard/grievances/charts/trend": 11,
    "/api/v1/dashboard/overview/charts/activity": 15,
}


@pytest.mark.parametrize("path", list(PAGE_QUERIES))
def test_queries_per_page_are_pinned(busy, login, path, django_assert_max_num_queries):
    client = login(busy.city.adam)
    services.dashboard_live_refresh()
    client.get(path)  # the session, the first time
    with django_assert_max_num_queries(PAGE_QUERIES[path]):
        assert client.get(path).status_code == 200


def test_excel_export_has_a_sheet_per_table(busy, login):
    import io

    import openpyxl

    response = login(busy.city.adam).get("/dashboard/grievances/?format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "指标" and "按部门" in book.sheetnames


def test_the_periodic_job_rolls_up_and_the_month_gets_its_report(world, clock, run_tasks):
    from yizhan.core import periodic

    clock.move_to(days_ago(40))
    closed_case(world)
    clock.move_to(days_ago(0, 1))
    periodic.tick()
    run_tasks()
    assert rollups.complete_until() == days_ago(0).date()
    month = (days_ago(0).date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    report = MonthlyReport.objects.get(month=month, district=None)
    assert "满意" in report.html and f"{month:%Y-%m}" in report.html
    assert MonthlyReport.objects.filter(month=month).count() == 3  # the city and its districts
    assert services.monthly_reports_generate() == []  # kept, never generated twice


def test_monthly_reports_are_listed_and_printable(world, login):
    services.monthly_reports_generate()
    client = login(world.city.adam)
    assert "2026-10" in client.get("/dashboard/monthly/").content.decode()
    report = MonthlyReport.objects.filter(district=None).first()
    page = client.get(f"/dashboard/monthly/{report.pk}/")
    assert page.status_code == 200 and "月报" in page.content.decode()
    # Stored without stylesheet links (their hashed names change with each release): the
    # page names them when it is served.
    assert "<link" not in report.html
    assert '<link rel="stylesheet" href="/static/portal/dashboard.css' in page.content.decode()
    other = MonthlyReport.objects.exclude(district=None).first()
    assert login(world.olga).get(f"/dashboard/monthly/{other.pk}/").status_code == 404


def test_a_new_app_plugs_in_with_two_selectors(world, login, monkeypatch):
    """An app's `dashboard_headlines` lands on the overview without a portal change."""
    import types

    fake = types.SimpleNamespace(
        dashboard_headlines=lambda *, scope: [Headline("volunteering.hours", "志愿服务时长", 42)]
    )
    found = dict(providers._selectors())
    monkeypatch.setattr(providers, "_selectors", lambda: {**found, "volunteering": fake})
    got = indicators(login(world.city.adam).get("/api/v1/dashboard/overview"))
    assert got["volunteering.hours"]["value"] == 42


def test_a_monthly_report_asks_each_app_for_its_headlines_once(world, monkeypatch):
    """The overview and the coverage sections both list the apps' headlines; one report asks
    an app once (providers.headlines_kept), and shows its figure in both."""
    import types

    asked = []

    def headlines(*, scope):
        asked.append(scope)
        return [Headline("volunteering.hours", "志愿服务时长", 42, extra={"coverage": True})]

    found = dict(providers._selectors())
    monkeypatch.setattr(
        providers,
        "_selectors",
        lambda: {**found, "volunteering": types.SimpleNamespace(dashboard_headlines=headlines)},
    )
    html = services.monthly_report_render(month=days_ago(40).date())
    assert len(asked) == 1 and html.count("志愿服务时长") == 2
    providers.headlines(asked[0])  # outside a report: asked every time
    assert len(asked) == 2


def test_a_broken_provider_does_not_blank_the_overview(world, login, monkeypatch):
    import types

    def boom(*, scope):
        raise RuntimeError("bug in an app")

    found = dict(providers._selectors())
    monkeypatch.setattr(
        providers,
        "_selectors",
        lambda: {**found, "news": types.SimpleNamespace(dashboard_headlines=boom)},
    )
    assert login(world.city.adam).get("/api/v1/dashboard/overview").status_code == 200


def test_case_metrics_page_still_works(world, login):
    assert login(world.city.dora).get("/cases/metrics/").status_code == 200


def test_communities_within_a_kilometre_of_a_station():
    from yizhan.portal.dashboards.figures import _communities_in_reach

    station, far_away = (36.0, 103.8), (40.0, 110.0)
    # 0.008° of latitude ≈ 890 m (in reach), 0.02° ≈ 2.2 km (not); a community without a
    # centre is not counted.
    communities = [(1, 36.0, 103.8), (1, 36.008, 103.8), (2, 36.02, 103.8), (2, None, None)]
    assert _communities_in_reach(communities, [station, far_away]) == {1: (2, 2), 2: (0, 1)}
    assert _communities_in_reach(communities, []) == {1: (0, 2), 2: (0, 1)}
