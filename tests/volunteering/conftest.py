"""Volunteer fixtures: the test city plus a coordinator (vera), a volunteer with a car
(alice, the city's worker) and one without a licence (bob), a beneficiary in grace's
community, and the points bank ready to pay for volunteer hours."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_user
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.volunteering import services

HOSPITAL = ("兰大一院", 36.045, 103.84)  # inside community A of the test city


@pytest.fixture
def vera(city):
    return make_user("13900000007", "协调员", role=Role.VOLUNTEER_COORDINATOR)


def add_worker(city, mobile, name):
    user = make_user(mobile, name)
    WorkerProfile.objects.create(
        user=user,
        kind=WorkerProfile.Kind.RIDE_HAILING_DRIVER,
        home_district=city.district,
        consent_version="2026-11",
        consent_at=timezone.now(),
    )
    return user


def credentials(vera, volunteer, *, car=True, seats=4, wheelchair=False, until=None):
    until = until or timezone.localdate() + dt.timedelta(days=400)
    services.credential_record(by=vera, volunteer=volunteer, kind="background", valid_until=until)
    services.credential_record(by=vera, volunteer=volunteer, kind="orientation", valid_until=until)
    if car:
        services.credential_record(
            by=vera, volunteer=volunteer, kind="licence", valid_until=until, licence_class="C1"
        )
        services.credential_record(
            by=vera,
            volunteer=volunteer,
            kind="vehicle",
            valid_until=until,
            plate="甘A12345",
            seats=seats,
            wheelchair=wheelchair,
        )


@pytest.fixture
def team(vera):
    return services.team_create(by=vera, name="爱心车队", kind="fleet")


def every_day(vera, volunteer, starts=dt.time(6, 0), ends=dt.time(20, 0)):
    for weekday in range(7):
        services.availability_add(
            user=vera, volunteer=volunteer, kind="weekly", weekday=weekday, starts=starts, ends=ends
        )


@pytest.fixture
def driver(city, vera, team):
    """Alice drives a four-seater every day 06:00-20:00 from home in community A."""
    v = services.volunteer_enrol(by=vera, user=city.alice, team=team, home=(36.02, 103.83))
    credentials(vera, v)
    every_day(vera, v)
    return v


@pytest.fixture
def rider(city, vera, team):
    """Bob rides an e-bike: meals only (no licence, no car)."""
    v = services.volunteer_enrol(
        by=vera, user=add_worker(city, "13800000002", "李骑手"), team=team, home=(36.03, 103.82)
    )
    credentials(vera, v, car=False)
    every_day(vera, v)
    return v


@pytest.fixture
def grandma(city, vera):
    return services.beneficiary_register(
        by=vera,
        kind="elderly",
        name="张桂兰",
        address="甲社区幸福路8号",
        lat=36.01,
        lng=103.81,
        consent=True,
        mobile="13700000001",
        contact_name="张建国",
        contact_mobile="13700000002",
        health_note="高血压",
    )


def tomorrow_at(hh, mm=0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


@pytest.fixture
def ride(vera, grandma):
    """Grandma to hospital tomorrow: pick up from 08:00, there by 09:00."""
    return services.ride_book(
        by=vera,
        beneficiary=grandma,
        dropoff_label=HOSPITAL[0],
        dropoff_lat=HOSPITAL[1],
        dropoff_lng=HOSPITAL[2],
        earliest=tomorrow_at(8),
        latest=tomorrow_at(9),
    )
