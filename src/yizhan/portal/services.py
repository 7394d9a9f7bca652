"""The portal's writes: the dashboards' rollups and snapshots, the kept monthly reports,
station planning's imports and runs. The portal owns no domain data; everything here can be
rebuilt from the apps' own records (except the imported planning inputs and the reports as
they were printed)."""

import csv
import datetime as dt
import io
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.places import selectors as places
from yizhan.portal import permissions
from yizhan.portal.dashboards import figures, hexes, planning, providers, rollups
from yizhan.portal.dashboards.filters import system_query
from yizhan.portal.models import ActivitySpot, CandidateSite, MonthlyReport, PlanningRun
from yizhan.reports import selectors as reports
from yizhan.stations import selectors as stations

logger = logging.getLogger("yizhan.dashboards")
CSV_MAX_BYTES = 5 * 1024 * 1024
CSV_MAX_ROWS = 50_000


# --- rollups -------------------------------------------------------------------------------


def dashboard_refresh(*, now=None, force: bool = False, since: dt.date | None = None) -> dict:
    """Roll up the days not yet complete (nothing to do twice on the same day unless forced)
    and retake the snapshots (open reports per hexagon, repeat spots)."""
    now = now or timezone.now()
    today = rollups.local_today(now)
    if not force and since is None and rollups.complete_until() == today:
        return {"skipped": True, "complete_until": today.isoformat()}
    result = rollups.refresh(now=now, since=since)
    result |= hexes.refresh_snapshots(until=today, now=now)
    result |= rollups.refresh_live(now=now)
    logger.info("dashboard rollups refreshed: %s", result)
    return result


def dashboard_live_refresh(*, now=None) -> dict:
    """Roll up today so far (every few minutes): a page then asks the apps only for the
    minutes since, never for the whole day."""
    return rollups.refresh_live(now=now)


# --- the monthly report --------------------------------------------------------------------


def monthly_report_render(*, month: dt.date, district=None, now=None) -> str:
    """The month's figures, every section, as a printable page (in Chinese, the city's
    language of record)."""
    first = month.replace(day=1)
    last = rollups.next_month(first) - dt.timedelta(days=1)
    query = system_query(start=first, end=last, district=district, now=now)
    with translation.override(settings.LANGUAGE_CODE), providers.headlines_kept():
        sections = [figures.section(name, query) for name in figures.SECTIONS]
        return render_to_string(
            "portal/dashboard/monthly_print.html",
            {
                "month": first,
                "district": district,
                "sections": sections,
                "generated_at": timezone.localtime(now or timezone.now()),
            },
        )


