"""The city dashboards' transparency figures: platforms publishing their commission rules
(city-wide), rules gone unconfirmed, filings waiting, and commission disputes filed and
answered on time — those by the worker's home district and the period."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.transparency.test_disputes import above_cap_week, file
from yizhan.cases import services as cases
from yizhan.cases.models import Case
from yizhan.core.dashboards import Scope
from yizhan.transparency import selectors


def scope(district_ids=None, days=30):
    today = timezone.localdate()
    return Scope(
        start=today - dt.timedelta(days=days),
        end=today,
        now=timezone.now(),
        district_ids=district_ids,
    )


def figures(s):
    return {h.key: h.value for h in selectors.dashboard_headlines(scope=s)}


@pytest.fixture
def disputed(world):
    """黄河出行 publishes (in May); 丝路货运 files and waits; a driver disputes a week and the
    transport bureau replies."""
    above_cap_week(world)
    world.file(world.freight, {"freight_city": 2000})
    dispute, _created = file(world)
    case = Case.objects.get(pk=dispute.case_id)
    cases.case_accept(case=case, actor=world.city.dora)
    case.refresh_from_db()
    cases.case_dispatch(case=case, actor=world.city.dora, department=world.transport)
    case.refresh_from_db()
    cases.case_sign_for(case=case, actor=world.tom)
    case.refresh_from_db()
    cases.case_reply(case=case, actor=world.tom, text="已约谈平台，差额退还")
    return dispute


def test_figures_on_a_small_city(world, disputed, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        got = figures(scope())
    assert got["transparency.publishing"] == 1  # of three platforms
    assert got["transparency.publishing_share"] == pytest.approx(33.3)
    assert got["transparency.stale"] == 1  # published in May, never confirmed since
    assert got["transparency.waiting"] == 1
    assert got["transparency.disputes"] == 1
    assert got["transparency.disputes_on_time"] == 1


def test_disputes_follow_the_scope_and_the_rules_are_the_citys(world, disputed):
    mine = figures(scope({world.city.district.pk}))
    assert mine["transparency.disputes"] == 1
    elsewhere = figures(scope({world.city.district.pk + 1000}))
    assert elsewhere["transparency.disputes"] == 0
    assert elsewhere["transparency.disputes_on_time"] == 0
    assert elsewhere["transparency.publishing"] == 1  # platforms are city-wide
    heads = selectors.dashboard_headlines(scope=scope({world.city.district.pk}))
    assert {h.key for h in heads if h.extra.get("city_wide")} == {
        "transparency.publishing",
        "transparency.publishing_share",
        "transparency.stale",
        "transparency.waiting",
    }


def test_the_period_decides(world, disputed, clock):
    clock.move_to(timezone.now() + dt.timedelta(days=40))
    assert figures(scope(days=10))["transparency.disputes"] == 0
    assert figures(scope(days=60))["transparency.disputes"] == 1
