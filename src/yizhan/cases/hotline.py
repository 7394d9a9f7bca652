"""Reading work orders from the 12345 and 12328 hotline centres: their export files (.xlsx,
or CSV in UTF-8, UTF-8 with BOM or GBK) and their JSON webhook, into checked `Order`s.

Every row is checked first and each bad one reported with its row number and reason. Nothing
here writes: `services.hotline_import` and `services.cases_file_from_hotline` file the good
orders, in batches, exactly as the app files a demand (deadlines, category check, history,
the worker's notice). The pair (source, source order number) is unique in the database, so
the same order imported twice — in one file, in two files, or by file and webhook — is one case.
"""

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.cases.deadlines import LOCAL
from yizhan.cases.models import Category, TimeLimitType
from yizhan.core import uploads
from yizhan.core.validators import normalise_mobile
from yizhan.places import selectors as places

# The hotline centre's export headers → our field names.
COLUMNS = {
    "工单编号": "order_no",
    "来电时间": "called_at",
    "来电人": "caller_name",
    "联系电话": "caller_mobile",
    "诉求类型": "kind",
    "问题分类": "category",
    "诉求内容": "content",
    "所属区县": "district",
    "紧急程度": "urgency",
}
REQUIRED = ("order_no", "called_at", "content")
# 12345 "诉求类型" is the nature of the demand, which decides the time limit.
KIND_TO_LIMIT = {
    "咨询": "enquiry",
    "求助": "help",
    "投诉": "complaint",
    "举报": "complaint",
    "建议": "suggestion",
    "表扬": "suggestion",
}
URGENCY = {"": False, "一般": False, "普通": False, "紧急": True, "特急": True}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
BATCH = 1000
# What one import may be (core.uploads): the file, what its spreadsheet unpacks to, its rows.
MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
MAX_ROWS = 20_000


class UnreadableFile(Exception):
    pass


@dataclass
class Order:
    row: int
    order_no: str
    called_at: dt.datetime
    caller_name: str
    caller_mobile: str
    category: Category
    limit_type: TimeLimitType
    urgent: bool
    content: str
    district_id: int | None


@dataclass(frozen=True)
class RowError:
    """Why a row is refused, and the field (of the webhook's body) it is about."""

    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, str, int | None]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    check_only: bool = False
    valid: int = 0


# --- reading files ---------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")  # a superset of GBK
        except UnicodeDecodeError as exc:
            raise UnreadableFile(_("The file is neither UTF-8 nor GBK text.")) from exc


def _too_many_rows():
    return UnreadableFile(
        _("A file holds at most %(n)s work orders: split it.") % {"n": f"{MAX_ROWS:,}"}
    )


def read_rows(*, filename: str, data: bytes) -> list[tuple[int, dict]]:
    """(row number as the spreadsheet shows it, {field: value}) for every non-empty row.
    Refused before parsing above the size limits; reading stops past the row limit."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20})
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            uploads.check_zip(data, max_unzipped=MAX_UNZIPPED_BYTES)
        except uploads.UploadRejected as exc:
            raise UnreadableFile(str(exc)) from None
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same to the user
            raise UnreadableFile(_("The Excel file cannot be read.")) from exc
        rows = []
        for values in book.worksheets[0].iter_rows(values_only=True):
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:
                book.close()
                raise _too_many_rows()
        book.close()
    else:
        rows = []
        for values in csv.reader(io.StringIO(_decode(data))):
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:
                raise _too_many_rows()
    if not rows:
        raise UnreadableFile(_("The file is empty."))
    header = [COLUMNS.get(str(h or "").strip()) for h in rows[0]]
    missing = [name for name, key in COLUMNS.items() if key in REQUIRED and key not in header]
    if missing:
        raise UnreadableFile(_("Missing columns: %(cols)s") % {"cols": "、".join(missing)})
    out = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in values):
            continue
        out.append(
            (number, {key: values[i] for i, key in enumerate(header) if key and i < len(values)})
        )
    return out


# --- checking rows ---------------------------------------------------------------------


class Lookups:
    def __init__(self):
        self.categories = {c.name: c for c in Category.objects.filter(active=True)}
        self.other = Category.objects.filter(code="other").first() or next(
            iter(self.categories.values()), None
        )
        self.limits = {t.code: t for t in TimeLimitType.objects.all()}
        self.districts = dict(places.districts().values_list("name", "id"))


def _text(value) -> str:
    # NUL characters (a broken export) are dropped: no database text column holds them.
    return "" if value is None else str(value).replace("\x00", "").strip()


def _parse_time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = None
        for fmt in TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(_text(value), fmt)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    return moment.replace(tzinfo=LOCAL) if timezone.is_naive(moment) else moment


def check_row(row: int, values: dict, lookups: Lookups) -> Order | RowError:
    """An Order, or why the row is bad."""
    order_no = _text(values.get("order_no"))
    if not order_no:
        return RowError("order_no", _("no order number (工单编号)"))
    if len(order_no) > 40:
        return RowError("order_no", _("order number longer than 40 characters"))
    called_at = _parse_time(values.get("called_at"))
    if called_at is None:
        return RowError(
            "called_at", _("call time (来电时间) is not a date and time like 2026-09-29 10:30")
        )
    content = _text(values.get("content"))
    if not content:
        return RowError("content", _("no demand text (诉求内容)"))
    mobile = normalise_mobile(_text(values.get("caller_mobile")))
    if mobile and not (mobile.isdigit() and 7 <= len(mobile) <= 12):
        return RowError("caller_mobile", _("contact number (联系电话) is not a phone number"))
    kind = _text(values.get("kind"))
    limit_code = KIND_TO_LIMIT.get(kind) if kind else None
    if kind and limit_code is None:
        return RowError("kind", _("unknown demand type (诉求类型): %(v)s") % {"v": kind})
    urgency = _text(values.get("urgency"))
    if urgency not in URGENCY:
        return RowError("urgency", _("unknown urgency (紧急程度): %(v)s") % {"v": urgency})
    category = lookups.categories.get(_text(values.get("category"))) or lookups.other
    if category is None:
        return RowError("category", _("no categories are configured"))
    urgent = URGENCY[urgency]
    limit = (
        lookups.limits.get("urgent")
        if urgent and "urgent" in lookups.limits
        else lookups.limits.get(limit_code or "", category.limit_type)
    )
    return Order(
        row=row,
        order_no=order_no,
        called_at=called_at,
        caller_name=_text(values.get("caller_name"))[:40],
        caller_mobile=mobile,
        category=category,
        limit_type=limit,
        urgent=urgent,
        content=content[:4000],
        district_id=lookups.districts.get(_text(values.get("district"))),
    )


def check_rows(rows, lookups: Lookups | None = None) -> tuple[list[Order], ImportReport]:
    """The good orders of a file, and a report of the bad rows and of orders repeated in it."""
    lookups = lookups or Lookups()
    report = ImportReport(rows=len(rows))
    good, seen = [], set()
    for number, values in rows:
        result = check_row(number, values, lookups)
        if isinstance(result, RowError):
            report.errors.append((number, result.message))
        elif result.order_no in seen:
            report.duplicates.append((number, result.order_no, None))
        else:
            seen.add(result.order_no)
            good.append(result)
    report.valid = len(good)
    return good, report


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
