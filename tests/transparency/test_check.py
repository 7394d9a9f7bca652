"""查一查 by hand: an order's effective commission against the cap in force that day, in
integer fen and basis points; every bad input refused with a clear message, nothing stored."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.transparency.conftest import at
from yizhan.core.errors import Invalid, NotAllowed
from yizhan.transparency import services
from yizhan.transparency.models import Order
from yizhan.transparency.money import AmountError, above_cap, percent, rate_bp, yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.5", 1250), ("¥1,234.56", 123456), ("0.01", 1), ("3", 300), (12.5, 1250), (0.1 + 0.2, 30)],
)
def test_yuan_become_fen_without_floats(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["-1", "1.234", "abc", "", "NaN", "inf", "1e30"])
def test_amounts_that_are_not_yuan_are_refused(text):
    with pytest.raises(AmountError):
        yuan_to_fen(text)


@given(
    fare=st.integers(min_value=1, max_value=10**11),
    share=st.integers(min_value=0, max_value=10_000),
    cap=st.integers(min_value=0, max_value=10_000),
)
def test_above_the_cap_is_decided_exactly(fare, share, cap):
    from fractions import Fraction

    payout = fare - fare * share // 10_000
    commission = fare - payout
    assert above_cap(fare_fen=fare, commission_fen=commission, cap_bp=cap) == (
        Fraction(commission, fare) > Fraction(cap, 10_000)
    )
    assert rate_bp(fare_fen=fare, payout_fen=payout) == commission * 10_000 // fare


def test_a_quarter_of_33_33_is_not_above_a_25_percent_cap():
    # 33.33 × 25 % = 8.3325: a payout of 25.00 leaves 8.33, which is below the cap.
    assert not above_cap(fare_fen=3333, commission_fen=833, cap_bp=2500)
    assert above_cap(fare_fen=3333, commission_fen=834, cap_bp=2500)
    assert (percent(3199), percent(3200), percent(2495), yuan(123456)) == (
        "32.0%",
        "32.0%",
        "25.0%",
        "¥1,234.56",
    )


def record(world, **kw):
    values = {
        "worker": world.driver,
        "platform": world.ride,
        "service_type": world.express,
        "completed_on": dt.date(2026, 11, 20),
        "fare_fen": 5000,
        "payout_fen": 3400,
    }
    values.update(kw)
    return services.order_record(**values)


def test_an_order_above_the_cap_says_so(world):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    order = record(world)
    assert (order.rate_bp, order.cap_bp, order.is_above) == (3200, 2500, True)
    within = record(world, payout_fen=3800, order_no="A2")
    assert (within.rate_bp, within.is_above) == (2400, False)


def test_an_order_before_any_disclosure_has_no_cap(world):
    order = record(world)
    assert order.cap_bp is None and not order.is_above


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fare_fen": -100}, "fare", "The fare cannot be negative."),
        ({"fare_fen": 0}, "fare", "The fare must be above zero."),
        ({"payout_fen": -1}, "payout", "The payout cannot be negative."),
        ({"payout_fen": 5001}, "payout", "The payout cannot be above the fare."),
        (
            {"completed_on": dt.date(2026, 11, 25)},
            "completed_on",
            "The date cannot be in the future.",
        ),
        ({"service_type": "food"}, "service_type", "Unknown service type for 黄河出行."),
        ({"order_no": "x" * 65}, "order_no", "The order number is at most 64 characters."),
        (
            {"driving_minutes": 2000},
            "driving_minutes",
            "The driving time must be 0 to 1440 minutes.",
        ),
    ],
)
def test_bad_orders_are_refused_with_a_clear_message_and_nothing_stored(
    world, change, field, message
):
    if change.get("service_type") == "food":
        change = {"service_type": world.food}
    from django.utils import translation

    with translation.override("en"), pytest.raises(Invalid) as refused:
        record(world, **change)
    with translation.override("en"):
        assert [str(m) for m in refused.value.fields[field]] == [message]
    assert not Order.objects.exists()


def test_the_same_order_number_is_checked_once(world):
    record(world, order_no="HH1")
    with pytest.raises(Invalid) as refused:
        record(world, order_no="HH1")
    assert "order_no" in refused.value.fields
    assert Order.objects.count() == 1


def test_only_workers_check_orders(world):
    with pytest.raises(NotAllowed):
        record(world, worker=world.rita)


def test_the_check_page_records_an_order_in_yuan_and_shows_the_verdict(world, login):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    client = login(world.driver)
    response = client.post(
        "/transparency/check/",
        {
            "platform": world.ride.pk,
            "service_type": world.express.pk,
            "completed_on": "2026-11-20",
            "fare": "50.00",
            "payout": "34",
            "order_no": "HH9",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "32.0%" in page and "25.0%" in page
    order = Order.objects.get()
    assert (order.fare_fen, order.payout_fen, order.rate_bp) == (5000, 3400, 3200)


def test_the_check_page_shows_the_services_message_beside_the_field(world, login):
    client = login(world.driver)
    page = client.post(
        "/transparency/check/",
        {
            "platform": world.ride.pk,
            "service_type": world.express.pk,
            "completed_on": "2026-11-20",
            "fare": "-50",
            "payout": "34",
        },
    ).content.decode()
    assert 'id="id_fare-error"' in page and "车费不能为负数" in page
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"online_minutes": 1441}, "online_minutes"),
        ({"online_minutes": -5}, "online_minutes"),
        ({"online_minutes": None, "driving_minutes": None}, "online_minutes"),
        ({"day": dt.date(2026, 11, 25)}, "day"),
    ],
)
def test_bad_working_time_is_refused_and_nothing_stored(world, values, field):
    from yizhan.transparency.models import WorkDay

    kw = {"worker": world.driver, "platform": world.ride, "day": dt.date(2026, 11, 20)}
    kw.update({"online_minutes": 600, **values})
    with pytest.raises(Invalid) as refused:
        services.workday_record(**kw)
    assert field in refused.value.fields
    assert not WorkDay.objects.exists()


def test_working_time_by_week_against_the_disclosed_limits(world, login):
    world.ride_caps(
        effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20)
    )  # 10 h a day, 60 a week
    for offset, hours in enumerate([11, 9, 12, 10, 10, 9, 2]):
        services.workday_record(
            worker=world.driver,
            platform=world.ride,
            day=dt.date(2026, 11, 16) + dt.timedelta(days=offset),
            online_minutes=hours * 60,
        )
    page = login(world.driver).get("/transparency/hours/").content.decode()
    assert "63.0 小时" in page and "60.0 小时" in page  # over the weekly limit
    assert "2 天超时" in page and "超过上限" in page
