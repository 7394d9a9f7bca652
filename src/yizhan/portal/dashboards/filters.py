"""The dashboards' filters, read once for pages and the API alike: a date range, a period to
compare with, a district (forced for district staff), a department and a category.

Refused with a clear message, field by field (`core.errors`): a date that is not a date, a
range that ends before it starts or spans more than DASHBOARD_MAX_RANGE_DAYS, an end after
today, an unknown district or department (422); another district than one's own (403).
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.dashboards import Scope
from yizhan.core.errors import Invalid, NotAllowed
from yizhan.orgs import selectors as orgs
from yizhan.places import selectors as places
from yizhan.portal import permissions

COMPARE = ("previous", "year", "none")
EARLIEST = dt.date(2000, 1, 1)
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Query:
    scope: Scope
    compare: str
    previous: Scope | None
    district: object | None  # the chosen District, if any
    department: object | None
    allowed_districts: frozenset | None  # None: the whole city

    @property
    def days(self) -> int:
        return (self.scope.end - self.scope.start).days + 1

    def as_params(self) -> dict:
        params = {
            "start": self.scope.start.isoformat(),
            "end": self.scope.end.isoformat(),
            "compare": self.compare,
        }
        if self.district is not None:
            params["district"] = self.district.pk
        if self.department is not None:
            params["department"] = self.department.pk
        if self.scope.category:
            params["category"] = self.scope.category
        return params


def _text(params, name: str, max_length: int = 40) -> str:
    value = params.get(name)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise Invalid(_("Remove the control characters."), field=name)
    if len(value) > max_length:
        raise Invalid(_("At most %(n)s characters.") % {"n": max_length}, field=name)
    return value


def _date(params, name: str) -> dt.date | None:
    value = _text(params, name, 10)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("Enter a date as YYYY-MM-DD."), field=name) from None


def _id(params, name: str) -> int | None:
    value = _text(params, name, 19)
    if not value:
        return None
    if not value.isdigit() or int(value) < 1 or int(value) > 2**63 - 1:
        raise Invalid(_("Choose one from the list."), field=name)
    return int(value)


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse(user, params, *, now=None) -> Query:
    """The query a page or API call asks for, checked against what `user` may see."""
    if not permissions.can_view_dashboards(user):
        raise NotAllowed
    now = now or timezone.now()
    today = timezone.localdate(now)
    end = _date(params, "end") or today
    start = _date(params, "start") or (end - dt.timedelta(days=DEFAULT_DAYS - 1))
    if end > today:
        raise Invalid(_("The end cannot be after today."), field="end")
    if start < EARLIEST:
        raise Invalid(_("Choose a start in 2000 or later."), field="start")
    if start > end:
        raise Invalid(_("The end comes before the start."), field="end")
    longest = settings.DASHBOARD_MAX_RANGE_DAYS
    if (end - start).days + 1 > longest:
        raise Invalid(_("A range covers at most %(n)s days.") % {"n": longest}, field="start")
    compare = _text(params, "compare", 10) or "previous"
    if compare not in COMPARE:
        raise Invalid(
            _("Compare with the previous period, the year before or nothing."), field="compare"
        )

    allowed = permissions.dashboard_district_ids(user)
    district = None
    district_id = _id(params, "district")
    if district_id is not None:
        district = places.district_get(district_id=district_id)
        if district is None:
            raise Invalid(_("There is no such district."), field="district")
        if allowed is not None and district_id not in allowed:
            raise NotAllowed(_("You see the dashboards of your own district only."))
    if allowed is not None and not allowed:
        raise NotAllowed(_("Your role has no district assigned."))
    districts = (
        frozenset({district.pk})
        if district
        else (frozenset(allowed) if allowed is not None else None)
    )
    department = None
    department_id = _id(params, "department")
    if department_id is not None:
        department = orgs.department_get(department_id=department_id)
        if department is None:
            raise Invalid(_("There is no such department."), field="department")
    scope = Scope(
        start=start,
        end=end,
        now=now,
        district_ids=districts,
        department_id=department.pk if department else None,
        category=_text(params, "category"),
    )
    previous = None
    if compare == "previous":
        length = end - start + dt.timedelta(days=1)
        previous = replace(scope, start=start - length, end=start - dt.timedelta(days=1))
    elif compare == "year":
        previous = replace(scope, start=year_before(start), end=year_before(end))
    if previous is not None and previous.start < EARLIEST:
        previous = None
    return Query(
        scope=scope,
        compare=compare,
        previous=previous,
        district=district,
        department=department,
        allowed_districts=frozenset(allowed) if allowed is not None else None,
    )


def system_query(*, start: dt.date, end: dt.date, district=None, now=None) -> Query:
    """A query with no viewer (the monthly report job): the city or one district."""
    now = now or timezone.now()
    scope = Scope(
        start=start,
        end=end,
        now=now,
        district_ids=frozenset({district.pk}) if district is not None else None,
    )
    length = end - start + dt.timedelta(days=1)
    previous = replace(scope, start=start - length, end=start - dt.timedelta(days=1))
    return Query(
        scope=scope,
        compare="previous",
        previous=previous,
        district=district,
        department=None,
        allowed_districts=None,
    )
