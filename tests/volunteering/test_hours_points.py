"""Only confirmed trips count: the volunteer taps done, the beneficiary replies with the code
from the text (or the coordinator records the call), the trip's service hours are recorded
once, `volunteer.hours_logged` is published once, and the points bank pays once —
end to end through the real task worker."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from yizhan.core import sms
from yizhan.core.errors import Conflict, Invalid
from yizhan.points import selectors as points
from yizhan.points import services as bank
from yizhan.points.models import EarningRule
from yizhan.volunteering import selectors, services
from yizhan.volunteering.models import HoursRecord, Request, Trip


@pytest.fixture
def hour_rule(city):
    bank.pool_issue(points=10_000, reason="志愿服务预算", by=city.adam)
    return EarningRule.objects.create(
        code="volunteer-hour", name="志愿服务（每小时）", source="volunteer_hour", points=10
    )


def drive(vera, driver, ride, clock, callbacks):
    """Plan, publish, accept, pick up at the planned time, drop off: the text's code."""
    plan = services.plan_solve(by=vera, day=timezone.localdate(ride.earliest), time_limit_s=1)
    services.plan_publish(by=vera, plan=plan)
    trip = ride.trips.get(status=Trip.Status.OFFERED)
    services.trip_accept(user=driver.user, trip_id=trip.pk)
    clock.move_to(trip.pickup_at)
    services.trip_pick_up(user=driver.user, trip_id=trip.pk)
    clock.move_to(trip.dropoff_at + dt.timedelta(minutes=5))
    with callbacks(execute=True):
        services.trip_drop_off(user=driver.user, trip_id=trip.pk)
    text = sms.outbox(mobile="13700000001")[0].text  # to grandma's own phone
    return trip, re.search(r"\b(\d{6})\b", text).group(1)


def test_a_confirmed_trip_pays_points_once(
    vera, driver, ride, hour_rule, run_tasks, clock, django_capture_on_commit_callbacks
):
    trip, code = drive(vera, driver, ride, clock, django_capture_on_commit_callbacks)
    assert points.worker_balance(driver.user)["balance"] == 0  # dropped off is not confirmed
    with pytest.raises(Invalid):
        services.trip_confirm_by_code(
            mobile="13700000001", code="000000" if code != "000000" else "111111"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.trip_confirm_by_code(mobile="13700000001", code=code)
    run_tasks()

    trip.refresh_from_db()
    record = HoursRecord.objects.get(trip=trip)
    assert trip.status == Trip.Status.CONFIRMED and trip.confirmed_via == "sms"
    assert record.minutes <= trip.planned_minutes + services.HOURS_MARGIN_MIN
    assert record.credited_hours == 1
    assert points.worker_balance(driver.user)["balance"] == 10
    assert selectors.my_hours(driver.user)["total"] == record.hours
    assert Request.objects.get(pk=ride.pk).status == Request.Status.DONE

    # A second confirmation, by code or by phone, and a replay of every event pay nothing.
    with pytest.raises(Invalid):
        services.trip_confirm_by_code(mobile="13700000001", code=code)
    with pytest.raises(Conflict):
        services.trip_confirm_by_phone(by=vera, trip_id=trip.pk)
    call_command("events_replay", verbosity=0)
    run_tasks()
    assert points.worker_balance(driver.user)["balance"] == 10
    assert HoursRecord.objects.count() == 1


def test_the_coordinator_records_the_phone_call_instead(
    vera, driver, ride, hour_rule, run_tasks, clock, django_capture_on_commit_callbacks
):
    trip, _code = drive(vera, driver, ride, clock, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.trip_confirm_by_phone(by=vera, trip_id=trip.pk, note="家属确认已送达")
    run_tasks()
    assert points.worker_balance(driver.user)["balance"] == 10
    assert Trip.objects.get(pk=trip.pk).confirmed_via == "phone"


def test_only_the_trips_volunteer_may_step_it_and_not_out_of_order(
    city, vera, driver, ride, clock, django_capture_on_commit_callbacks
):
    plan = services.plan_solve(by=vera, day=timezone.localdate(ride.earliest), time_limit_s=1)
    services.plan_publish(by=vera, plan=plan)
    trip = ride.trips.get()
    from yizhan.core.errors import NotFound

    with pytest.raises(NotFound):
        services.trip_accept(user=city.grace, trip_id=trip.pk)
    with pytest.raises(Conflict):
        services.trip_drop_off(user=driver.user, trip_id=trip.pk)


def test_service_hours_are_capped_at_the_plan_plus_a_margin(vera, driver, ride, clock):
    trip = Trip(
        request=ride,
        volunteer=driver,
        start_lat=0,
        start_lng=0,
        leave_at=ride.earliest,
        pickup_at=ride.earliest + dt.timedelta(minutes=10),
        dropoff_at=ride.earliest + dt.timedelta(minutes=40),
        picked_up_at=ride.earliest,
        dropped_off_at=ride.earliest + dt.timedelta(hours=5),
    )
    assert services.service_minutes(trip) == 40 + services.HOURS_MARGIN_MIN
    assert services.credited_hours(20) == 1 and services.credited_hours(90) == 2
