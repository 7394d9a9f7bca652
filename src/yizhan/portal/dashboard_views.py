"""The dashboard pages (/dashboard/…): thin views over `dashboards.figures`, the Excel
export of a page's tables, the kept monthly reports and station planning."""

import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yizhan.cases import selectors as cases
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.orgs import selectors as orgs
from yizhan.places import selectors as places
from yizhan.points import selectors as points
from yizhan.portal import permissions, services
from yizhan.portal.dashboards import figures
from yizhan.portal.dashboards.filters import parse
from yizhan.portal.models import ActivitySpot, CandidateSite, MonthlyReport, PlanningRun
from yizhan.reports import selectors as reports
from yizhan.stations import selectors as stations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(rule, user):
    if not user.is_authenticated:
        return False
    if not rule(user):
        raise NotAllowed
    return True


def _category_choices(section: str) -> list[tuple[str, str]]:
    if section == "grievances":
        labels = cases.dashboard_labels()["category"]
    elif section == "reports":
        labels = reports.dashboard_labels()["category"]
    elif section == "stations":
        labels = stations.dashboard_kind_labels()
    elif section == "points":
        labels = points.dashboard_source_labels()
    else:
        return []
    return sorted(labels.items(), key=lambda kv: kv[1])


def _districts_for(user):
    allowed = permissions.dashboard_district_ids(user)
    qs = places.districts()
    return qs if allowed is None else qs.filter(pk__in=allowed)


def _sheet_title(text: str, used: set) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", str(text))[:28] or "sheet"
    base, n = title, 2
    while title in used:
        title, n = f"{base[:25]} {n}", n + 1
    used.add(title)
    return title


def workbook(data: dict) -> bytes:
    """A page's figures as Excel: the indicators, then one sheet per chart's table."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    used: set = set()
    sheet.title = _sheet_title(_("Indicators"), used)
    sheet.append([_("Figure"), _("Value"), _("Comparison period"), _("Unit")])
    for i in data["indicators"]:
        sheet.append([i["label"], i["value"], i["previous"], i["unit"]])
    for chart in data["charts"]:
        ws = book.create_sheet(_sheet_title(chart["title"], used))
        ws.append(chart["columns"])
        for row in chart["rows"]:
            ws.append(list(row))
    scope = data["scope"]
    info = book.create_sheet(_sheet_title(_("Scope"), used))
    for key, value in scope.items():
        info.append([key, str(value) if value is not None else ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def dashboard_view(request, section: str = "overview"):
    _require(permissions.can_view_dashboards, request.user)
    if section not in figures.SECTIONS:
        raise NotFound
    context = {
        "section": section,
        "titles": figures.section_titles(),
        "districts": _districts_for(request.user),
        "departments": orgs.departments() if section in ("grievances", "reports") else [],
        "categories": _category_choices(section),
        "compare_choices": [
            ("previous", _("the period before")),
            ("year", _("the same days a year before")),
            ("none", _("nothing")),
        ],
        "params": request.GET,
        "city_wide": permissions.sees_whole_city(request.user),
        "can_plan": permissions.can_plan_stations(request.user),
        "query": None,
        "data": None,
        "shown": {
            "start": request.GET.get("start", "")[:10],
            "end": request.GET.get("end", "")[:10],
        },
    }
    try:
        query = parse(request.user, request.GET)
        data = figures.section(section, query)
    except Invalid as exc:
        context["errors"] = exc.field_errors()
        return render(request, "portal/dashboard/section.html", context, status=422)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(workbook(data), content_type=XLSX)
        name = f"dashboard-{section}-{query.scope.start}-{query.scope.end}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context |= {
        "data": data,
        "query": query,
        "export": {**query.as_params(), "format": "xlsx"},
        "shown": {"start": query.scope.start.isoformat(), "end": query.scope.end.isoformat()},
    }
    return render(request, "portal/dashboard/section.html", context)


def _monthly_for(user):
    qs = MonthlyReport.objects.defer("html")
    allowed = permissions.dashboard_district_ids(user)
    return qs if allowed is None else qs.filter(district__in=allowed)


@login_required
def monthly_list_view(request):
    _require(permissions.can_view_dashboards, request.user)
    names = dict(places.districts().values_list("id", "name"))
    reports_ = [(r, names.get(r.district, "")) for r in _monthly_for(request.user)[:240]]
    return render(
        request,
        "portal/dashboard/monthly_list.html",
        {
            "reports": reports_,
            "titles": figures.section_titles(),
            "section": "monthly",
            "can_plan": permissions.can_plan_stations(request.user),
        },
    )


@login_required
def monthly_report_view(request, report_id: int):
    _require(permissions.can_view_dashboards, request.user)
    report = _monthly_for(request.user).filter(pk=report_id).first()
    if report is None:
        raise NotFound
    html = MonthlyReport.objects.get(pk=report.pk).html
    return HttpResponse(html.replace(STYLESHEETS_MARK, _stylesheets(), 1))


# The stored report names its stylesheets when it is served, not when it is written: hashed
# file names change with every release, and a stored link to an old one would be broken.
STYLESHEETS_MARK = "<!--yz:stylesheets-->"


def _stylesheets() -> str:
    from django.templatetags.static import static

    return "".join(
        f'<link rel="stylesheet" href="{static(path)}">'
        for path in ("yizhan/app.css", "portal/dashboard.css")
    )


def _weekdays():
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@login_required
def planning_view(request):
    _require(permissions.can_plan_stations, request.user)
    run = PlanningRun.objects.first()
    done = PlanningRun.objects.filter(status=PlanningRun.Status.DONE).first()
    return render(
        request,
        "portal/dashboard/planning.html",
        {
            "run": run,
            "done": done,
            "result": done.result if done else None,
            "spots": ActivitySpot.objects.count(),
            "candidates": CandidateSite.objects.count(),
            "titles": figures.section_titles(),
            "section": "planning",
            "can_plan": True,
            "hours": [(h, f"{_weekdays()[h // 24]} {h % 24:02d}:00") for h in range(168)],
        },
    )


@login_required
@require_POST
def planning_run_view(request):
    _require(permissions.can_plan_stations, request.user)
    raw = request.POST.get("sites", "")
    try:
        sites = int(raw) if raw.strip().isdigit() and len(raw.strip()) < 4 else -1
        services.planning_request(user=request.user, sites=sites)
        messages.success(request, _("Planning started; the results appear here in a minute."))
    except (Invalid, Conflict) as exc:
        messages.error(request, str(exc.field_errors()[0][1]))
    return redirect("portal:dashboard_planning")


@login_required
@require_POST
def planning_import_view(request):
    _require(permissions.can_plan_stations, request.user)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid(_("Choose a CSV file."), field="file")
        if upload.size > services.CSV_MAX_BYTES:
            raise Invalid(_("The file is larger than 5 MB."), field="file")
        n = services.planning_import(
            user=request.user, kind=request.POST.get("kind", ""), data=upload.read()
        )
        messages.success(request, _("%(n)s rows imported.") % {"n": n})
    except Invalid as exc:
        for _field, message in exc.field_errors()[:10]:
            messages.error(request, message)
    return redirect("portal:dashboard_planning")
