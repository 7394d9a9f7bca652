"""Import and export in the columns a city keeps; all or nothing; every bad row reported."""

import csv
import io
import zipfile

import openpyxl
import pytest

from yizhan.core.errors import Invalid
from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from yizhan.stations import exporting, services
from yizhan.stations.importing import sniff_format
from yizhan.stations.models import ImportJob, Station

HEADER = [
    "驿站名称",
    "地址",
    "类型",
    "设施",
    "服务内容",
    "负责人",
    "联系电话",
    "经度",
    "纬度",
    "坐标系",
    "开放时间",
]


def good_rows():
    glng, glat = wgs84_to_gcj02(103.83, 36.04)
    blng, blat = wgs84_to_bd09(103.86, 36.06)
    return [
        HEADER,
        [
            "东岗工会驿站",
            "城关区东岗路1号",
            "工会驿站",
            "饮用水、淋浴、微波炉",
            "法律咨询",
            "马站长",
            "0931-8123456",
            "103.82",
            "36.03",
            "WGS84",
            "24小时",
        ],
        [
            "雁滩小蜜蜂驿站",
            "城关区雁滩路8号",
            "小蜜蜂驿站",
            "手机充电",
            "",
            "李",
            "13912345678",
            f"{glng:.6f}",
            f"{glat:.6f}",
            "GCJ02",
            "22:00-06:00",
        ],
        [
            "建行骑手爱心驿站",
            "城关区庆阳路3号",
            "骑手爱心驿站",
            "饮用水",
            "",
            "",
            "",
            f"{blng:.6f}",
            f"{blat:.6f}",
            "BD09",
            "周一至周五 09:00-17:00；周六、周日 10:00-16:00",
        ],
    ]


def bad_rows():
    rows = good_rows()
    rows[1][3] = "饮用水、温泉"  # unknown facility
    rows[2][7] = "abc"  # longitude not a number
    rows.append(["", "无名", "城堡", "", "", "", "12", "36.03", "103.82", "火星", "早上"])
    return rows


def to_csv(rows, encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def to_xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file to the import page, running the after-commit hooks (the task queueing)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(client, name, content):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/staff/stations/import/", {"file": SimpleUploadedFile(name, content)}
            )

    return post


@pytest.mark.parametrize(
    "name, content",
    [
        ("stations.xlsx", to_xlsx(good_rows())),
        ("stations.csv", to_csv(good_rows())),
        ("no-bom.csv", to_csv(good_rows(), "utf-8")),
        ("excel-zh.csv", to_csv(good_rows(), "gbk")),
    ],
)
def test_good_file_is_imported_in_the_background(network, login, run_tasks, name, content, upload):
    client = login(network.adam)
    before = Station.objects.count()
    response = upload(client, name, content)
    job = ImportJob.objects.get()
    assert response["Location"] == f"/staff/stations/import/{job.pk}/"
    run_tasks()
    job.refresh_from_db()
    assert job.status == "done", job.errors
    assert (job.created_count, job.total_rows, job.percent) == (3, 3, 100)
    assert Station.objects.count() == before + 3
    dong = Station.objects.get(name="东岗工会驿站")
    assert dong.is_24h and dong.community == network.community_a
    assert sorted(o.amenity.code for o in dong.offers.all()) == [
        "drinking_water",
        "microwave",
        "shower",
    ]
    yan = Station.objects.get(name="雁滩小蜜蜂驿站")
    assert yan.lat == pytest.approx(36.04, abs=1e-6) and yan.lng == pytest.approx(103.83, abs=1e-6)
    bank = Station.objects.get(name="建行骑手爱心驿站")
    assert bank.lat == pytest.approx(36.06, abs=1e-5) and bank.lng == pytest.approx(
        103.86, abs=1e-5
    )
    assert bank.kind == "bank" and bank.opening_hours.count() == 7
    page = client.get(f"/staff/stations/import/{job.pk}/").content.decode()
    assert "新增 3 个驿站" in page


def test_file_with_errors_imports_nothing_and_lists_every_bad_row(
    network, login, run_tasks, upload
):
    client = login(network.adam)
    before = Station.objects.count()
    upload(client, "bad.xlsx", to_xlsx(bad_rows()))
    run_tasks()
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert Station.objects.count() == before
    found = {(e["row"], e["column"]) for e in job.errors}
    assert (2, "设施") in found  # 温泉
    assert (3, "经度") in found  # abc
    assert {(5, "驿站名称"), (5, "类型"), (5, "坐标系"), (5, "开放时间"), (5, "联系电话")} <= found
    assert not any(e["row"] == 4 for e in job.errors)  # the good row is not blamed
    page = client.get(f"/staff/stations/import/{job.pk}/").content.decode()
    assert "温泉" in page and "未导入任何数据" in page


