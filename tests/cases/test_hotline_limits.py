"""The hotline import has limits: the file's size, what its spreadsheet unpacks to (a small
.xlsx that inflates to tens of MB is refused after bounded work) and its rows."""

import io
import time
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.test_hotline_import import HEADER
from yizhan.cases import hotline, services
from yizhan.cases.models import Case


def zip_bomb(unzipped_mb: int) -> bytes:
    """An .xlsx-shaped zip whose sheet inflates to `unzipped_mb` MB of repeated rows."""
    row = b'<row><c t="inlineStr"><is><t>A</t></is></c></row>'
    sheet = (
        b"<worksheet><sheetData>"
        + row * (unzipped_mb * 2**20 // len(row))
        + b"</sheetData></worksheet>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def test_a_small_xlsx_that_unpacks_to_tens_of_megabytes_is_refused_quickly(cases):
    bomb = zip_bomb(75)
    assert len(bomb) < 400 * 1024
    started = time.monotonic()
    report = services.hotline_import(
        source=cases.hotline, filename="orders.xlsx", data=bomb, actor=cases.city.dora
    )
    assert time.monotonic() - started < 10
    assert report.errors and "过大" in report.errors[0][1]
    assert not Case.objects.exists()


def test_more_rows_than_the_limit_are_refused(cases):
    lines = [",".join(HEADER)] + [
        f"B{n},2026-10-12 09:15:00,李师傅,13912345678,投诉,欠薪,站点拖欠工资,城关区,一般"
        for n in range(hotline.MAX_ROWS + 1)
    ]
    report = services.hotline_import(
        source=cases.hotline,
        filename="orders.csv",
        data="\n".join(lines).encode(),
        actor=cases.city.dora,
        check_only=True,
    )
    assert report.errors and "20,000" in report.errors[0][1]


def test_the_import_page_refuses_a_file_over_the_size_limit(cases, login):
    big = SimpleUploadedFile("orders.csv", b"x" * (hotline.MAX_BYTES + 1))
    response = login(cases.city.dora).post(
        "/cases/import/", {"source": cases.hotline.pk, "file": big}
    )
    assert "5 MB" in response.content.decode()
    assert not Case.objects.exists()