def monthly_reports_generate(*, now=None, month: dt.date | None = None) -> list[MonthlyReport]:
    """Generate (once) the city's and each district's report of the last complete month."""
    now = now or timezone.now()
    if month is None:
        month = (rollups.local_today(now).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    made = []
    for district in [None, *places.districts()]:
        district_id = district.pk if district else None
        if MonthlyReport.objects.filter(month=month, district=district_id).exists():
            continue
        html = monthly_report_render(month=month, district=district, now=now)
        with transaction.atomic():
            report, created = MonthlyReport.objects.get_or_create(
                month=month, district=district_id, defaults={"html": html}
            )
        if created:
            made.append(report)
    return made


# --- station planning ----------------------------------------------------------------------


def _csv_rows(data: bytes, required: tuple[str, ...]) -> list[dict]:
    if len(data) > CSV_MAX_BYTES:
        raise Invalid(_("The file is larger than 5 MB."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_("Save the file as UTF-8 CSV."), field="file") from None
    if "\x00" in text:
        raise Invalid(_("This is not a CSV file."), field="file")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(_("Columns missing: %(cols)s.") % {"cols": ", ".join(missing)}, field="file")
    rows = list(reader)
    if not rows:
        raise Invalid(_("The file has no rows."), field="file")
    if len(rows) > CSV_MAX_ROWS:
        raise Invalid(_("At most %(n)s rows.") % {"n": CSV_MAX_ROWS}, field="file")
    return rows


def _number(row, name, line, errors, *, low, high, integer=False):
    raw = (row.get(name) or "").strip()
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = None
    if value is None or value != value or not low <= value <= high:
        errors.append(
            _("Row %(line)s: %(col)s must be a number from %(low)s to %(high)s.")
            % {"line": line, "col": name, "low": low, "high": high}
        )
        return None
    return value


def _check_planner(user):
    if not permissions.can_plan_stations(user):
        raise NotAllowed


def planning_import(*, user, kind: str, data: bytes) -> int:
    """Replace the delivery hot spots (kind "spots": lat, lng, weekday, hour, weight[, label])
    or the candidate sites ("candidates": name, lat, lng[, kind]) with a CSV file's rows.
    Nothing is saved unless every row is right; errors name the row and the column."""
    _check_planner(user)
    if kind not in ("spots", "candidates"):
        raise Invalid(_("Choose what the file holds."), field="kind")
    required = (
        ("lat", "lng", "weekday", "hour", "weight") if kind == "spots" else ("name", "lat", "lng")
    )
    rows = _csv_rows(data, required)
    errors: list = []
    objects = []
    for line, row in enumerate(rows, 2):
        lat = _number(row, "lat", line, errors, low=-90, high=90)
        lng = _number(row, "lng", line, errors, low=-180, high=180)
        if kind == "spots":
            weekday = _number(row, "weekday", line, errors, low=0, high=6, integer=True)
            hour = _number(row, "hour", line, errors, low=0, high=23, integer=True)
            weight = _number(row, "weight", line, errors, low=1, high=1_000_000, integer=True)
            label = (row.get("label") or "").strip()[:80]
            objects.append(
                ActivitySpot(
                    label=label, lat=lat, lng=lng, weekday=weekday, hour=hour, weight=weight
                )
            )
        else:
            name = (row.get("name") or "").strip()
            if not name or len(name) > 120 or "\x00" in name:
                errors.append(
                    _("Row %(line)s: give a name of at most 120 characters.") % {"line": line}
                )
            objects.append(
                CandidateSite(
                    name=name[:120], kind=(row.get("kind") or "").strip()[:40], lat=lat, lng=lng
                )
            )
        if len(errors) >= 20:
            break
    if errors:
        raise Invalid(errors[0], fields={"file": errors})
    model = ActivitySpot if kind == "spots" else CandidateSite
    with transaction.atomic():
        model.objects.all().delete()
        model.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def planning_request(*, user, sites: int) -> PlanningRun:
    """Ask for a new planning run of `sites` new stations (computed by the task worker)."""
    _check_planner(user)
    if not isinstance(sites, int) or not 1 <= sites <= 50:
        raise Invalid(_("Propose 1 to 50 new sites."), field="sites")
    if not CandidateSite.objects.exists():
        raise Conflict(_("Import the candidate sites first."))
    if PlanningRun.objects.filter(status=PlanningRun.Status.PENDING).exists():
        raise Conflict(_("A planning run is already under way."))
    from yizhan.portal.tasks import planning_run

    run = PlanningRun.objects.create(sites=sites, requested_by=user)
    transaction.on_commit(lambda: planning_run.enqueue(run_id=run.pk))
    return run


def planning_inputs(*, now=None, days: int = 90) -> dict:
    now = now or timezone.now()
    start = now - dt.timedelta(days=days)
    tz = timezone.get_current_timezone()
    points = list(stations.dashboard_visit_hours(start=start, end=now))
    for lat, lng, at in reports.dashboard_filed_moments(start=start, end=now):
        local = at.astimezone(tz)
        points.append((lat, lng, local.weekday(), local.hour, 1))
    points += list(ActivitySpot.objects.values_list("lat", "lng", "weekday", "hour", "weight"))
    supply = stations.dashboard_open_week(week_start=planning.reference_week(now))
    candidates = list(
        CandidateSite.objects.order_by("id").values("id", "name", "kind", "lat", "lng")
    )
    return {"points": points, "supply": supply, "candidates": candidates}


def planning_execute(*, run_id: int, now=None) -> PlanningRun:
    run = PlanningRun.objects.get(pk=run_id)
    if run.status != PlanningRun.Status.PENDING:
        return run
    try:
        result = planning.plan(
            **planning_inputs(now=now), n=run.sites, seconds=settings.DASHBOARD_PLANNING_SECONDS
        )
    except Exception as exc:  # noqa: BLE001 - recorded on the run, shown on the page
        logger.exception("planning run %s failed", run_id)
        PlanningRun.objects.filter(pk=run.pk).update(
            status=PlanningRun.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
    else:
        PlanningRun.objects.filter(pk=run.pk).update(
            status=PlanningRun.Status.DONE, result=result, finished_at=timezone.now()
        )
    run.refresh_from_db()
    return run
