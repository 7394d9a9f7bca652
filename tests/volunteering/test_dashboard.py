"""The city dashboards' volunteering figures: a confirmed trip counts once, in the served
person's district and the period it was confirmed in, with a bounded number of queries."""

import datetime as dt

from django.utils import timezone

from tests.volunteering.test_hours_points import drive
from yizhan.core.dashboards import Scope
from yizhan.volunteering import selectors, services
from yizhan.volunteering.models import HoursRecord


def scope(district_ids=None, days=7):
    today = timezone.localdate()
    return Scope(
        start=today - dt.timedelta(days=days),
        end=today,
        now=timezone.now(),
        district_ids=district_ids,
    )


def figures(s):
    return {h.key: h.value for h in selectors.dashboard_headlines(scope=s)}


def test_a_confirmed_trip_counts_in_its_district_and_period(
    city,
    vera,
    driver,
    ride,
    clock,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    trip, code = drive(vera, driver, ride, clock, django_capture_on_commit_callbacks)
    before = figures(scope())
    assert before["volunteering.trips_done"] == 0  # dropped off is not done
    services.trip_confirm_by_code(mobile="13700000001", code=code)
    minutes = HoursRecord.objects.get(trip=trip).minutes

    with django_assert_max_num_queries(3):
        city_wide = figures(scope())
    assert city_wide["volunteering.trips_done"] == 1
    assert city_wide["volunteering.hours"] == round(minutes / 60, 1)
    assert city_wide["volunteering.people_served"] == 1
    assert city_wide["volunteering.volunteers_served"] == 1
    assert figures(scope({city.district.pk}))["volunteering.trips_done"] == 1
    elsewhere = figures(scope({city.district.pk + 1000}))
    assert elsewhere["volunteering.trips_done"] == 0 and elsewhere["volunteering.hours"] == 0


def test_the_period_decides(city, vera, driver, ride, clock, django_capture_on_commit_callbacks):
    _trip, code = drive(vera, driver, ride, clock, django_capture_on_commit_callbacks)
    services.trip_confirm_by_code(mobile="13700000001", code=code)
    clock.move_to(timezone.now() + dt.timedelta(days=10))
    assert figures(scope(days=3))["volunteering.trips_done"] == 0
    assert figures(scope(days=30))["volunteering.trips_done"] == 1


def test_a_waiting_request_and_the_daily_facts(
    city, vera, driver, ride, clock, django_capture_on_commit_callbacks
):
    assert figures(scope())["volunteering.requests_waiting"] == 1
    assert figures(scope({city.district.pk + 1000}))["volunteering.requests_waiting"] == 0
    _trip, code = drive(vera, driver, ride, clock, django_capture_on_commit_callbacks)
    services.trip_confirm_by_code(mobile="13700000001", code=code)
    s = scope()
    since, until = s.moments
    facts = list(selectors.dashboard_facts(start=since, end=until))
    trips = [f for f in facts if f.metric == "volunteering.trips"]
    assert [(f.day, f.district, f.value, f.k1) for f in trips] == [
        (timezone.localdate(), city.district.pk, 1, "ride")
    ]
    minutes = sum(f.value for f in facts if f.metric == "volunteering.minutes")
    assert minutes == HoursRecord.objects.get().minutes
