"""The monthly commission index: median and 90th percentile per platform and service,
published only when at least k distinct workers contributed (k = 20 unless the city sets
another). A property test over random months: no figure of fewer than k workers exists,
anywhere — not in the table (a CHECK constraint), the API or the public page."""

import datetime as dt
import math

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_user
from tests.transparency.conftest import at
from yizhan.accounts.models import WorkerProfile
from yizhan.transparency import selectors, services
from yizhan.transparency.models import CommissionIndex, Config, Order

MONTH = dt.date(2026, 10, 1)


def workers(world, n, *, start=0):
    """n ride-hailing workers (made once per test, reused by every example)."""
    made = []
    for i in range(start, start + n):
        user = make_user(f"137{i:08d}", f"司机{i}")
        WorkerProfile.objects.create(
            user=user,
            kind="ride_hailing_driver",
            platform=world.ride,
            home_district=world.city.district,
            consent_version="2026-11",
            consent_at=at(2026, 1, 1),
        )
        made.append(user)
    return made


def add_orders(world, plan, people):
    """plan: [(worker index, platform, service, rate_bp)] → orders in MONTH."""
    Order.objects.bulk_create(
        Order(
            worker=people[w],
            platform=platform,
            service_type=service,
            order_no=f"P{i}",
            completed_on=MONTH + dt.timedelta(days=i % 28),
            fare_fen=10_000,
            payout_fen=10_000 - rate,
            rate_bp=rate,
            source="manual",
            created_at=at(2026, 11, 1),
        )
        for i, (w, platform, service, rate) in enumerate(plan)
    )


def nearest_rank(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


@pytest.fixture
def people(world):
    return workers(world, 30)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    k=st.integers(min_value=2, max_value=12),
    plan=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=29),  # worker
            st.sampled_from(["ride-express", "ride-premium", "freight-city"]),
            st.integers(min_value=0, max_value=10_000),  # rate in bp
        ),
        min_size=1,
        max_size=120,
    ),
)
def test_no_figure_is_ever_shown_for_fewer_than_k_workers(world, people, client, k, plan):
    Order.objects.all().delete()
    CommissionIndex.objects.all().delete()
    Config.objects.update_or_create(pk=1, defaults={"k_anonymity": k})
    groups = {
        "ride-express": (world.ride, world.express),
        "ride-premium": (world.ride, world.premium),
        "freight-city": (world.freight, world.city_freight),
    }
    add_orders(world, [(w, *groups[g], rate) for w, g, rate in plan], people)

    rows = services.index_compute(month=MONTH, now=at(2026, 11, 24))

    for name, (platform, service) in groups.items():
        mine = [(w, rate) for w, g, rate in plan if g == name]
        row = next(
            (r for r in rows if (r.platform_id, r.service_type_id) == (platform.pk, service.pk)),
            None,
        )
        if not mine:
            assert row is None
            continue
        distinct = len({w for w, _ in mine})
        assert row.workers == distinct and row.orders == len(mine)
        assert row.published == (distinct >= k)
        if row.published:
            rates = [rate for _, rate in mine]
            assert row.median_bp == nearest_rank(rates, 0.5)
            assert row.p90_bp == nearest_rank(rates, 0.9)
        else:
            assert row.median_bp is None and row.p90_bp is None
    # What the public sees: the API gives no figure (not even counts) below k.
    for platform in (world.ride, world.freight):
        body = client.get(f"/api/v1/transparency/platforms/{platform.code}").json()
        for entry in body["index"]:
            if not entry["published"]:
                assert entry["median_bp"] is None and entry["p90_bp"] is None
                assert entry["workers"] is None and entry["orders"] is None
            else:
                assert entry["workers"] >= k


def test_the_database_refuses_a_figure_below_k(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionIndex.objects.create(
            platform=world.ride,
            service_type=world.express,
            month=MONTH,
            orders=50,
            workers=19,
            k=20,
            published=True,
            median_bp=2300,
            p90_bp=2600,
            computed_at=at(2026, 11, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionIndex.objects.create(
            platform=world.ride,
            service_type=world.express,
            month=MONTH,
            orders=50,
            workers=19,
            k=20,
            published=False,
            median_bp=2300,
            computed_at=at(2026, 11, 1),
        )


def test_with_the_default_k_one_platform_publishes_and_another_does_not(world, client):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    people = workers(world, 25)
    plan = [(i, world.ride, world.express, 2000 + 20 * i) for i in range(25)]
    plan += [(i, world.freight, world.city_freight, 3000) for i in range(19)]
    add_orders(world, plan, people)
    rows = {r.platform_id: r for r in services.index_compute(month=MONTH)}
    assert rows[world.ride.pk].published and rows[world.ride.pk].cap_bp == 2500
    assert rows[world.ride.pk].median_bp == 2240  # the 13th of 25
    assert not rows[world.freight.pk].published
    page = client.get("/transparency/p/huanghe/").content.decode()
    assert "22.4%" in page and "index-chart-data" in page
    freight = client.get("/transparency/p/silu/").content.decode()
    assert "不足 20 名劳动者" in freight and "30.0%" not in freight


def test_the_city_sets_k_between_2_and_1000(world):
    from yizhan.core.errors import Invalid, NotAllowed

    with pytest.raises(Invalid):
        services.config_update(actor=world.city.adam, k_anonymity=1, stale_after_days=90)
    with pytest.raises(NotAllowed):
        services.config_update(actor=world.city.dora, k_anonymity=5, stale_after_days=90)
    services.config_update(actor=world.city.adam, k_anonymity=5, stale_after_days=60)
    assert (selectors.config().k_anonymity, selectors.config().stale_after_days) == (5, 60)


def test_the_periodic_refresh_computes_this_month_and_the_last(world):
    people = workers(world, 2)
    add_orders(world, [(0, world.ride, world.express, 2000)], people)
    services.order_record(
        worker=people[1],
        platform=world.ride,
        service_type=world.express,
        completed_on=dt.date(2026, 11, 20),
        fare_fen=100,
        payout_fen=80,
    )
    assert services.index_refresh(now=at(2026, 11, 24)) == 2
    assert set(CommissionIndex.objects.values_list("month", flat=True)) == {
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 1),
    }
