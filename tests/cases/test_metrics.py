"""On-time rate, satisfaction rate, mean handling time by department, category, month."""

import io

import openpyxl

from tests.cases.conftest import at
from yizhan.cases import selectors, services


def test_metrics_by_department_category_and_month(cases):
    city = cases.city
    on_time = cases.signed(now=at(2026, 10, 12, 9))
    services.case_reply(case=on_time, actor=city.dan, text="ok", now=at(2026, 10, 13, 9))
    services.case_follow_up(case=on_time, actor=city.alice, rating="satisfied")
    late = cases.signed(now=at(2026, 10, 12, 9))
    services.case_reply(case=late, actor=city.dan, text="ok", now=at(2026, 11, 12, 9))
    services.case_follow_up(case=late, actor=city.alice, rating="dissatisfied")
    tables = selectors.metrics(user=city.dora)
    row = next(r for r in tables["department"] if r.key == city.labour.name)
    assert row.cases == 2 and row.on_time_rate == 0.5 and row.satisfaction_rate == 0.5
    assert row.mean_hours == (24 + 31 * 24) / 2
    assert tables["category"][0].key == "欠薪"
    assert [r.key for r in tables["month"]] == ["2026-10"]


def test_metrics_page_and_excel_for_dispatchers_only(cases, login):
    cases.replied()
    dora = login(cases.city.dora)
    assert "按部门" in dora.get("/cases/metrics/").content.decode()
    response = dora.get("/cases/metrics.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按部门", "按类别", "按月份"]
    assert book["按部门"]["A2"].value == cases.city.labour.name
    assert login(cases.city.dan).get("/cases/metrics/").status_code == 403
    assert login(cases.city.alice).get("/cases/metrics.xlsx").status_code == 403
