"""The volunteer flow through its services: enrolment, availability, beneficiaries,
booking, planning, offers, the road, confirmation — and every bad input the issue lists,
refused with a clear message and nothing changed."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from tests.volunteering.conftest import HOSPITAL, add_worker, credentials, every_day, tomorrow_at
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import AuditLog, Notification
from yizhan.volunteering import selectors, services
from yizhan.volunteering.models import Availability, Beneficiary, Request, StandingRide, Trip


def fields(exc) -> dict:
    """The refusal's field messages, as an English reader sees them."""
    with translation.override("en"):
        return {k: [str(m) for m in v] for k, v in exc.value.fields.items()}


# --- Bad input: a clear error and nothing changed ----------------------------------------------


def test_overlapping_availability_is_refused(vera, driver):
    before = Availability.objects.count()
    with pytest.raises(Invalid) as exc:
        services.availability_add(
            user=driver.user, kind="weekly", weekday=2, starts=dt.time(19, 0), ends=dt.time(21, 0)
        )
    assert fields(exc) == {"ends": ["This window overlaps one you already gave."]}
    assert Availability.objects.count() == before


def test_a_week_of_windows_is_given_at_once(vera, team, city):
    """availability_add_weekly: the windows in one go, with the same rules as one at a time."""
    v = services.volunteer_enrol(by=vera, user=add_worker(city, "13800000003", "张志愿"), team=team)
    split = [(dt.time(6, 0), dt.time(10, 0)), (dt.time(16, 0), dt.time(20, 0))]
    made = services.availability_add_weekly(
        user=vera, volunteer=v, windows=[(d, s, e) for d in range(7) for s, e in split]
    )
    assert len(made) == 14
    assert list(
        v.availability.order_by("weekday", "starts").values_list("weekday", "starts", "ends")
    ) == [(d, s, e) for d in range(7) for s, e in split]


@pytest.mark.parametrize(
    "windows, field",
    [
        ([(2, dt.time(19, 0), dt.time(21, 0))], "ends"),  # overlaps a window already given
        ([(7, dt.time(6, 0), dt.time(7, 0))], "weekday"),
        ([(1, dt.time(22, 0), dt.time(21, 0))], "ends"),
    ],
)
def test_a_week_of_windows_with_one_wrong_is_refused_whole(driver, windows, field):
    before = Availability.objects.count()
    with pytest.raises(Invalid) as exc:
        services.availability_add_weekly(
            user=driver.user, windows=[(0, dt.time(21, 0), dt.time(22, 0)), *windows]
        )
    assert field in fields(exc)
    assert Availability.objects.count() == before


def test_windows_given_at_once_may_not_overlap_each_other(vera, team, city):
    v = services.volunteer_enrol(by=vera, user=add_worker(city, "13800000003", "张志愿"), team=team)
    with pytest.raises(Invalid) as exc:
        services.availability_add_weekly(
            user=vera,
            volunteer=v,
            windows=[(3, dt.time(8, 0), dt.time(12, 0)), (3, dt.time(11, 0), dt.time(13, 0))],
        )
    assert fields(exc) == {"ends": ["This window overlaps one you already gave."]}
    assert not v.availability.exists()


def test_only_a_coordinator_gives_someone_else_s_windows(driver, rider):
    with pytest.raises(NotAllowed):
        services.availability_add_weekly(
            user=rider.user, volunteer=driver, windows=[(0, dt.time(21, 0), dt.time(22, 0))]
        )


def test_a_window_that_ends_before_it_starts_is_refused(driver):
    with pytest.raises(Invalid) as exc:
        services.availability_add(
            user=driver.user, kind="once", starts_at=tomorrow_at(21), ends_at=tomorrow_at(20)
        )
    assert "ends_at" in fields(exc)


def test_latest_before_earliest_is_refused(vera, grandma):
    with pytest.raises(Invalid) as exc:
        services.ride_book(
            by=vera,
            beneficiary=grandma,
            dropoff_label="医院",
            dropoff_lat=HOSPITAL[1],
            dropoff_lng=HOSPITAL[2],
            earliest=tomorrow_at(9),
            latest=tomorrow_at(8),
        )
    assert fields(exc) == {"latest": ["The latest drop-off must be after the earliest pick-up."]}
    assert not Request.objects.exists()


def test_an_address_outside_the_city_is_refused(vera, grandma):
    with pytest.raises(Invalid) as exc:
        services.ride_book(
            by=vera,
            beneficiary=grandma,
            dropoff_label="西宁",
            dropoff_lat=36.62,
            dropoff_lng=101.78,
            earliest=tomorrow_at(8),
            latest=tomorrow_at(9),
        )
    assert fields(exc) == {"dropoff": ["This address is outside the city."]}
    with pytest.raises(Invalid) as exc:
        services.beneficiary_register(
            by=vera,
            kind="elderly",
            name="李奶奶",
            address="西宁",
            lat=36.62,
            lng=101.78,
            consent=True,
            mobile="13700000003",
        )
    assert fields(exc)["address"] == ["This address is outside the city."]
    assert not Request.objects.exists() and Beneficiary.objects.count() == 1