def test_swapped_or_foreign_coordinates_are_caught(network, login, run_tasks, upload):
    rows = good_rows()[:3]
    rows[1][7], rows[1][8] = "36.03", "103.82"  # swapped: latitude out of range
    rows[2][7], rows[2][8], rows[2][9] = "116.40", "39.90", "WGS84"  # Beijing
    upload(login(network.adam), "swap.csv", to_csv(rows))
    run_tasks()
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.errors[0]["row"] == 2 and "超出范围" in job.errors[0]["message"]
    assert job.errors[1]["row"] == 3 and "填反" in job.errors[1]["message"]


def test_missing_columns_are_named(network, login, run_tasks, upload):
    upload(login(network.adam), "cols.csv", to_csv([["驿站名称", "地址"], ["a", "b"]]))
    run_tasks()
    job = ImportJob.objects.get()
    assert job.status == "failed" and "经度" in job.errors[0]["message"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "空"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "Excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "Excel"),
    ],
)
def test_upload_is_sniffed_by_content(network, login, content, message, upload):
    response = upload(login(network.adam), "stations.xlsx", content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_sniffing_tells_xlsx_from_csv():
    assert sniff_format(to_xlsx(good_rows())) == "xlsx"
    assert sniff_format(to_csv(good_rows(), "gbk")) == "csv"
    with pytest.raises(Invalid) as too_big:
        sniff_format(b"x" * (5 * 1024 * 1024 + 1))
    assert "file" in too_big.value.fields


def lying_zip(unzipped_mb: int) -> bytes:
    """An .xlsx-shaped zip whose sheet inflates to `unzipped_mb` MB while its headers
    claim 100 bytes: the size must be counted while inflating, not read from the headers."""
    sheet = b"<worksheet><sheetData>" + b"<row/>" * (unzipped_mb * 2**20 // 6)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    data = bytearray(buf.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            start = at + 4
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = (100).to_bytes(4, "little")
    return bytes(data)


def test_a_spreadsheet_that_inflates_past_the_limit_is_refused_whatever_its_headers_say():
    bomb = lying_zip(70)
    assert len(bomb) < 5 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:  # the headers lie
        assert sum(i.file_size for i in z.infolist()) < 1000
    with pytest.raises(Invalid) as refused:
        sniff_format(bomb)
    assert refused.value.fields["file"]


@pytest.mark.parametrize("who", ["kim", "alice", "dora"])
def test_only_the_city_imports_and_exports(network, login, who):
    client = login(getattr(network, who))
    assert client.get("/staff/stations/import/").status_code == 403
    assert client.get("/staff/stations/export.csv").status_code == 403


def test_export_imports_back_unchanged(network, login, run_tasks, upload):
    network.station.name = "=HYPERLINK(evil)"
    network.station.save()
    services.station_set_hours(
        station=network.s3,
        actor=network.adam,
        is_24h=False,
        weekly={d: ((540, 1020),) for d in range(5)} | {5: ((1320, 360),), 6: ()},
    )
    before = {
        s.code: (s.name, s.kind, round(s.lat, 6), round(s.lng, 6), s.is_24h)
        for s in Station.objects.all()
    }
    body = exporting.export_xlsx()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[1]]
    assert header[:12] == [
        "编码",
        "驿站名称",
        "类型",
        "地址",
        "设施",
        "服务内容",
        "负责人",
        "联系电话",
        "经度",
        "纬度",
        "坐标系",
        "开放时间",
    ]
    assert sheet["B2"].value == "'=HYPERLINK(evil)"  # never a formula
    hours_s3 = [r[11].value for r in sheet.iter_rows(min_row=2) if r[0].value == "S3"][0]
    assert hours_s3 == "周一至周五 09:00-17:00；周六 22:00-06:00；周日 休息"
    upload(login(network.adam), "roundtrip.xlsx", body)
    run_tasks()
    job = ImportJob.objects.get()
    assert job.status == "done", job.errors
    assert (job.created_count, job.updated_count) == (0, 4)
    after = {
        s.code: (s.name, s.kind, round(s.lat, 6), round(s.lng, 6), s.is_24h)
        for s in Station.objects.all()
    }
    assert after == before
    s3 = Station.objects.get(code="S3")
    assert [str(h) for h in s3.opening_hours.all()][-1].endswith("22:00-06:00")


def test_csv_export_has_a_bom_for_excel(network):
    body = exporting.export_csv()
    assert body.startswith("\ufeff".encode())
    assert "甲工会驿站" in body.decode("utf-8-sig")


def test_progress_is_polled_every_second_until_the_import_ends(network, login, run_tasks, upload):
    client = login(network.adam)
    rows = [HEADER] + [
        [
            f"驿站{i}",
            "城关区",
            "小蜜蜂驿站",
            "饮用水",
            "",
            "",
            "",
            f"{103.801 + i * 0.00004:.6f}",
            "36.03",
            "WGS84",
            "08:00-22:00",
        ]
        for i in range(1200)
    ]
    upload(client, "big.csv", to_csv(rows))
    job = ImportJob.objects.get()
    fragment = client.get(
        f"/staff/stations/import/{job.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    run_tasks()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.total_rows, job.created_count) == (
        "done",
        1200,
        1200,
        1200,
    )
    fragment = client.get(
        f"/staff/stations/import/{job.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in fragment
