"""Station planning: gaps by hour of the week, and CP-SAT's placement never worse than greedy."""

import pytest

from yizhan.core.errors import Invalid, NotAllowed
from yizhan.portal import services
from yizhan.portal.dashboards import planning
from yizhan.portal.models import CandidateSite, PlanningRun


def test_cp_sat_beats_greedy_where_greedy_is_fooled():
    """The textbook trap: one big site covers the middle of two clusters; two sites cover both."""
    weights = [10, 10, 10, 10, 1]
    sets = [[1, 2, 4], [0, 1], [2, 3]]  # greedy takes the middle (21) first, then 10 more
    g = planning.greedy(weights, sets, 2)
    c, status, _bound = planning.cp_sat(weights, sets, 2, seconds=5, hint=g)
    assert planning.covered_weight(weights, sets, g) == 31
    assert planning.covered_weight(weights, sets, c) == 40 and status == "OPTIMAL"


@pytest.mark.parametrize("seed", range(5))
def test_cp_sat_is_never_worse_than_greedy(seed):
    import random

    rng = random.Random(seed)
    weights = [rng.randint(0, 50) for _ in range(60)]
    sets = [rng.sample(range(60), rng.randint(1, 12)) for _ in range(25)]
    g = planning.greedy(weights, sets, 4)
    c, _status, _bound = planning.cp_sat(weights, sets, 4, seconds=5, hint=g)
    assert planning.covered_weight(weights, sets, c) >= planning.covered_weight(weights, sets, g)


def test_gaps_follow_the_opening_hours():
    """Activity next to a station open only by day is a gap at night, not at noon."""
    lat, lng = 36.05, 103.82
    points = [(lat, lng, 0, 12, 5), (lat, lng, 0, 2, 7)]
    day_only = [8 <= h % 24 < 20 for h in range(168)]
    cells = planning.activity(points)
    gaps = planning.gaps(cells, [(1, lat + 0.001, lng, day_only)])
    (weights,) = gaps.values()
    assert weights[12] == 0 and weights[2] == 7


CSV_SITES = "name,lat,lng,kind\n兰州银行东岗支行,36.03,103.86,bank\n东岗社区服务中心,36.08,103.88,community\n"
CSV_SPOTS = (
    "lat,lng,weekday,hour,weight,label\n36.08,103.88,4,12,40,东岗商圈\n36.03,103.86,5,20,25,夜市\n"
)


def test_the_planning_run_end_to_end(
    world, clock, login, run_tasks, django_capture_on_commit_callbacks
):
    adam = world.city.adam
    assert services.planning_import(user=adam, kind="candidates", data=CSV_SITES.encode()) == 2
    assert services.planning_import(user=adam, kind="spots", data=CSV_SPOTS.encode()) == 2
    client = login(adam)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/dashboard/planning/run/", {"sites": "1"})
    run_tasks()
    run = PlanningRun.objects.get()
    assert run.status == "done", run.error
    result = run.result
    assert result["cpsat"]["covered"] >= result["greedy"]["covered"] > 0
    assert result["covered_after"] > result["covered_before"]
    page = client.get("/dashboard/planning/").content.decode()
    assert "东岗社区服务中心" in page
    api = client.get("/api/v1/dashboard/planning/latest").json()
    assert api["result"]["cpsat"]["sites"] == result["cpsat"]["sites"]


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("candidates", "name,lat\nx,1\n", "lng"),
        ("candidates", "name,lat,lng\n,36.0,103.8\n", "Row 2"),
        ("spots", "lat,lng,weekday,hour,weight\n36,103.8,9,12,1\n", "weekday"),
        ("spots", "lat,lng,weekday,hour,weight\n36,nan,1,12,1\n", "lng"),
        ("spots", "lat,lng,weekday,hour,weight\n", "no rows"),
        ("other", "name,lat,lng\nx,1,2\n", "Choose"),
    ],
)
def test_bad_planning_files_are_refused_and_nothing_changes(world, kind, data, message):
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(Invalid) as refused:
            services.planning_import(user=world.city.adam, kind=kind, data=data.encode())
        assert message in " ".join(m for _f, m in refused.value.field_errors())
    assert not CandidateSite.objects.exists()


def test_only_the_city_administrator_plans(world, login):
    with pytest.raises(NotAllowed):
        services.planning_request(user=world.city.dora, sites=3)
    assert login(world.dina).get("/dashboard/planning/").status_code == 403
    with pytest.raises(Invalid):
        services.planning_request(user=world.city.adam, sites=0)
