from tests.portal.conftest import days_ago
from yizhan.portal import services
from yizhan.portal.dashboards import figures
from yizhan.portal.dashboards.filters import parse


def test_every_section_builds(world, clock):
    clock.move_to(days_ago(3))
    case = world.case_filed()
    for step in ("accept", "dispatch", "sign_for", "reply", "satisfied"):
        world.case_step(case, step)
    r = world.report()
    world.report_step(r, "accept")
    world.visit(0)
    world.grant(0)
    clock.move_to(days_ago(0, 9))
    services.dashboard_refresh()
    world.report()
    world.visit(1)
    q = parse(world.city.adam, {})
    for name in figures.SECTIONS:
        data = figures.section(name, q)
        assert data["charts"], name
    g = figures.section("grievances", q)
    ind = {i["key"]: i for i in g["indicators"]}
    assert ind["filed"]["value"] == 1 and ind["satisfaction_rate"]["value"] == 100.0
