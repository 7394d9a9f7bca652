"""The dashboards' figures as JSON (/api/v1/dashboard/…): every figure of every dashboard
page, with the same filters and the same scoping (a district officer gets their district
only), so a district's own systems can read them."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import NotAllowed, NotFound
from yizhan.core.schema import READ_ERRORS, Code, DbId
from yizhan.portal import permissions
from yizhan.portal.dashboards import figures
from yizhan.portal.dashboards.filters import parse
from yizhan.portal.models import MonthlyReport, PlanningRun

router = Router(tags=["dashboard"])
Section = Literal["overview", "grievances", "reports", "stations", "points", "coverage"]


class DashboardFilters(Schema):
    start: dt.date | None = Field(
        None, description="First local day (default: 29 days before the end)"
    )
    end: dt.date | None = Field(None, description="Last local day, at most today (default: today)")
    compare: Literal["previous", "year", "none"] = Field(
        "previous", description="The period to compare with: the one before, a year before, none"
    )
    district: DbId | None = Field(None, description="A district id (district officers: their own)")
    department: DbId | None = Field(None, description="A department id (grievances, reports)")
    category: Code | None = Field(
        None,
        description="Grievances: a case category id; reports: a category code; stations: a "
        "station kind; points: an earning source",
    )


class IndicatorOut(Schema):
    key: str
    label: str
    value: float | None
    previous: float | None = Field(None, description="The same figure in the comparison period")
    unit: str = Field(description='"%", "h" (hours) or empty')
    better: Literal["up", "down"]
    note: str
    group: str = Field(
        "",
        description="The app a headline figure belongs to (a heading on the page); empty: the section's own",
    )


class ChartOut(Schema):
    key: str
    title: str
    kind: Literal["line", "bar", "pie", "table", "hexmap"]
    columns: list[str]
    rows: list[list[str | int | float | None]] = Field(
        description="One row per label: the label first, then one value per column"
    )
    unit: str
    note: str
    extra: dict = Field(description="hexmap: {outlines: {cell: [[lat, lng], …]}}")


class ScopeOut(Schema):
    start: dt.date
    end: dt.date
    compare: str
    previous_start: dt.date | None
    previous_end: dt.date | None
    district: int | None
    districts: list[int] | None = Field(description="The districts counted; null: the city")
    department: int | None
    category: str
    generated_at: str


class SectionOut(Schema):
    section: Section
    title: str
    scope: ScopeOut
    indicators: list[IndicatorOut]
    charts: list[ChartOut]


class MonthlyOut(Schema):
    id: int
    month: dt.date
    district: int | None
    created_at: dt.datetime
    url: str


def _section(request, name, filters: DashboardFilters, only=None) -> dict:
    query = parse(request.auth, filters.dict(exclude_none=True))
    return figures.section(name, query, only=only)


@router.get(
    "/monthly-reports",
    response={200: list[MonthlyOut], **READ_ERRORS},
    auth=token_or_session,
    summary="The kept monthly reports this user may read",
)
def monthly_reports(request):
    from django.urls import reverse

    user = request.auth
    if not permissions.can_view_dashboards(user):
        raise NotAllowed
    allowed = permissions.dashboard_district_ids(user)
    qs = MonthlyReport.objects.all()
    if allowed is not None:
        qs = qs.filter(district__in=allowed)
    return [
        {
            "id": r.pk,
            "month": r.month,
            "district": r.district,
            "created_at": r.created_at,
            "url": reverse("portal:dashboard_monthly_report", args=[r.pk]),
        }
        for r in qs.defer("html")[:240]
    ]


class PlanningOut(Schema):
    id: int
    status: str
    sites: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: dict = Field(description="Gaps per cell and hour, the greedy and CP-SAT placements")


@router.get(
    "/planning/latest",
    response={200: PlanningOut, **READ_ERRORS},
    auth=token_or_session,
    summary="The latest station-planning run and its results",
)
def planning_latest(request):
    if not permissions.can_plan_stations(request.auth):
        raise NotAllowed
    run = PlanningRun.objects.filter(status=PlanningRun.Status.DONE).first()
    if run is None:
        raise NotFound
    return run


# The generic routes last: `/{section}` would otherwise swallow the fixed paths above.
@router.get(
    "/{section}",
    response={200: SectionOut, **READ_ERRORS},
    auth=token_or_session,
    summary="Every figure of one dashboard",
)
def dashboard_section(request, section: Section, filters: Query[DashboardFilters]):
    return _section(request, section, filters)


@router.get(
    "/{section}/charts/{key}",
    response={200: ChartOut, **READ_ERRORS},
    auth=token_or_session,
    summary="One chart of a dashboard (the data behind the chart and its table)",
)
def dashboard_chart(request, section: Section, key: Code, filters: Query[DashboardFilters]):
    data = _section(request, section, filters, only=key)  # that chart's reads only
    for chart in data["charts"]:
        if chart["key"] == key:
            return chart
    raise NotFound
