"""Hotline export files: CSV (UTF-8, UTF-8 with BOM, GBK) and .xlsx; bad rows reported
with their row numbers; the same order never twice."""

import io

import openpyxl
import pytest

from tests.cases.conftest import at, inbox
from yizhan.cases import services
from yizhan.cases.deadlines import due_after
from yizhan.cases.models import Case, Category
from yizhan.core.errors import NotAllowed

HEADER = [
    "工单编号",
    "来电时间",
    "来电人",
    "联系电话",
    "诉求类型",
    "问题分类",
    "诉求内容",
    "所属区县",
    "紧急程度",
]
ROWS = [
    [
        "A001",
        "2026-10-12 09:15:00",
        "李师傅",
        "13912345678",
        "投诉",
        "欠薪",
        "站点拖欠工资",
        "城关区",
        "一般",
    ],
    [
        "A002",
        "2026/10/12 10:00",
        "张女士",
        "0931-8888888",
        "咨询",
        "社会保险",
        "怎么交社保",
        "",
        "",
    ],
    [
        "A003",
        "2026-10-12 11:00",
        "王先生",
        "13800000001",
        "求助",
        "",
        "小区不让进",
        "城关区",
        "紧急",
    ],
]


def csv_bytes(rows, encoding="utf-8"):
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("orders.csv", csv_bytes(ROWS)),
        ("orders.csv", b"\xef\xbb\xbf" + csv_bytes(ROWS)),
        ("orders.csv", csv_bytes(ROWS, "gbk")),
        ("orders.xlsx", xlsx_bytes(ROWS)),
    ],
    ids=["utf8", "utf8-bom", "gbk", "xlsx"],
)
def test_import_reads_every_format(cases, name, data):
    report = services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename=name, data=data
    )
    assert report.errors == [] and len(report.created) == 3
    first = Case.objects.get(source_order_no="A001")
    assert first.category == cases.wages and first.limit_type.code == "complaint"
    assert first.caller_name == "李师傅" and first.district_id == cases.city.district.pk
    assert Case.objects.get(source_order_no="A002").limit_type.code == "enquiry"
    third = Case.objects.get(source_order_no="A003")
    assert third.urgent and third.limit_type.code == "urgent" and third.category == cases.other
    assert third.worker == cases.city.alice  # a caller with an account is linked to it
    assert first.events.get().action == "submit"


def test_importing_the_same_file_twice_creates_nothing_new(cases):
    data = csv_bytes(ROWS)
    services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename="a.csv", data=data
    )
    again = services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename="a.csv", data=data
    )
    assert again.created == [] and len(again.duplicates) == 3
    assert Case.objects.count() == 3


def test_a_repeated_order_inside_one_file_is_one_case(cases):
    report = services.hotline_import(
        source=cases.hotline,
        actor=cases.city.dora,
        filename="a.csv",
        data=csv_bytes(ROWS + [ROWS[0]]),
    )
    assert len(report.created) == 3 and report.duplicates == [(5, "A001", None)]


def test_bad_rows_are_reported_with_row_number_and_reason(cases):
    bad = [
        ["", "2026-10-12 09:15", "a", "13912345678", "投诉", "", "x", "", ""],
        ["B2", "昨天", "a", "13912345678", "投诉", "", "x", "", ""],
        ["B3", "2026-10-12 09:15", "a", "13912345678", "投诉", "", "", "", ""],
        ["B4", "2026-10-12 09:15", "a", "abc", "投诉", "", "x", "", ""],
        ["B5", "2026-10-12 09:15", "a", "13912345678", "闲聊", "", "x", "", ""],
        ["B6", "2026-10-12 09:15", "a", "13912345678", "投诉", "", "x", "", "十万火急"],
    ]
    report = services.hotline_import(
        source=cases.hotline,
        actor=cases.city.dora,
        filename="a.csv",
        data=csv_bytes(ROWS[:1] + bad),
    )
    assert [row for row, _ in report.errors] == [3, 4, 5, 6, 7, 8]
    reasons = " ".join(reason for _, reason in report.errors)
    for word in ("工单编号", "来电时间", "诉求内容", "联系电话", "闲聊", "十万火急"):
        assert word in reasons
    assert len(report.created) == 1


def test_check_only_imports_nothing(cases):
    report = services.hotline_import(
        source=cases.hotline,
        actor=cases.city.dora,
        filename="a.csv",
        data=csv_bytes(ROWS),
        check_only=True,
    )
    assert report.valid == 3 and Case.objects.count() == 0


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xfe\x00garbage\x81", "工单编号,别的\n1,2\n".encode(), b"PK\x03\x04broken"]
)
def test_unreadable_files_are_reported_not_crashed(cases, data):
    report = services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename="x.csv", data=data
    )
    assert report.errors and report.created == []


def test_import_page_for_dispatchers(cases, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dora = login(cases.city.dora)
    upload = SimpleUploadedFile("orders.csv", csv_bytes(ROWS), content_type="text/csv")
    body = dora.post(
        "/cases/import/", {"source": cases.hotline.pk, "file": upload}
    ).content.decode()
    assert "新建 3 件工单" in body
    assert login(cases.city.dan).get("/cases/import/").status_code == 403


def test_file_and_webhook_share_one_order(cases, client):
    import json

    from tests.cases.conftest import WEBHOOK_KEY

    services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename="a.csv", data=csv_bytes(ROWS[:1])
    )
    body = {"order_no": "A001", "called_at": "2026-10-12 09:15:00", "content": "站点拖欠工资"}
    r = client.post(
        "/api/v1/cases/hotline/12345",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_SOURCE_KEY=WEBHOOK_KEY,
    )
    assert r.status_code == 200 and Case.objects.count() == 1


def test_hotline_orders_are_filed_exactly_as_the_app_files_a_demand(cases):
    now = at(2026, 9, 30, 16)  # the eve of National Day
    services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename="a.csv", data=csv_bytes(ROWS), now=now
    )
    linked = Case.objects.get(source_order_no="A003")  # alice called
    assert linked.accept_due_at == due_after(now, 1) == linked.deadline_at
    assert linked.events.get().action == "submit"
    assert linked.events.get().actor == cases.city.dora
    [received] = inbox(cases.city.alice)
    assert f"#{linked.pk}" in received and "2026-10-08" in received
    app_case = cases.filed(now=now)
    assert app_case.accept_due_at == linked.accept_due_at


def test_an_order_in_a_category_no_longer_used_is_refused_with_its_row(cases):
    Category.objects.filter(code="wage_arrears").update(active=False)
    Category.objects.filter(code="other").update(active=False)
    report = services.hotline_import(
        source=cases.hotline, actor=cases.city.dora, filename="a.csv", data=csv_bytes(ROWS[:1])
    )
    assert report.created == [] and [row for row, _ in report.errors] == [2]
    assert "已停用" in report.errors[0][1]


def test_only_dispatchers_import(cases):
    with pytest.raises(NotAllowed):
        services.hotline_import(
            source=cases.hotline, actor=cases.city.dan, filename="a.csv", data=csv_bytes(ROWS)
        )
    assert Case.objects.count() == 0
