"""Reading a platform's earnings statement (收入明细): CSV in UTF-8 or GBK, or Excel (.xlsx).

Each platform kind has one documented layout (docs/TRANSPARENCY.md, "Statement formats"):
the column headings below, in Chinese or English, in any order, with any other columns
ignored. Lines above the heading row may carry the statement's owner ("姓名：王小川",
"手机号,138****0001"); so may a name or mobile column. Every problem is reported with the
row number a spreadsheet shows, and a file with any problem is refused whole.

This module only reads: it turns bytes into checked rows. Writing is `services.statement_import`.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.transparency.money import AmountError, rate_bp, yuan_to_fen

LOCAL = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 200_000
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 12

# canonical field → headings accepted for it (compared without spaces, brackets and case).
COMMON = {
    "name": ["姓名", "司机姓名", "骑手姓名", "快递员姓名", "name"],
    "mobile": ["手机号", "手机", "手机号码", "mobile", "phone"],
    "driving_minutes": ["行驶时长(分钟)", "行驶时长", "驾驶时长(分钟)", "driving minutes"],
}
FORMATS = {
    "ride_hailing": {
        "order_no": ["订单号", "order no", "order number"],
        "completed": ["完成时间", "completed at"],
        "service": ["服务类型", "service type", "service"],
        "fare": ["乘客支付(元)", "乘客支付", "订单金额(元)", "fare", "passenger paid"],
        "payout": ["司机收入(元)", "司机收入", "payout", "driver income"],
    },
    "delivery": {
        "order_no": ["订单编号", "订单号", "order no", "order number"],
        "completed": ["送达时间", "完成时间", "delivered at", "completed at"],
        "service": ["业务类型", "服务类型", "service type", "service"],
        "fare": ["配送费(元)", "配送费", "delivery fee", "fare"],
        "payout": ["骑手收入(元)", "骑手收入", "rider income", "payout"],
    },
    "courier": {
        "order_no": ["运单号", "订单号", "waybill no", "order no"],
        "completed": ["签收时间", "完成时间", "signed at", "completed at"],
        "service": ["业务类型", "服务类型", "service type", "service"],
        "fare": ["派费(元)", "派费", "delivery fee", "fare"],
        "payout": ["快递员收入(元)", "快递员收入", "courier income", "payout"],
    },
    "freight": {
        "order_no": ["订单号", "order no", "order number"],
        "completed": ["完成时间", "completed at"],
        "service": ["服务类型", "车型服务", "service type", "service"],
        "fare": ["运费(元)", "运费", "freight charge", "fare"],
        "payout": ["司机实收(元)", "司机实收", "司机收入(元)", "driver income", "payout"],
    },
}
REQUIRED = ("order_no", "completed", "service", "fare", "payout")
SUMMARY_MARKS = ("合计", "总计", "小计", "total")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


class StatementError(ValueError):
    """The file cannot be read at all (its kind, encoding, size or heading row)."""


@dataclass
class Row:
    number: int  # as a spreadsheet shows it (1-based, heading rows counted)
    order_no: str
    completed_on: dt.date
    completed_at: dt.datetime | None
    service_type_id: int
    fare_fen: int
    payout_fen: int
    rate_bp: int
    driving_minutes: int | None


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicates_in_file: int = 0
    owner_name: str = ""
    owner_mobile: str = ""


def _norm(text) -> str:
    text = str(text or "").strip().lower()
    for a, b in (("（", "("), ("）", ")"), ("：", ":")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text)


def _key(text) -> str:
    return re.sub(r"[\s()]", "", _norm(text))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GBK (as its superset GB18030)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StatementError(_("The file is neither UTF-8 nor GBK text. Save it as CSV or .xlsx."))


def _cells_from_csv(data: bytes) -> list[list]:
    text = decode(data)
    if "\x00" in text:
        raise StatementError(_("The file contains binary data. Upload a CSV or .xlsx file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _cells_from_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    from yizhan.core.uploads import UploadRejected, check_zip

    try:
        check_zip(data, max_unzipped=MAX_UNZIPPED_BYTES)  # a small file unpacking to gigabytes
    except UploadRejected as exc:
        raise StatementError(str(exc)) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise StatementError(_("The Excel file cannot be opened.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
        return rows
    finally:
        workbook.close()


def read_cells(data: bytes, filename: str = "") -> list[list]:
    if len(data) > MAX_BYTES:
        raise StatementError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20})
    if not data.strip():
        raise StatementError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _cells_from_xlsx(data)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise StatementError(_("Old .xls files cannot be read. Save it as .xlsx or CSV."))
    return _cells_from_csv(data)


def _find_header(cells: list[list], kind: str) -> tuple[int, dict[str, int]]:
    aliases = {**FORMATS[kind], **COMMON}
    lookup = {_key(a): name for name, names in aliases.items() for a in names}
    for i, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for j, cell in enumerate(row):
            name = lookup.get(_key(cell))
            if name and name not in columns:
                columns[name] = j
        if all(name in columns for name in REQUIRED):
            return i, columns
    expected = "、".join(FORMATS[kind][name][0] for name in REQUIRED)
    raise StatementError(
        _("No heading row found. This platform's statement needs the columns: %(columns)s.")
        % {"columns": expected}
    )


_META = re.compile(r"^\s*(姓名|司机姓名|骑手姓名|name|手机号|手机|mobile)\s*[:：]?\s*(.*)$", re.I)


def _metadata(rows: list[list]) -> tuple[str, str]:
    name = mobile = ""
    for row in rows:
        cells = [str(c).strip() for c in row if c not in (None, "")]
        if not cells:
            continue
        if len(cells) >= 2 and _META.match(cells[0]) and not _META.match(cells[0]).group(2):
            label, value = cells[0], cells[1]
        else:
            match = _META.match(cells[0])
            if not match:
                continue
            label, value = match.group(1), match.group(2)
        if _key(label).startswith(("手机", "mobile")):
            mobile = mobile or value
        else:
            name = name or value
    return name, mobile


_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _parse_time(value) -> tuple[dt.date, dt.datetime | None]:
    if isinstance(value, str) and (m := _ISO.match(value.strip())):
        # The common case, without strptime (a 100,000-row statement spends seconds there).
        y, mo, d, hh, mm, ss = m.groups()
        day = dt.date(int(y), int(mo), int(d))
        if hh is None:
            return day, None
        moment = dt.datetime(
            day.year, day.month, day.day, int(hh), int(mm), int(ss or 0), tzinfo=LOCAL
        )
        return day, moment
    if isinstance(value, dt.datetime):
        moment = value if timezone.is_aware(value) else value.replace(tzinfo=LOCAL)
        return moment.astimezone(LOCAL).date(), moment
    if isinstance(value, dt.date):
        return value, None
    text = str(value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%H" in fmt:
            moment = parsed.replace(tzinfo=LOCAL)
            return moment.date(), moment
        return parsed.date(), None
    raise ValueError(text)


def _cell(row: list, index: int | None):
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an order number Excel stored as a number
    return str(value).strip()


def _is_blank(row: list) -> bool:
    return all(c is None or str(c).strip() == "" for c in row)


def parse(
    data: bytes, *, filename: str, kind: str, service_types: dict[str, int], now=None
) -> Parsed:
    """Check every row of a statement for a platform of `kind`. `service_types` maps the
    names and codes workers' statements use (lower case) to ServiceType ids."""
    now = now or timezone.now()
    today = now.astimezone(LOCAL).date()
    cells = read_cells(data, filename)
    header_at, columns = _find_header(cells, kind)
    parsed = Parsed()
    parsed.owner_name, parsed.owner_mobile = _metadata(cells[:header_at])
    seen: set[str] = set()
    labels = ((_("fare"), "fare"), (_("payout"), "payout"))
    body = cells[header_at + 1 :]
    if len(body) > MAX_ROWS:
        raise StatementError(
            _("The file has more than %(n)s rows. Split it by month.") % {"n": f"{MAX_ROWS:,}"}
        )
    for offset, row in enumerate(body):
        number = header_at + 2 + offset
        if _is_blank(row):
            continue
        order_no = _text(_cell(row, columns["order_no"]))
        if order_no.lower().startswith(SUMMARY_MARKS):
            continue
        problems = []
        for name_field, attr in (("name", "owner_name"), ("mobile", "owner_mobile")):
            value = _text(_cell(row, columns.get(name_field)))
            if value and not getattr(parsed, attr):
                setattr(parsed, attr, value)
            elif value and value != getattr(parsed, attr):
                problems.append(_("the statement names more than one person"))
        if not order_no:
            problems.append(_("the order number is missing"))
        elif len(order_no) > 64:
            problems.append(_("the order number is longer than 64 characters"))
        try:
            completed_on, completed_at = _parse_time(_cell(row, columns["completed"]))
        except ValueError:
            completed_on = completed_at = None
            problems.append(
                _("“%(value)s” is not a date and time (use 2026-11-16 08:30)")
                % {"value": _text(_cell(row, columns["completed"]))[:40]}
            )
        if completed_on and (completed_on > today or (completed_at and completed_at > now)):
            problems.append(_("the date %(date)s is in the future") % {"date": completed_on})
        elif completed_on and completed_on.year < 2000:
            problems.append(_("the date %(date)s is too far in the past") % {"date": completed_on})
        service_text = _text(_cell(row, columns["service"]))
        service_id = service_types.get(_norm(service_text))
        if service_id is None:
            problems.append(
                _("unknown service type “%(value)s” (known: %(known)s)")
                % {
                    "value": service_text[:40],
                    "known": "、".join(sorted({k for k in service_types if not k.isascii()}))
                    or "—",
                }
            )
        fare = payout = None
        for label, column in labels:
            raw = _cell(row, columns[column])
            try:
                value = yuan_to_fen(raw)
            except AmountError as exc:
                if str(exc) == "negative":
                    problems.append(_("the %(what)s is negative") % {"what": label})
                else:
                    problems.append(
                        _("the %(what)s “%(value)s” is not an amount in yuan")
                        % {"what": label, "value": _text(raw)[:20]}
                    )
                continue
            if column == "fare":
                fare = value
            else:
                payout = value
        if fare == 0:
            problems.append(_("the fare is zero"))
        if fare and payout is not None and payout > fare:
            problems.append(_("the payout is above the fare"))
        minutes = None
        raw_minutes = _cell(row, columns.get("driving_minutes"))
        if raw_minutes not in (None, ""):
            try:
                minutes = int(str(_text(raw_minutes)))
                if not 0 <= minutes <= 1440:
                    raise ValueError
            except ValueError:
                problems.append(_("the driving time must be 0 to 1440 minutes"))
        if problems:
            parsed.errors.append(
                _("Row %(row)s: %(problems)s.") % {"row": number, "problems": "; ".join(problems)}
            )
            continue
        if order_no in seen:
            parsed.duplicates_in_file += 1
            continue
        seen.add(order_no)
        parsed.rows.append(
            Row(
                number=number,
                order_no=order_no,
                completed_on=completed_on,
                completed_at=completed_at,
                service_type_id=service_id,
                fare_fen=fare,
                payout_fen=payout,
                rate_bp=rate_bp(fare_fen=fare, payout_fen=payout),
                driving_minutes=minutes,
            )
        )
    if not parsed.rows and not parsed.errors and not parsed.duplicates_in_file:
        raise StatementError(_("The statement has no orders below its heading row."))
    return parsed


# --- whose statement is it ---------------------------------------------------------------


def _masked_match(shown: str, actual: str) -> bool:
    """'王**' matches '王小川'; '138****0001' matches '13800000001'. Masks hide, never differ."""
    shown, actual = "".join(shown.split()), "".join(actual.split())
    if not shown or not actual:
        return True
    if "*" not in shown:
        return shown == actual
    head, tail = shown[: shown.index("*")], shown[shown.rindex("*") + 1 :]
    return (
        len(head) + len(tail) <= len(actual) and actual.startswith(head) and actual.endswith(tail)
    )


def names_another_person(parsed: Parsed, *, name: str, mobile: str) -> str | None:
    """What the statement shows of its owner when it is not this worker, else None."""
    if parsed.owner_name and name and not _masked_match(parsed.owner_name, name):
        return parsed.owner_name
    digits = re.sub(r"[^0-9*]", "", parsed.owner_mobile)
    if digits and mobile and not _masked_match(digits, mobile):
        return parsed.owner_mobile
    return None
