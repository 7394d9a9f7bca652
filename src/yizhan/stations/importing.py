"""Station files as a city keeps them: Excel (.xlsx) or CSV (UTF-8 with or without BOM,
or GBK as Chinese Excel saves it), one station a row, headers in Chinese.

Reading is strict and complete: every bad row is reported with its spreadsheet row number
(the header is row 1) and the reason, and the caller imports nothing if there is one.
"""

import csv
import io
import re
import zipfile

from django.utils import translation
from django.utils.translation import gettext as _

from yizhan.core.errors import Invalid
from yizhan.core.geo import CRS_BD09, CRS_GCJ02, CRS_WGS84, to_wgs84
from yizhan.core.uploads import UploadRejected, check_zip
from yizhan.places.selectors import community_id_at, community_index
from yizhan.stations import hours
from yizhan.stations.models import Amenity, Station

MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024
MAX_ROWS = 50_000

# Canonical column → the headers cities use for it.
COLUMNS = {
    "code": ["编码", "驿站编码", "编号"],
    "name": ["驿站名称", "名称", "站点名称"],
    "address": ["地址", "详细地址"],
    "kind": ["类型", "驿站类型"],
    "amenities": ["设施", "设施设备", "服务设施"],
    "services": ["服务内容", "服务"],
    "manager": ["负责人", "联系人"],
    "phone": ["联系电话", "电话", "联系方式"],
    "lng": ["经度"],
    "lat": ["纬度"],
    "crs": ["坐标系", "坐标系统"],
    "hours": ["开放时间", "营业时间"],
    "operator": ["运营单位", "建设单位"],
    "capacity": ["容纳人数", "容量"],
}
REQUIRED = ["name", "kind", "lng", "lat", "crs", "hours"]
EXPORT_HEADERS = {key: names[0] for key, names in COLUMNS.items()}
CRS_NAMES = {
    "WGS84": CRS_WGS84,
    "GCJ02": CRS_GCJ02,
    "BD09": CRS_BD09,
    "BD09LL": CRS_BD09,
    "GPS": CRS_WGS84,
    "高德": CRS_GCJ02,
    "腾讯": CRS_GCJ02,
    "百度": CRS_BD09,
}
_PHONE = re.compile(r"^\+?[\d\s()\-—]{7,24}$")


def sniff_format(content: bytes) -> str:
    """ "xlsx" or "csv" by content, not by name; Invalid for anything else."""
    if not content:
        raise Invalid(fields={"file": [_("The file is empty.")]})
    if len(content) > MAX_BYTES:
        raise Invalid(fields={"file": [_("The file is larger than 5 MB.")]})
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            try:  # inflated in a stream up to the budget, whatever the headers claim
                check_zip(content, max_unzipped=MAX_UNZIPPED_BYTES)
            except UploadRejected as exc:
                raise Invalid(fields={"file": [str(exc)]}) from None
            return "xlsx"
        raise Invalid(fields={"file": [_("This is not an Excel (.xlsx) file.")]})
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid(
            fields={"file": [_("Old Excel (.xls) files are not supported: save it as .xlsx.")]}
        )
    if b"\x00" in content[:4096]:
        raise Invalid(fields={"file": [_("Upload an Excel (.xlsx) or CSV file.")]})
    return "csv"


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise Invalid(fields={"file": [_("The CSV file is neither UTF-8 nor GBK text.")]}) from None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) > 1e6:
        return str(int(value))  # a phone number typed as a number
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]  # our own export's guard against formula injection
    return text


def read_rows(content: bytes, file_format: str) -> list[list[str]]:
    """All rows of the first sheet (or the CSV), as text cells, header first."""
    if file_format == "xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
            raise Invalid(fields={"file": [_("The Excel file cannot be read.")]}) from exc
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                break
        book.close()
    else:
        text = _decode(content)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        rows = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS + 1:
        raise Invalid(fields={"file": [_("A file holds at most 50,000 stations.")]})
    return rows


def _kind_names() -> dict[str, str]:
    names = {}
    for value, label in Station.Kind.choices:
        names[value] = value
        names[str(label).lower()] = value
        with translation.override("zh-hans"):
            names[str(label)] = value
    names.update({"工会": "union", "小蜜蜂": "little_bee", "骑手爱心驿站": "bank"})
    names.update({"区域性服务中心": "regional", "党群服务中心": "regional"})
    names.update({"商圈服务中心": "business", "楼宇服务中心": "business"})
    return names


def _amenity_names() -> dict[str, str]:
    names = {}
    for code, name, name_en in Amenity.objects.values_list("code", "name", "name_en"):
        for key in (code, name, name_en):
            if key:
                names[key.lower()] = code
    return names


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    lookup = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for i, title in enumerate(header):
        key = lookup.get(re.sub(r"\s+", "", title))
        if key and key not in positions:
            positions[key] = i
    missing = [EXPORT_HEADERS[k] for k in REQUIRED if k not in positions]
    return positions, missing


