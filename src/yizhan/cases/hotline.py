"""Work orders from the 12345 and 12328 hotline centres: their export files (.xlsx, or CSV
in UTF-8, UTF-8 with BOM or GBK) and their JSON webhook.

Every row is checked first and each bad one reported with its row number and reason; the
good ones are then inserted in batches. The pair (source, source order number) is unique
in the database, so the same order imported twice — in one file, in two files, or by file
and webhook — is one case.
"""

import csv
import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.accounts.models import User
from yizhan.cases.deadlines import ACCEPT_WORKING_DAYS, LOCAL, due_after
from yizhan.cases.models import Case, CaseEvent, Category, HotlineSource, TimeLimitType
from yizhan.core.pii import blind_index
from yizhan.core.validators import normalise_mobile
from yizhan.places.models import District

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


def read_rows(*, filename: str, data: bytes) -> list[tuple[int, dict]]:
    """(row number as the spreadsheet shows it, {field: value}) for every non-empty row."""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same to the user
            raise UnreadableFile(_("The Excel file cannot be read.")) from exc
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
    else:
        rows = list(csv.reader(io.StringIO(_decode(data))))
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
        self.districts = dict(District.objects.values_list("name", "id"))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


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


def check_row(row: int, values: dict, lookups: Lookups) -> Order | str:
    """An Order, or the reason the row is bad."""
    order_no = _text(values.get("order_no"))
    if not order_no:
        return _("no order number (工单编号)")
    if len(order_no) > 40:
        return _("order number longer than 40 characters")
    called_at = _parse_time(values.get("called_at"))
    if called_at is None:
        return _("call time (来电时间) is not a date and time like 2026-09-29 10:30")
    content = _text(values.get("content"))
    if not content:
        return _("no demand text (诉求内容)")
    mobile = normalise_mobile(_text(values.get("caller_mobile")))
    if mobile and not (mobile.isdigit() and 7 <= len(mobile) <= 12):
        return _("contact number (联系电话) is not a phone number")
    kind = _text(values.get("kind"))
    limit_code = KIND_TO_LIMIT.get(kind) if kind else None
    if kind and limit_code is None:
        return _("unknown demand type (诉求类型): %(v)s") % {"v": kind}
    urgency = _text(values.get("urgency"))
    if urgency not in URGENCY:
        return _("unknown urgency (紧急程度): %(v)s") % {"v": urgency}
    category = lookups.categories.get(_text(values.get("category"))) or lookups.other
    if category is None:
        return _("no categories are configured")
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


# --- inserting -------------------------------------------------------------------------


def _case_for(source, order: Order, now, worker_ids) -> Case:
    return Case(
        channel=Case.Channel.HOTLINE_12328
        if source.code == "12328"
        else Case.Channel.HOTLINE_12345,
        source=source,
        source_order_no=order.order_no,
        worker_id=worker_ids.get(order.caller_mobile),
        caller_name="" if worker_ids.get(order.caller_mobile) else order.caller_name,
        caller_mobile="" if worker_ids.get(order.caller_mobile) else order.caller_mobile,
        category=order.category,
        limit_type=order.limit_type,
        urgent=order.urgent,
        description=order.content,
        district_id=order.district_id,
        created_at=now,
        accept_due_at=due_after(now, ACCEPT_WORKING_DAYS),
        deadline_at=due_after(now, ACCEPT_WORKING_DAYS),
    )


def _worker_ids(mobiles) -> dict[str, int]:
    index = {blind_index(m): m for m in mobiles if m}
    found = User.objects.filter(mobile_index__in=index, worker__isnull=False).values_list(
        "mobile_index", "id"
    )
    return {index[i]: uid for i, uid in found}


