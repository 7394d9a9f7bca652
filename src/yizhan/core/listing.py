"""Staff tables: columns sorted by a whitelist, query parameters read without surprises, a
count that stays cheap on a city's queue.

A list page declares its columns once:

    COLUMNS = [
        Column("id", _("No."), ("id",)),
        Column("due", _("Due"), ("due_at", "id")),
        Column("community", _("Community")),            # shown, not sortable
    ]
    sorting = Sorting(COLUMNS, request.GET.get("sort"), default="due")
    qs = qs.order_by(*sorting.order_by())

`?sort=due` sorts ascending, `?sort=-due` descending; anything else (a column that is not
sortable, a field name, SQL) falls back to the default, so the ORM never sees user input.
`sorting.headers(request)` gives the table header: each sortable column a link that keeps
the page's filters (and drops the page number), with `aria-sort` on the sorted one.

Query parameters: `param_id` (a database id or None: never an integer the database cannot
hold), `param_choice`, `param_text`, `param_flag`. A value that does not parse is ignored —
the list shows as if the filter were not set — never a 500.
"""

from dataclasses import dataclass, field

from django.db.models import F

from yizhan.core.schema import BIGINT_MAX

# The largest id a database column holds (bigint); ids in URLs are at most 18 digits.
PAGE_MAX = 100_000  # no one pages further by hand; an offset beyond the rows costs a scan


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    order: tuple[str, ...] = ()  # ORM fields for the ascending order; empty: not sortable
    numeric: bool = False  # right-aligned figures
    nulls_last: bool = True
    css: str = ""

    @property
    def sortable(self) -> bool:
        return bool(self.order)


@dataclass
class Sorting:
    columns: list[Column]
    value: str | None = None
    default: str = ""
    key: str = field(init=False)
    descending: bool = field(init=False)

    def __post_init__(self):
        by_key = {c.key: c for c in self.columns if c.sortable}
        raw = (self.value or "").strip()
        descending = raw.startswith("-")
        key = raw.lstrip("-")
        if key not in by_key:
            default = self.default or next(iter(by_key), "")
            descending = default.startswith("-")
            key = default.lstrip("-")
        self.key, self.descending = key, descending
        self._by_key = by_key

    @property
    def param(self) -> str:
        """The value of ?sort= that gives this order."""
        return f"-{self.key}" if self.descending else self.key

    def order_by(self) -> list:
        """Order expressions for QuerySet.order_by; NULLs last whichever way."""
        column = self._by_key.get(self.key)
        if column is None:
            return []
        exprs = []
        for i, name in enumerate(column.order):
            # Empty values last whichever way, on the first field (the tie-breakers that
            # follow, usually the id, are never empty).
            nulls = {"nulls_last": True} if column.nulls_last and i == 0 else {}
            exprs.append(F(name).desc(**nulls) if self.descending else F(name).asc(**nulls))
        return exprs

    def headers(self, query, *, hide=()) -> list[dict]:
        """The table header cells: label, the link that sorts by it (ascending first, then
        the other way), and aria-sort for the sorted column. `query` is request.GET; `hide`
        names columns this page does not show."""
        cells = []
        for column in self.columns:
            if column.key in hide:
                continue
            cell = {
                "key": column.key,
                "label": column.label,
                "numeric": column.numeric,
                "css": column.css,
            }
            if column.sortable:
                current = column.key == self.key
                if current:
                    cell["aria_sort"] = "descending" if self.descending else "ascending"
                target = f"-{column.key}" if current and not self.descending else column.key
                params = query.copy()
                params.pop("page", None)
                params["sort"] = target
                cell["url"] = "?" + params.urlencode()
            cells.append(cell)
        return cells


# --- query parameters ------------------------------------------------------------------------


def param_id(value) -> int | None:
    """A database id (1 … 2**63-1) from a query or form value, or None."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= BIGINT_MAX else None


def param_ids(values) -> list[int]:
    return [n for n in (param_id(v) for v in values) if n is not None]


def param_choice(value, choices) -> str:
    """`value` when it is one of `choices` (values or (value, label) pairs), else ""."""
    allowed = {c[0] if isinstance(c, tuple | list) else c for c in choices}
    value = str(value or "")
    return value if value in allowed else ""


def param_text(value, *, max_length: int = 100) -> str:
    """Free text for a search box: trimmed, control characters out, at most `max_length`."""
    text = "".join(ch for ch in str(value or "") if ch.isprintable())
    return text.strip()[:max_length]


def param_flag(value) -> bool:
    return str(value or "").lower() in ("1", "on", "true", "yes")


def param_page(value) -> int:
    """A page number from 1 to PAGE_MAX (a huge one is the last page anyone reaches)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(1, min(int(text[:7]), PAGE_MAX))


def capped_count(queryset, cap: int = 1000) -> tuple[int, bool]:
    """How many rows, counted up to `cap` (a bounded scan on a city-wide queue): (n, more)."""
    n = queryset[: cap + 1].count()
    return min(n, cap), n > cap


def page_of(queryset, page, per_page: int = 50):
    """A page of a counted list (Django's Paginator: a number past the end is the last page)."""
    from django.core.paginator import Paginator

    return Paginator(queryset, per_page).get_page(param_page(page))
