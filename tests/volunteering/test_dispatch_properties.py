"""Properties of the planner on random days (hypothesis): whatever the requests and
windows, no volunteer is in two trips at once, windows, seats, wheelchairs and credentials
hold, and every request is served at most once. The greedy baseline keeps the same rules
except lateness, which it reports."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.volunteering import dispatch

LAT, LNG = (36.03, 36.09), (103.75, 103.90)

points = st.tuples(st.floats(*LAT), st.floats(*LNG))


@st.composite
def jobs(draw, n):
    out = []
    for i in range(n):
        earliest = draw(st.integers(360, 1080))
        needs = draw(st.sampled_from([dispatch.DRIVE, dispatch.DRIVE, dispatch.MEAL]))
        out.append(
            dispatch.Job(
                key=f"r{i}",
                pickup=draw(points),
                dropoff=draw(points),
                earliest=earliest,
                latest=earliest + draw(st.integers(20, 150)),
                needs=needs,
                passengers=0 if needs == dispatch.MEAL else draw(st.integers(1, 5)),
                wheelchair=needs == dispatch.DRIVE and draw(st.booleans()),
            )
        )
    return out


@st.composite
def shifts(draw, n):
    out = []
    for i in range(n):
        drives = draw(st.booleans())
        opens = draw(st.integers(300, 900))
        for k in range(draw(st.integers(1, 2))):
            start = opens + k * 480
            out.append(
                dispatch.Shift(
                    volunteer=f"v{i}",
                    start=draw(points),
                    opens=start,
                    closes=start + draw(st.integers(60, 420)),
                    can=frozenset({dispatch.DRIVE, dispatch.MEAL} if drives else {dispatch.MEAL}),
                    seats=draw(st.integers(2, 6)) if drives else 0,
                    wheelchair=drives and draw(st.booleans()),
                )
            )
    return out


@settings(
    max_examples=12, deadline=dt.timedelta(seconds=20), suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_no_volunteer_is_in_two_trips_at_once_and_every_rule_holds(data):
    day_jobs = data.draw(jobs(data.draw(st.integers(1, 14))))
    day_shifts = data.draw(shifts(data.draw(st.integers(1, 5))))
    plan = dispatch.solve(day_jobs, day_shifts, time_limit_s=0.3)
    assert dispatch.violations(plan, day_jobs, day_shifts) == []
    assert plan.late == []
    served = [leg.job for leg in plan.legs]
    assert len(served) == len(set(served))
    assert set(served) | set(plan.unserved) == {j.key for j in day_jobs}
    # A job nobody could serve alone is never served; one that fits alone with no
    # competition is always served.
    for job in day_jobs:
        if not any(dispatch.fits_alone(job, s, dispatch.DEFAULT) for s in day_shifts):
            assert job.key in plan.unserved
    if len(day_jobs) == 1 and any(
        dispatch.fits_alone(day_jobs[0], s, dispatch.DEFAULT) for s in day_shifts
    ):
        assert plan.served == 1

    baseline = dispatch.greedy(day_jobs, day_shifts)
    assert dispatch.violations(baseline, day_jobs, day_shifts) == []


def test_an_accepted_trip_keeps_its_volunteer_and_time():
    a = dispatch.Shift("v1", (36.05, 103.80), 420, 720)
    b = dispatch.Shift("v2", (36.05, 103.80), 420, 720)
    locked = dispatch.Job(
        "r1", (36.05, 103.81), (36.06, 103.82), 480, 600, pinned="v2", locked_at=500
    )
    other = dispatch.Job("r2", (36.05, 103.81), (36.06, 103.82), 480, 600)
    plan = dispatch.solve([locked, other], [a, b], time_limit_s=0.5)
    leg = next(leg for leg in plan.legs if leg.job == "r1")
    assert (leg.volunteer, leg.pickup_at) == ("v2", 500)


def test_a_standing_rides_usual_driver_gets_it_when_all_else_is_equal():
    near = dispatch.Shift("v1", (36.050, 103.800), 420, 720)
    usual = dispatch.Shift("v2", (36.052, 103.802), 420, 720)
    job = dispatch.Job("r1", (36.051, 103.801), (36.07, 103.83), 450, 560, preferred="v2")
    plan = dispatch.solve([job], [near, usual], time_limit_s=0.5)
    assert plan.legs[0].volunteer == "v2"
