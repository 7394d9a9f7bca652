from tests.portal.conftest import days_ago
from yizhan.portal import services


def test_pages_render(world, clock, login):
    clock.move_to(days_ago(3))
    world.case_filed()
    world.report()
    world.visit(0)
    world.grant(0)
    clock.move_to(days_ago(0, 9))
    services.dashboard_refresh()
    client = login(world.city.adam)
    for path in [
        "/dashboard/",
        "/dashboard/grievances/",
        "/dashboard/reports/",
        "/dashboard/stations/",
        "/dashboard/points/",
        "/dashboard/coverage/",
        "/dashboard/monthly/",
        "/dashboard/planning/",
    ]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.content[:3000])
    r = client.get("/api/v1/dashboard/grievances")
    assert r.status_code == 200, r.content
    r = client.get("/api/v1/dashboard/reports/charts/open_heatmap")
    assert r.status_code == 200, r.content
