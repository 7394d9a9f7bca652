"""Paging without COUNT(*): on a queue of a million rows the count costs more than the page.
`window` fetches one row more than it shows to know whether there is a next page."""

from dataclasses import dataclass

from yizhan.core.listing import param_page


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


def window(queryset, page, per_page: int = 30) -> Window:
    # A page number the database cannot take as an offset (?page=99999999999999999999) is
    # the last page anyone reaches by hand, never an overflow.
    number = param_page(page)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Window(items=rows[:per_page], number=number, has_next=len(rows) > per_page)