def test_a_beneficiary_without_consent_is_refused(vera):
    with pytest.raises(Invalid) as exc:
        services.beneficiary_register(
            by=vera,
            kind="elderly",
            name="李奶奶",
            address="甲社区1号",
            lat=36.01,
            lng=103.81,
            consent=False,
            mobile="13700000003",
        )
    assert fields(exc)["consent"] == [
        "Record the person's consent first: without it nothing is stored."
    ]
    assert not Beneficiary.objects.exists()


def test_pinning_a_volunteer_without_the_needed_credential_is_refused(vera, rider, ride):
    with pytest.raises(Invalid) as exc:
        services.request_pin(by=vera, request=ride, volunteer=rider)
    assert fields(exc) == {"volunteer": ["该志愿者不具备此需求所需的资质：驾驶证、车辆。"]}
    ride.refresh_from_db()
    assert ride.pinned is None


def test_a_ride_must_be_booked_two_hours_ahead_unless_urgent(vera, grandma):
    soon = timezone.now() + dt.timedelta(minutes=30)
    kwargs = dict(
        by=vera,
        beneficiary=grandma,
        dropoff_label="医院",
        dropoff_lat=HOSPITAL[1],
        dropoff_lng=HOSPITAL[2],
        earliest=soon,
        latest=soon + dt.timedelta(hours=1),
    )
    with pytest.raises(Invalid) as exc:
        services.ride_book(**kwargs)
    assert "earliest" in fields(exc)
    assert services.ride_book(**kwargs, urgent=True).urgent


# --- Who may do what -------------------------------------------------------------------------


def test_grid_officer_registers_in_own_community_only(city):
    b = services.beneficiary_register(
        by=city.grace,
        kind="elderly",
        name="王奶奶",
        address="甲社区2号",
        lat=36.01,
        lng=103.81,
        consent=True,
        contact_mobile="13700000004",
    )
    assert b.community == city.community_a
    with pytest.raises(Invalid) as exc:
        services.beneficiary_register(
            by=city.grace,
            kind="elderly",
            name="赵爷爷",
            address="乙社区2号",
            lat=36.07,
            lng=103.81,
            consent=True,
            contact_mobile="13700000005",
        )
    assert fields(exc)["address"] == ["This address is outside your community."]
    assert list(selectors.beneficiaries_for(city.gary)) == []
    with pytest.raises(NotAllowed):
        services.beneficiary_register(
            by=city.alice,
            kind="elderly",
            name="x",
            address="y",
            lat=36.01,
            lng=103.81,
            consent=True,
            mobile="13700000006",
        )


def test_beneficiary_data_is_encrypted_masked_and_reveals_are_audited(vera, grandma):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT name, address, health_note FROM volunteering_beneficiary")
        row = cur.fetchone()
    assert "张桂兰" not in "".join(row) and "高血压" not in "".join(row)
    assert grandma.masked_name == "张**" and grandma.masked_mobile == "137****0001"
    data = selectors.beneficiary_reveal(user=vera, beneficiary=grandma, reason="回访核实")
    assert data["name"] == "张桂兰"
    log = AuditLog.objects.get(action="volunteering.beneficiary.reveal")
    assert log.reason == "回访核实" and log.actor == vera


def test_a_beneficiary_is_erased_with_the_person(vera, grandma, ride):
    services.beneficiary_erase(by=vera, beneficiary=grandma)
    grandma.refresh_from_db()
    ride.refresh_from_db()
    assert (
        grandma.erased_at
        and grandma.name == "—"
        and grandma.mobile == ""
        and grandma.health_note == ""
    )
    assert ride.status == Request.Status.CANCELLED and ride.pickup_label == "—"
    assert round(ride.pickup_lat, 2) == ride.pickup_lat


def test_a_volunteers_data_is_exported_and_erased_with_them(city, driver):
    from yizhan.core import personal_data

    exported = personal_data.export_all(city.alice)["volunteering"]
    assert exported["volunteer"]["credentials"][3]["plate"] == "甘A12345"
    personal_data.erase_all(city.alice)
    driver.refresh_from_db()
    assert driver.home == "" and not driver.availability.exists()
    assert set(driver.credentials.values_list("plate", flat=True)) == {""}


# --- Standing rides, planning, offers -----------------------------------------------------------


def test_a_standing_dialysis_ride_books_every_session_for_30_days(vera, grandma):
    start = timezone.localdate() + dt.timedelta(days=1)
    standing = services.standing_ride_book(
        by=vera,
        beneficiary=grandma,
        dropoff_label="透析中心",
        dropoff_lat=HOSPITAL[1],
        dropoff_lng=HOSPITAL[2],
        weekdays=[1, 3, 5],
        appointment=dt.time(7, 30),
        starts_on=start,
        days=30,
        return_at=dt.time(12, 0),
    )
    there = standing.requests.filter(return_of=None).exclude(return_trip=None)
    days = {timezone.localdate(r.earliest).weekday() for r in standing.requests.all()}
    assert days <= {1, 3, 5}
    assert there.count() == sum(
        (start + dt.timedelta(days=i)).weekday() in {1, 3, 5} for i in range(30)
    )
    assert standing.requests.count() == 2 * there.count()
    first = there.order_by("earliest").first()
    assert timezone.localtime(first.latest).time() == dt.time(7, 30)


