"""Rollups plus today's live delta equal a direct count, whatever happened and whenever the
rollup job last ran (the dashboards' one invariant)."""

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import City
from tests.portal.conftest import World, days_ago
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.portal import services
from yizhan.portal.dashboards import hexes, providers, rollups
from yizhan.portal.dashboards.filters import system_query

STEPS = [
    "file",
    "accept",
    "dispatch",
    "sign_for",
    "return",
    "reply",
    "satisfied",
    "dissatisfied",
    "extend",
    "report",
    "report_accept",
    "report_resolve",
    "report_reject",
    "visit",
    "grant",
    "refresh",
    "live",
]


def direct(start, end, now, key=lambda f: (f.metric, f.district, f.k1, f.k2, f.k3)):
    """Every app's facts for the days start..end, counted straight from the records."""
    totals = {}
    for facts in providers.fact_sources().values():
        for f in facts(
            start=rollups.midnight(start),
            end=min(now, rollups.midnight(end + dt.timedelta(days=1))),
        ):
            totals[key(f)] = totals.get(key(f), 0) + f.value
    return totals


def via_reader(start, end, now, metrics):
    reader = rollups.Reader(now=now, earliest=start)
    sums = reader.sums(sorted(metrics), start=start, end=end, by=("district", "k1", "k2", "k3"))
    return {k: v for k, v in sums.items() if v}


def split(totals, month_only: bool):
    return {k: v for k, v in totals.items() if v and (k[0] in rollups.MONTH_ONLY) == month_only}


def play(world, clock, program):
    cases, reports = [], []
    for day, action, pick in program:
        clock.move_to(days_ago(day, 8 + pick % 10, pick % 60))
        try:
            if action == "file":
                cases.append(world.case_filed())
            elif action == "report":
                reports.append(
                    world.report(lat=36.01 + pick % 7 * 0.01, lng=103.81 + pick % 5 * 0.01)
                )
            elif action.startswith("report_") and reports:
                world.report_step(reports[pick % len(reports)], action.removeprefix("report_"))
            elif action == "visit":
                world.visit(pick % 4)
            elif action == "grant":
                world.grant(pick % 3, 1 + pick % 9)
            elif action == "refresh":
                services.dashboard_refresh()
            elif action == "live":
                services.dashboard_live_refresh()
            elif cases and action not in ("report_accept", "report_resolve", "report_reject"):
                world.case_step(cases[pick % len(cases)], action)
        except (Conflict, Invalid, NotAllowed, PermissionError):
            pass  # a step the state does not allow: refused and nothing changed
        except Exception as exc:  # PermissionDenied from the stations service
            if type(exc).__name__ != "PermissionDenied":
                raise


program = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from(STEPS), st.integers(0, 1000)),
    min_size=5,
    max_size=30,
).map(lambda steps: sorted(steps, key=lambda s: (-s[0], 8 + s[2] % 10, s[2] % 60)))


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=program, range_days=st.integers(1, 60))
def test_rollups_plus_live_delta_equal_a_direct_count(db, clock, program, range_days):
    with transaction.atomic():
        check(World(City()), clock, program, range_days)
        transaction.set_rollback(True)


def check(world, clock, program, range_days):
    play(world, clock, program)
    now = rollups.timezone.now()
    today = rollups.local_today(now)
    start = today - dt.timedelta(days=range_days - 1)
    daily = {"cases.filed", "reports.filed", "stations.visits", "points.issued"} | {
        k[0] for k in direct(start, today, now) if k[0] not in rollups.MONTH_ONLY
    }
    assert via_reader(start, today, now, daily) == split(direct(start, today, now), False)
    # Totals and trends without a key filter read the rows kept by district only.
    reader = rollups.Reader(now=now, earliest=start)
    for by, key in [
        (("district",), lambda f: (f.metric, f.district)),
        (("day",), lambda f: (f.metric, f.day)),
        ((), lambda f: (f.metric,)),
    ]:
        got = reader.sums(sorted(daily), start=start, end=today, by=by)
        assert {k: v for k, v in got.items() if v} == split(direct(start, today, now, key), False)
    # Month-only metrics (points earned per worker) count whole months.
    first = rollups.month_start(start)
    assert via_reader(start, today, now, rollups.MONTH_ONLY) == split(
        direct(first, today, now), True
    )
    # Open reports per hexagon: the nightly snapshot plus today's changes = the open reports.
    query = system_query(start=start, end=today, now=now)
    reader = rollups.Reader(now=now)
    from yizhan.reports.models import OPEN_STATES, Report

    expected = {}
    for lat, lng in Report.objects.filter(state__in=OPEN_STATES).values_list("lat", "lng"):
        c = hexes.cell(lat, lng, hexes.OPEN_RES)
        expected[c] = expected.get(c, 0) + 1
    assert hexes.open_cells(query.scope, reader) == expected
