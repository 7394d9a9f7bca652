"""Above the cap: one tap files a prefilled commission case with the figures and evidence,
routed by the city's rule (ride-hailing and freight → transport; delivery → market
regulation); the platform is told and may answer with a statement in the case history,
never deciding it, never learning a withheld identity."""

import datetime as dt

import pytest

from tests.transparency.conftest import at, csv_bytes, ride_rows
from yizhan.cases import selectors as cases_selectors
from yizhan.cases import services as cases
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.models import Notification
from yizhan.transparency import links, services
from yizhan.transparency.models import Dispute

WEEK = dt.date(2026, 11, 16)


def above_cap_week(world):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    services.statement_import(
        worker=world.driver,
        platform=world.ride,
        filename="收入明细.csv",
        data=csv_bytes(ride_rows(12)),
    )


def file(world, **kw):
    values = {
        "worker": world.driver,
        "platform": world.ride,
        "service_type": world.express,
        "week_start": WEEK,
    }
    values.update(kw)
    return services.dispute_file(**values)


def test_one_tap_files_a_prefilled_commission_case_routed_to_transport(world):
    above_cap_week(world)
    dispute, created = file(world)
    assert created and dispute.department == world.transport
    case = cases_selectors.case_for_viewer(user=world.driver, case_id=dispute.case_id)
    assert case.category.code == "commission" and case.platform == world.ride
    assert case.withhold_identity
    assert "32.0%" in case.description and "25.0%" in case.description
    assert "¥600.00" in case.description  # 12 × 50.00
    assert "交通运输局" in case.description
    assert [a.name for a in case.attachments.all()] == ["收入明细.csv"]
    assert (dispute.rate_bp, dispute.cap_bp, dispute.orders) == (3200, 2500, 12)
    # The platform's representative is told; nobody learns the worker's name from it.
    note = Notification.objects.filter(recipient=world.rita).latest("id")
    assert f"#{case.pk}" in note.render() and "李" not in note.render()


def test_a_second_tap_returns_the_first_case(world):
    above_cap_week(world)
    first, _ = file(world)
    again, created = file(world)
    assert again == first and not created
    assert Dispute.objects.count() == 1


def test_a_week_within_the_cap_cannot_be_disputed(world):
    world.ride_caps(express=3500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    services.statement_import(
        worker=world.driver, platform=world.ride, filename="s.csv", data=csv_bytes(ride_rows(5))
    )
    with pytest.raises(Conflict):
        file(world)
    with pytest.raises(NotFound):
        file(world, week_start=dt.date(2026, 11, 9))
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("platform", "service", "department"),
    [
        ("ride", "express", "transport"),
        ("freight", "city_freight", "transport"),
        ("delivery", "food", "market"),
    ],
)
def test_routing_by_service_type(world, platform, service, department):
    platform, service = getattr(world, platform), getattr(world, service)
    world.publish(platform, {service.code: 2000}, effective_from=dt.date(2026, 6, 1))
    worker = world.city.alice
    services.order_record(
        worker=worker,
        platform=platform,
        service_type=service,
        completed_on=dt.date(2026, 11, 18),
        fare_fen=1000,
        payout_fen=700,
    )
    dispute, _ = file(world, worker=worker, platform=platform, service_type=service)
    assert dispute.department == getattr(world, department)
    case = services.dispute_route(dispute=dispute, actor=world.city.dora)
    assert case.state == "dispatched" and case.department == getattr(world, department)


def test_a_rule_for_one_service_wins_and_the_city_can_change_the_rules(world):
    services.routing_rule_set(
        actor=world.city.adam,
        platform_kind="ride_hailing",
        service_type=world.premium,
        department=world.market,
    )
    from yizhan.transparency.selectors import route_for

    assert route_for(platform_kind="ride_hailing", service_type=world.premium) == world.market
    assert route_for(platform_kind="ride_hailing", service_type=world.express) == world.transport
    with pytest.raises(NotAllowed):
        services.routing_rule_set(
            actor=world.city.dora, platform_kind="delivery", department=world.transport
        )
    with pytest.raises(Invalid):
        services.routing_rule_set(
            actor=world.city.adam,
            platform_kind="delivery",
            service_type=world.express,
            department=world.transport,
        )


