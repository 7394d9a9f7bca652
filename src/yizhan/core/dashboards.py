"""What each app gives the city dashboards (驾驶舱): the two shapes of its answers.

An app plugs into the dashboards through two functions in its own `selectors.py` (the portal
finds them the way it finds `nav.py`, and never imports anything else of the app):

    def dashboard_facts(*, start, end) -> Iterable[Fact]:
        '''Counts of what happened per local day in [start, end): the portal stores them
        as daily rollups (a periodic job) and asks again for today's live delta.'''

    def dashboard_headlines(*, scope: Scope) -> list[Headline]:
        '''A few headline figures for the overview page and the API, within the scope.'''

Both must answer in a few milliseconds for today's delta and a scope: read indexed columns,
count, sum; never loop over a city's rows in Python. A fact is an *event* count (something
that happened on that day and stays so), not a state that changes later, so yesterday's
rollup never needs recounting; see docs/DASHBOARDS.md.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class Fact:
    """`value` of `metric` on local `day`, for a district (None: not known) and up to three
    more dimension keys whose meaning the metric defines (e.g. department, category, channel)."""

    metric: str
    day: dt.date
    district: int | None
    value: int
    k1: str = ""
    k2: str = ""
    k3: str = ""


@dataclass(frozen=True)
class Scope:
    """What a dashboard shows: local days `start`..`end` (inclusive), within some districts
    (None: the whole city), optionally one department or category, at moment `now`."""

    start: dt.date
    end: dt.date
    now: dt.datetime
    district_ids: frozenset | None = None
    department_id: int | None = None
    category: str = ""

    @property
    def city_wide(self) -> bool:
        return self.district_ids is None

    @property
    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """[from, until): local midnight of `start` and of the day after `end`, for the
        providers' range filters on timestamps."""
        from django.utils import timezone

        tz = timezone.get_current_timezone()
        after = self.end + dt.timedelta(days=1)
        return (
            dt.datetime.combine(self.start, dt.time(0), tzinfo=tz),
            dt.datetime.combine(after, dt.time(0), tzinfo=tz),
        )


@dataclass(frozen=True)
class Headline:
    """One figure on the overview page: `value` (a number, or None when not known) with a
    label in the reader's language (a lazy string), an optional unit, link and hint."""

    key: str
    label: object
    value: float | int | None
    unit: object = ""
    url: str = ""
    hint: object = ""
    group: object = ""
    extra: dict = field(default_factory=dict)


# Rows whose time is a little out of id order (two transactions committing across each
# other) are still found: the search steps back this many ids before the boundary it finds.
ID_SLACK = 1000


def first_id_since(queryset, field: str, moment) -> int | None:
    """The lowest id worth reading for rows of an append-only table whose `field` (stamped
    with the time of the insert) is at or after `moment`, or None when there are none.

    History tables (case steps, report steps, visits) have no index on their time column;
    their ids grow with time, so a binary search over the primary key finds the boundary in
    about log2(n) index lookups and the caller reads `pk >= boundary AND field >= moment`
    instead of scanning millions of rows. Callers always keep the `field` filter: the id is
    only where reading starts."""
    bounds = queryset.order_by().aggregate(lo=models.Min("pk"), hi=models.Max("pk"))
    lo, hi = bounds["lo"], bounds["hi"]
    if hi is None:
        return None

    def stamp_from(pk):
        return queryset.filter(pk__gte=pk).order_by("pk").values_list(field, flat=True).first()

    if stamp_from(hi) < moment:
        return None
    if stamp_from(lo) >= moment:  # the table starts after the moment: read it all
        return lo
    while lo < hi:
        mid = (lo + hi) // 2
        if stamp_from(mid) >= moment:
            hi = mid
        else:
            lo = mid + 1
    return max(bounds["lo"], lo - ID_SLACK)