class RowChecker:
    """Checks one row at a time, collecting every problem with its row and column."""

    def __init__(self):
        self.kinds = _kind_names()
        self.amenity_names = _amenity_names()
        self.have_city = bool(community_index().keys)
        self.seen_codes: dict[str, int] = {}

    def check(self, number: int, value: dict[str, str]):
        """(StationData or None, list of problems) for spreadsheet row `number`."""
        from yizhan.stations.services import StationData

        self.number, self.value, self.problems = number, value, []
        for key in REQUIRED:
            if not value.get(key):
                self.problem(key, _("This cell is required."))
        if len(value.get("name", "")) > 120:
            self.problem("name", _("The name is longer than 120 characters."))
        kind = self._kind()
        amenities = self._amenities()
        lat, lng = self._point()
        is_24h, weekly = self._hours()
        phone = value.get("phone", "")
        if phone and not _PHONE.match(phone):
            self.problem("phone", _("“%s” is not a phone number.") % phone)
        capacity = self._capacity()
        code = self._code()
        if self.problems:
            return None, self.problems
        data = StationData(
            code=code[:20],
            name=value["name"],
            kind=kind,
            lat=round(lat, 7),
            lng=round(lng, 7),
            address=value.get("address", "")[:200],
            operator=value.get("operator", "")[:120],
            services=value.get("services", "")[:300],
            manager=value.get("manager", "")[:60],
            phone=phone[:30],
            capacity=capacity,
            is_24h=is_24h,
            weekly=weekly,
            amenities=amenities,
        )
        return data, []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(
            {"row": self.number, "column": EXPORT_HEADERS[key], "message": message}
        )

    def _kind(self):
        text = self.value.get("kind", "")
        kind = self.kinds.get(text.lower()) or self.kinds.get(text)
        if text and not kind:
            self.problem("kind", _("Unknown station type “%s”.") % text)
        return kind

    def _amenities(self) -> list[str]:
        codes = []
        for item in re.split(r"[、,，;；/\s]+", self.value.get("amenities", "")):
            if not item:
                continue
            code = self.amenity_names.get(item.lower())
            if code is None:
                self.problem("amenities", _("Unknown facility “%s”.") % item)
            elif code not in codes:
                codes.append(code)
        return codes

    def _point(self):
        text = self.value.get("crs", "")
        crs = CRS_NAMES.get(re.sub(r"[\s\-_]", "", text).upper())
        if text and crs is None:
            self.problem(
                "crs", _("Unknown coordinate system “%s”: use WGS84, GCJ02 or BD09.") % text
            )
        numbers = {}
        for key, (low, high) in (("lng", (-180, 180)), ("lat", (-90, 90))):
            text = self.value.get(key, "")
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                self.problem(key, _("“%s” is not a number.") % text)
                continue
            if not low <= number <= high:
                self.problem(
                    key,
                    _("%(v)s is out of range (%(lo)d to %(hi)d).")
                    % {"v": text, "lo": low, "hi": high},
                )
                continue
            numbers[key] = number
        if len(numbers) < 2 or crs is None:
            return None, None
        lng, lat = to_wgs84(numbers["lng"], numbers["lat"], crs)
        if self.have_city and community_id_at(lat=lat, lng=lng) is None:
            self.problem(
                "lng",
                _(
                    "The point is outside every community of the city (are longitude and latitude swapped?)."
                ),
            )
        return lat, lng

    def _hours(self):
        text = self.value.get("hours", "")
        if not text:
            return False, ((),) * 7
        try:
            return hours.parse_week_text(text)
        except ValueError:
            self.problem(
                "hours",
                _("Cannot read the opening hours “%s”: write 24小时 or 08:00-22:00.") % text,
            )
            return False, ((),) * 7

    def _capacity(self):
        text = self.value.get("capacity", "")
        if not text:
            return None
        try:
            capacity = int(float(text))
        except ValueError:
            capacity = -1
        if not 0 <= capacity <= 10000:
            self.problem("capacity", _("The capacity must be a whole number of people."))
            return None
        return capacity

    def _code(self) -> str:
        code = self.value.get("code", "")
        if code:
            if code in self.seen_codes:
                self.problem(
                    "code",
                    _("The code %(c)s is also used in row %(r)d.")
                    % {"c": code, "r": self.seen_codes[code]},
                )
            self.seen_codes.setdefault(code, self.number)
        return code


def validate_rows(rows: list[list[str]], *, progress=None):
    """Check every row. Returns (list of StationData, list of errors); errors name the row."""
    if not rows:
        return [], [{"row": 0, "column": "", "message": _("The file is empty.")}]
    positions, missing = _header_map(rows[0])
    if missing:
        message = _("Missing columns: %s") % "、".join(missing)
        return [], [{"row": 1, "column": "", "message": message}]
    checker = RowChecker()
    total = len(rows) - 1
    result, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if progress and (number - 2) % 200 == 0:
            progress(number - 2, total)
        if not any(row):
            continue
        value = {k: (row[i].strip() if i < len(row) else "") for k, i in positions.items()}
        data, problems = checker.check(number, value)
        if problems:
            errors.extend(problems)
        else:
            result.append(data)
    if progress:
        progress(total, total)
    return result, errors