def test_only_the_dispatcher_routes_and_only_once(world):
    above_cap_week(world)
    dispute, _ = file(world)
    for who in (world.city.adam, world.rita, world.driver, world.tom):
        with pytest.raises(NotAllowed):
            services.dispute_route(dispute=dispute, actor=who)
    case = services.dispute_route(dispute=dispute, actor=world.city.dora)
    history = [e.action for e in cases_selectors.case_history(case)]
    assert history == ["submit", "accept", "dispatch"]
    assert "交通运输局" in cases_selectors.case_history(case).last().note
    with pytest.raises(Conflict):
        services.dispute_route(dispute=dispute, actor=world.city.dora)


# --- the platform's statement (cases.services.case_platform_statement) ---------------------------


def test_the_platform_states_its_view_in_the_case_history(world):
    above_cap_week(world)
    dispute, _ = file(world)
    case = links.case_for_viewer(user=world.rita, case_id=dispute.case_id)
    event = cases.case_platform_statement(
        case=case, actor=world.rita, text="经核查，该周含高速费代收，实际抽成未超过25%。"
    )
    assert event.action == "platform_statement" and event.actor == world.rita
    case.refresh_from_db()
    assert case.state == "submitted"  # the platform decides nothing
    assert "黄河出行: 经核查" in event.note
    worker_note = Notification.objects.filter(recipient=world.driver).latest("id")
    assert f"#{case.pk}" in worker_note.render() and "黄河出行" in worker_note.render()


def test_the_statement_is_seen_by_the_worker_and_staff(world, login):
    above_cap_week(world)
    dispute, _ = file(world)
    services.case_statement(case_id=dispute.case_id, actor=world.rita, text="平台已复核订单明细。")
    for viewer in (world.driver, world.city.dora):
        page = login(viewer).get(f"/cases/{dispute.case_id}/").content.decode()
        assert "平台已复核订单明细。" in page


def test_a_withheld_identity_stays_withheld_from_the_platform(world, login):
    above_cap_week(world)
    dispute, _ = file(world, withhold_identity=True)
    client = login(world.rita)
    client.post(f"/transparency/console/cases/{dispute.case_id}/", {"text": "已收到，正在核查。"})
    for url in (f"/transparency/console/cases/{dispute.case_id}/", f"/cases/{dispute.case_id}/"):
        page = client.get(url).content.decode()
        assert "已收到，正在核查。" in page
        assert "李大山" not in page and "13800000002" not in page and "李**" not in page


@pytest.mark.parametrize("who", ["pat", "sam", "driver", "dora", "tom"])
def test_only_a_representative_of_the_named_platform_makes_a_statement(world, who):
    above_cap_week(world)
    dispute, _ = file(world)
    actor = getattr(world, who, None) or getattr(world.city, who)
    case = cases_selectors.case_for_viewer(user=world.city.dora, case_id=dispute.case_id)
    with pytest.raises(NotAllowed):
        cases.case_platform_statement(case=case, actor=actor, text="我们说明一下")
    assert not case.events.filter(action="platform_statement").exists()


def test_an_empty_statement_or_one_on_a_closed_case_is_refused(world):
    above_cap_week(world)
    dispute, _ = file(world)
    case = cases_selectors.case_for_viewer(user=world.city.dora, case_id=dispute.case_id)
    for text in ("", "   ", "a\x00b", "字" * 2001):
        with pytest.raises(Invalid):
            cases.case_platform_statement(case=case, actor=world.rita, text=text)
    from yizhan.cases.models import Case

    Case.objects.filter(pk=case.pk).update(state="closed")
    with pytest.raises(Conflict):
        cases.case_platform_statement(case=case, actor=world.rita, text="迟到的说明")
    assert not case.events.filter(action="platform_statement").exists()


def test_the_platform_is_told_of_each_new_case_naming_it_once(world):
    """The cases app tells the platform's representatives of every case naming it, the
    commission cases filed from 查一查 included, once each and without the worker's name."""
    above_cap_week(world)
    dispute, _ = file(world)
    other, _ = cases.case_submit(
        worker=world.driver,
        category=links.commission_category(),
        description="平台派单不公",
        platform=world.ride,
    )
    texts = [n.render() for n in Notification.objects.filter(recipient=world.rita)]
    assert sum(f"#{dispute.case_id}" in t for t in texts) == 1
    assert sum(f"#{other.pk}" in t for t in texts) == 1
    assert not any(world.driver.name in t for t in texts)