def test_plans_respect_seats_wheelchairs_and_credentials(city, vera, team, driver, rider, grandma):
    day = timezone.localdate() + dt.timedelta(days=1)
    grandma.wheelchair = True
    grandma.save()
    chair = services.ride_book(
        by=vera,
        beneficiary=grandma,
        dropoff_label="医院",
        dropoff_lat=HOSPITAL[1],
        dropoff_lng=HOSPITAL[2],
        earliest=tomorrow_at(8),
        latest=tomorrow_at(9, 30),
    )
    van = services.volunteer_enrol(
        by=vera, user=add_worker(city, "13800000003", "赵师傅"), team=team, home=(36.04, 103.84)
    )
    credentials(vera, van, seats=6, wheelchair=True)
    every_day(vera, van)
    plan = services.plan_solve(by=vera, day=day, time_limit_s=1)
    trip = chair.trips.get(status=Trip.Status.PLANNED)
    assert trip.volunteer == van  # alice's car takes no wheelchair; bob has no car
    assert plan.figures["served"] == 1 and plan.figures["late_arrivals"] == 0
    assert trip.pickup_at >= chair.earliest and trip.dropoff_at <= chair.latest


def test_publish_accept_and_a_new_solve_never_drops_an_accepted_trip(vera, driver, ride):
    day = timezone.localdate(ride.earliest)
    plan = services.plan_solve(by=vera, day=day, time_limit_s=1)
    assert services.plan_publish(by=vera, plan=plan) == 1
    trip = ride.trips.get(status=Trip.Status.OFFERED)
    assert Notification.objects.filter(recipient=driver.user, verb="volunteering.offered").exists()
    services.trip_accept(user=driver.user, trip_id=trip.pk)
    again = services.plan_solve(by=vera, day=day, time_limit_s=1)
    trip.refresh_from_db()
    assert trip.status == Trip.Status.ACCEPTED and again.figures["served"] == 1
    assert ride.trips.exclude(status=Trip.Status.WITHDRAWN).count() == 1
    with pytest.raises(Conflict):  # the coordinator cannot take it away by pinning
        services.request_pin(by=vera, request=ride, volunteer=None)


def test_a_decline_replans_that_trip_to_another_volunteer(city, vera, team, driver, ride):
    other = services.volunteer_enrol(
        by=vera, user=add_worker(city, "13800000004", "钱师傅"), team=team, home=(36.03, 103.84)
    )
    credentials(vera, other)
    every_day(vera, other)
    services.request_pin(by=vera, request=ride, volunteer=driver)
    plan = services.plan_solve(by=vera, day=timezone.localdate(ride.earliest), time_limit_s=1)
    services.plan_publish(by=vera, plan=plan)
    mine = ride.trips.get(status=Trip.Status.OFFERED)
    assert mine.volunteer == driver
    offer = services.trip_decline(user=driver.user, trip_id=mine.pk, reason="车辆保养")
    assert offer.volunteer == other and offer.status == Trip.Status.OFFERED
    ride.refresh_from_db()
    assert ride.pinned is None and ride.status == Request.Status.PLANNED


def test_an_urgent_request_goes_to_the_nearest_free_volunteers_within_3_km(
    city, vera, team, driver, grandma
):
    far = services.volunteer_enrol(
        by=vera, user=add_worker(city, "13800000005", "孙师傅"), team=team, home=(36.09, 103.89)
    )
    credentials(vera, far)
    every_day(vera, far)
    now = timezone.now()
    r = services.ride_book(
        by=vera,
        beneficiary=grandma,
        dropoff_label="医院",
        dropoff_lat=HOSPITAL[1],
        dropoff_lng=HOSPITAL[2],
        earliest=now,
        latest=now + dt.timedelta(hours=1),
        urgent=True,
    )
    offers = services.urgent_offer(by=vera, request=r)
    assert [o.volunteer for o in offers] == [driver]  # alice lives 2 km away; 孙 11 km


def test_expiring_credentials_are_flagged(vera, driver):
    services.credential_record(
        by=vera,
        volunteer=driver,
        kind="orientation",
        valid_until=timezone.localdate() + dt.timedelta(days=10),
    )
    assert [c.kind for c in selectors.expiring_credentials()] == ["orientation"]


def test_a_request_without_a_qualified_volunteer_stays_waiting(vera, rider, ride):
    plan = services.plan_solve(by=vera, day=timezone.localdate(ride.earliest), time_limit_s=1)
    ride.refresh_from_db()
    assert plan.figures["unserved"] == 1 and ride.status == Request.Status.OPEN
    assert StandingRide.objects.count() == 0
