"""Points fixtures on top of the test city: a funded pool, the city's rules, a helmet."""

import pytest

from yizhan.points import services
from yizhan.points.models import EarningRule


@pytest.fixture
def bank(city):
    """The city's reward pool holds 100,000 points, and the usual rules are set."""
    services.pool_issue(points=100_000, reason="2026 budget", by=city.adam)
    rules = {
        "wire": EarningRule.objects.create(
            code="exposed-wire",
            name="裸露电线",
            source=EarningRule.Source.REPORT_VERIFIED,
            category="exposed_wire",
            points=20,
            daily_cap=60,
        ),
        "report": EarningRule.objects.create(
            code="hazard-report", name="随手拍", source=EarningRule.Source.REPORT_VERIFIED, points=5
        ),
        "hardship": EarningRule.objects.create(
            code="hardship", name="困难补助", source=EarningRule.Source.HARDSHIP, points=60
        ),
        "welfare": EarningRule.objects.create(
            code="welfare", name="公益活动", source=EarningRule.Source.WELFARE, points=50
        ),
    }
    for rank, points in ((1, 50), (2, 30), (3, 20)):
        rules[f"honours{rank}"] = EarningRule.objects.create(
            code=f"honours-{rank}",
            name=f"骑网先锋第{rank}名",
            source=EarningRule.Source.HONOURS,
            rank=rank,
            points=points,
        )
    city.rules = rules
    return city


@pytest.fixture
def helmet(bank):
    return services.catalog_item_create(
        by=bank.adam, name="头盔", price=30, stock=2, stations=[bank.station]
    )


def give(city, points, source_id="1"):
    """Award `points` to alice through the grant path (simplest way to fund a test)."""
    return services.grant(
        worker=city.alice, points=points, reason=f"test {source_id}", by=city.adam
    )
