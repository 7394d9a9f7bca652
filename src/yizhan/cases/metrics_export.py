"""The case metrics as an Excel workbook: one sheet per breakdown. openpyxl is imported when a
workbook is written, not with the cases' views (a tenth of a second every process paid)."""

import io

from django.utils.translation import gettext as _

SHEETS = (("department", "Department"), ("category", "Category"), ("month", "Month"))


def workbook_bytes(tables) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    titles = {
        "department": _("By department"),
        "category": _("By category"),
        "month": _("By month"),
    }
    for key, _unused in SHEETS:
        sheet = book.create_sheet(titles[key][:31])
        sheet.append(
            [
                titles[key],
                _("Cases"),
                _("Replied"),
                _("On-time rate"),
                _("Rated"),
                _("Satisfaction rate"),
                _("Mean handling time (hours)"),
            ]
        )
        for row in tables[key]:
            sheet.append(
                [
                    row.key,
                    row.cases,
                    row.replied,
                    round(row.on_time_rate, 4) if row.on_time_rate is not None else None,
                    row.rated,
                    round(row.satisfaction_rate, 4) if row.satisfaction_rate is not None else None,
                    round(row.mean_hours, 1) if row.mean_hours is not None else None,
                ]
            )
        for column in ("D", "F"):
            for cell in sheet[column][1:]:
                cell.number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
