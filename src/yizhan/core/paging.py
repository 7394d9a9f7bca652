"""Paging without COUNT(*): on a queue of a million rows the count costs more than the page.
`window` fetches one row more than it shows to know whether there is a next page."""

from dataclasses import dataclass


@dataclass
class Window:
    items: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


# A page number from the address bar is capped: beyond this the page is empty anyway, and
# an OFFSET past a 64-bit integer is a database error, not an empty page.
MAX_PAGE = 1_000_000


def window(queryset, page, per_page: int = 30) -> Window:
    try:
        number = min(MAX_PAGE, max(1, int(page or 1)))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Window(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