def _insert(source, orders: list[Order], actor, now, report: ImportReport) -> None:
    numbers = [o.order_no for o in orders]
    existing = dict(
        Case.objects.filter(source=source, source_order_no__in=numbers).values_list(
            "source_order_no", "id"
        )
    )
    fresh = []
    for order in orders:
        if order.order_no in existing:
            report.duplicates.append((order.row, order.order_no, existing[order.order_no]))
        else:
            fresh.append(order)
    if not fresh:
        return
    workers = _worker_ids({o.caller_mobile for o in fresh})
    try:
        with transaction.atomic():
            cases = Case.objects.bulk_create([_case_for(source, o, now, workers) for o in fresh])
            if cases and cases[0].pk is None:  # a backend without RETURNING
                ids = dict(
                    Case.objects.filter(
                        source=source, source_order_no__in=[o.order_no for o in fresh]
                    ).values_list("source_order_no", "id")
                )
                for case in cases:
                    case.pk = case.id = ids[case.source_order_no]
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case=case,
                    at=now,
                    actor=actor,
                    action=CaseEvent.Action.SUBMIT,
                    to_state=Case.State.SUBMITTED,
                    note=f"{source.name} {o.order_no} · {o.called_at.astimezone(LOCAL):%Y-%m-%d %H:%M}",
                )
                for case, o in zip(cases, fresh, strict=True)
            )
            report.created.extend(c.pk for c in cases)
    except IntegrityError:
        # Another import took some of these orders a moment ago: go one by one.
        for order in fresh:
            case, created = receive_order(source=source, order=order, actor=actor, now=now)
            if created:
                report.created.append(case.pk)
            else:
                report.duplicates.append((order.row, order.order_no, case.pk))


def receive_order(*, source, order: Order, actor=None, now=None) -> tuple[Case, bool]:
    """One order (the webhook, or the slow path of an import). Returns (case, created)."""
    now = now or timezone.now()
    existing = Case.objects.filter(source=source, source_order_no=order.order_no).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            case = _case_for(source, order, now, _worker_ids({order.caller_mobile}))
            case.save()
            CaseEvent.objects.create(
                case=case,
                at=now,
                actor=actor,
                action=CaseEvent.Action.SUBMIT,
                to_state=case.state,
                note=f"{source.name} {order.order_no} · {order.called_at.astimezone(LOCAL):%Y-%m-%d %H:%M}",
            )
            return case, True
    except IntegrityError:
        return Case.objects.get(source=source, source_order_no=order.order_no), False


def import_rows(*, source, rows, actor=None, check_only=False, now=None) -> ImportReport:
    now = now or timezone.now()
    report = ImportReport(rows=len(rows), check_only=check_only)
    lookups = Lookups()
    good, seen = [], {}
    for number, values in rows:
        result = check_row(number, values, lookups)
        if isinstance(result, str):
            report.errors.append((number, result))
        elif result.order_no in seen:
            report.duplicates.append((number, result.order_no, None))
        else:
            seen[result.order_no] = number
            good.append(result)
    report.valid = len(good)
    if check_only:
        return report
    for start in range(0, len(good), BATCH):
        _insert(source, good[start : start + BATCH], actor, now, report)
    return report


def import_file(*, source, filename, data: bytes, actor=None, check_only=False) -> ImportReport:
    try:
        rows = read_rows(filename=filename, data=data)
    except UnreadableFile as exc:
        report = ImportReport(check_only=check_only)
        report.errors.append((0, str(exc)))
        return report
    return import_rows(source=source, rows=rows, actor=actor, check_only=check_only)


# --- webhook keys ----------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def source_set_key(*, source: HotlineSource, key: str) -> None:
    HotlineSource.objects.filter(pk=source.pk).update(key_hash=key_hash(key))
    source.key_hash = key_hash(key)


def source_for_key(*, code: str, key: str) -> HotlineSource | None:
    source = HotlineSource.objects.filter(code=code, active=True).first()
    if source is None or not source.key_hash or not key:
        return None
    if not hmac.compare_digest(source.key_hash, key_hash(key)):
        return None
    return source
