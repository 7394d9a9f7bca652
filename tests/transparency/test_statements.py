"""Earnings statements: CSV in UTF-8 or GBK and Excel, a documented layout per platform kind,
row-exact errors (the whole file refused), duplicates ignored, another person's statement
refused; the file kept in private storage and erased with the person."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from tests.transparency.conftest import RIDE_HEADER, at, csv_bytes, ride_rows
from yizhan.core.errors import Invalid
from yizhan.transparency import selectors, services
from yizhan.transparency.models import Order, Statement, WorkDay


def upload(world, data, *, name="收入明细.csv", platform=None, worker=None):
    return services.statement_import(
        worker=worker or world.driver, platform=platform or world.ride, filename=name, data=data
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_statement_is_read_in_utf8_or_gbk(world, encoding):
    result = upload(world, csv_bytes(ride_rows(12), encoding=encoding))
    assert (result.rows, result.imported, result.duplicates) == (12, 12, 0)
    order = Order.objects.get(order_no="HH00000")
    assert (order.fare_fen, order.payout_fen, order.rate_bp) == (5000, 3400, 3200)
    assert order.service_type == world.express and order.completed_on == dt.date(2026, 11, 16)


def test_an_excel_statement_is_read(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["黄河出行司机收入明细"])
    sheet.append(RIDE_HEADER)
    sheet.append(["HX1", dt.datetime(2026, 11, 17, 9, 5), "快车", 48.5, 33.95, 30])
    sheet.append([20261117002, "2026-11-17 10:00", "专车", 80, 64, None])
    sheet.append(["合计", None, None, 128.5, 97.95, None])
    data = io.BytesIO()
    book.save(data)
    result = upload(world, data.getvalue(), name="statement.xlsx")
    assert result.imported == 2
    assert Order.objects.get(order_no="HX1").fare_fen == 4850
    assert Order.objects.get(order_no="20261117002").service_type == world.premium


def test_orders_already_checked_are_ignored(world):
    upload(world, csv_bytes(ride_rows(10)))
    again = upload(world, csv_bytes(ride_rows(12)))
    assert (again.rows, again.imported, again.duplicates) == (12, 2, 10)
    rows = ride_rows(3)
    same_file_twice = upload(world, csv_bytes(rows + rows[:1], meta=()), name="b.csv")
    assert same_file_twice.imported == 0 and same_file_twice.statement is None
    assert Order.objects.count() == 12


def test_errors_name_their_rows_and_nothing_is_stored(world):
    rows = ride_rows(6)
    rows[1][3] = "-50.00"  # row 3 (heading is row 1)
    rows[3][4] = "60.00"  # row 5: payout above the fare
    rows[4][1] = "2026-12-24 08:00"  # row 6: in the future
    rows[5][2] = "顺风车"  # row 7: unknown service
    from django.utils import translation

    with translation.override("en"), pytest.raises(Invalid) as refused:
        upload(world, csv_bytes(rows))
    with translation.override("en"):
        messages = [str(m) for m in refused.value.fields["file"]]
        assert messages == [
            "Row 3: the fare is negative.",
            "Row 5: the payout is above the fare.",
            "Row 6: the date 2026-12-24 is in the future.",
            "Row 7: unknown service type “顺风车” (known: 专车、快车、拼车).",
        ]
        assert "4 rows have problems" in str(refused.value.message)
    assert not Order.objects.exists() and not Statement.objects.exists()


def test_a_statement_naming_another_person_is_refused(world):
    data = csv_bytes(ride_rows(3), meta=[["姓名", "张**"], ["手机号", "139****8888"]])
    with pytest.raises(Invalid) as refused:
        upload(world, data)
    assert "张**" in str(refused.value.fields["file"][0])
    assert not Order.objects.exists() and not Statement.objects.exists()


def test_a_masked_statement_of_the_worker_is_accepted(world):
    data = csv_bytes(ride_rows(3), meta=[["姓名：李**"], ["手机号：138****0002"]])
    assert upload(world, data).imported == 3


def test_a_name_column_with_another_name_is_refused(world):
    header = [*RIDE_HEADER, "司机姓名"]
    rows = [[*r, "王小川"] for r in ride_rows(2)]
    with pytest.raises(Invalid):
        upload(world, csv_bytes(rows, header=header))
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04broken", "Excel"),
        ("日期,金额\n2026-11-16,50\n".encode(), "订单号"),
        (b"", "empty"),
        (bytes(range(256)) * 4, "UTF-8"),
    ],
)
def test_files_that_are_not_statements_are_refused(world, data, fragment):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(Invalid) as refused:
            upload(world, data)
        assert fragment in str(refused.value.fields["file"][0])
    assert not Statement.objects.exists()


def test_a_delivery_statement_has_its_own_layout(world):
    header = ["订单编号", "送达时间", "业务类型", "配送费(元)", "骑手收入(元)"]
    rows = [["M1", "2026-11-18 12:10", "外卖配送", "8.00", "6.40"]]
    result = upload(
        world, csv_bytes(rows, header=header), platform=world.delivery, worker=world.city.alice
    )
    assert result.imported == 1 and Order.objects.get().rate_bp == 2000


def test_driving_time_of_a_statement_fills_the_days(world):
    upload(world, csv_bytes(ride_rows(14)))
    day = WorkDay.objects.get(worker=world.driver, day=dt.date(2026, 11, 16))
    assert (day.driving_minutes, day.source) == (50, "statement")
    services.workday_record(
        worker=world.driver,
        platform=world.ride,
        day=dt.date(2026, 11, 16),
        online_minutes=600,
        driving_minutes=420,
    )
    upload(world, csv_bytes(ride_rows(21)))  # 7 new orders, one on the 16th
    day.refresh_from_db()
    assert (day.online_minutes, day.driving_minutes, day.source) == (600, 420, "manual")


def test_the_file_is_kept_privately_and_erased_with_the_person(
    world, django_capture_on_commit_callbacks
):
    result = upload(world, csv_bytes(ride_rows(5)))
    path = Path(result.statement.file.path)
    assert path.exists() and Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert "收入明细" not in path.name  # a random name on disk
    from yizhan.core import personal_data

    exported = personal_data.export_all(world.driver)["transparency"]
    assert len(exported["orders"]) == 5 and exported["statements"][0]["name"] == "收入明细.csv"
    with django_capture_on_commit_callbacks(execute=True):
        personal_data.erase_all(world.driver)
    assert not path.exists()
    assert not Order.objects.exists() and not Statement.objects.exists()
    assert not WorkDay.objects.filter(worker=world.driver).exists()


def test_weeks_sum_orders_against_the_cap(world):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    upload(world, csv_bytes(ride_rows(12)))
    (week,) = selectors.worker_weeks(worker=world.driver)
    assert (week.week_start, week.orders, week.rate_bp, week.cap_bp) == (
        dt.date(2026, 11, 16),
        12,
        3200,
        2500,
    )
    assert week.above_cap and week.above == 12 and week.may_dispute


def test_the_upload_page_lists_row_errors(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = ride_rows(3)
    rows[2][3] = "五十"
    client = login(world.driver)
    page = client.post(
        "/transparency/check/statement/",
        {
            "platform": world.ride.pk,
            "file": SimpleUploadedFile("s.csv", csv_bytes(rows), content_type="text/csv"),
        },
    ).content.decode()
    assert "第 4 行" in page
    assert not Order.objects.exists()
