"""The pages: volunteers on a phone, the coordinator's console, community staff's
beneficiaries — each checks role and scope, and says what a person needs to see."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.volunteering.conftest import HOSPITAL
from yizhan.core import sms
from yizhan.core.models import AuditLog
from yizhan.volunteering import services
from yizhan.volunteering.demo import seed_volunteering
from yizhan.volunteering.models import Beneficiary, Request, Trip


@pytest.fixture
def published(vera, driver, ride):
    plan = services.plan_solve(by=vera, day=timezone.localdate(ride.earliest), time_limit_s=1)
    services.plan_publish(by=vera, plan=plan)
    return ride.trips.get()


def test_the_volunteer_accepts_an_offer_with_one_tap_and_steps_through_the_trip(
    login, driver, published
):
    client = login(driver.user)
    page = client.get("/volunteering/").content.decode()
    assert "已向你发出" in page or "Offered to you" in page
    assert "张**" in page and "张桂兰" not in page
    client.post(f"/volunteering/trips/{published.pk}/accept/")
    page = client.get(f"/volunteering/trips/{published.pk}/").content.decode()
    assert "uri.amap.com" in page and "api.map.baidu.com" in page
    client.post(f"/volunteering/trips/{published.pk}/pickup/")
    client.post(f"/volunteering/trips/{published.pk}/dropoff/")
    assert Trip.objects.get(pk=published.pk).status == Trip.Status.DROPPED_OFF


def test_someone_elses_trip_is_not_found(login, city, rider, published):
    assert login(rider.user).get(f"/volunteering/trips/{published.pk}/").status_code == 404


def test_a_worker_who_is_not_a_volunteer_is_told_how_to_join(login, city):
    response = login(city.alice).get("/volunteering/")
    assert response.status_code == 403 and "志愿" in response.content.decode()


def test_overlapping_availability_shows_the_message_beside_the_field(login, driver):
    response = login(driver.user).post(
        "/volunteering/availability/",
        {"kind": "weekly", "weekday": "1", "starts": "07:00", "ends": "08:00"},
    )
    assert (
        "与你已填写的时段重叠" in response.content.decode()
        or "overlaps" in response.content.decode()
    )


def test_the_console_shows_the_plan_on_a_map_and_a_timeline(login, vera, published, ride):
    day = timezone.localdate(ride.earliest).isoformat()
    page = login(vera).get(f"/volunteering/console/?day={day}").content.decode()
    assert 'data-plan-map="plan-map-data"' in page and "tl-trip" in page
    assert 'id="plan-figures"' in page and "OR-Tools" in page


def test_the_coordinator_books_a_standing_ride_from_the_console(login, vera, grandma):
    day = timezone.localdate() + dt.timedelta(days=1)
    response = login(vera).post(
        "/volunteering/console/book/",
        {
            "beneficiary": grandma.pk,
            "place": "",
            "dropoff_label": "透析中心",
            "dropoff_lat": HOSPITAL[1],
            "dropoff_lng": HOSPITAL[2],
            "day": day.isoformat(),
            "appointment": "07:30",
            "lead": "60",
            "return_at": "12:00",
            "standing": "on",
            "weekdays": [str(day.weekday()), str((day.weekday() + 2) % 7)],
            "days": "30",
        },
    )
    assert response.status_code == 302
    assert Request.objects.filter(standing__isnull=False).count() >= 16


def test_a_grid_officer_registers_beneficiaries_but_has_no_console(login, city):
    client = login(city.grace)
    assert client.get("/volunteering/console/").status_code == 403
    response = client.post(
        "/volunteering/console/beneficiaries/",
        {
            "kind": "elderly",
            "name": "刘奶奶",
            "address": "甲社区9号",
            "lat": "36.02",
            "lng": "103.81",
            "contact_mobile": "13700000009",
            "consent": "",
        },
    )
    assert "同意" in response.content.decode() and not Beneficiary.objects.exists()
    client.post(
        "/volunteering/console/beneficiaries/",
        {
            "kind": "elderly",
            "name": "刘奶奶",
            "address": "甲社区9号",
            "lat": "36.02",
            "lng": "103.81",
            "contact_mobile": "13700000009",
            "consent": "on",
        },
    )
    b = Beneficiary.objects.get()
    page = client.get(f"/volunteering/console/beneficiaries/{b.pk}/").content.decode()
    assert "刘**" in page and "甲社区9号" not in page
    page = client.post(
        f"/volunteering/console/beneficiaries/{b.pk}/", {"reason": "核实地址"}
    ).content.decode()
    assert "甲社区9号" in page
    assert AuditLog.objects.filter(actor=city.grace, reason="核实地址").exists()
    assert login(city.gary).get(f"/volunteering/console/beneficiaries/{b.pk}/").status_code == 404


def test_the_beneficiary_confirms_on_the_public_page(
    client, driver, published, django_capture_on_commit_callbacks
):
    services.trip_accept(user=driver.user, trip_id=published.pk)
    services.trip_pick_up(user=driver.user, trip_id=published.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.trip_drop_off(user=driver.user, trip_id=published.pk)
    code = sms.outbox(mobile="13700000001")[0].text.split("回复 ")[1][:6]
    bad = client.post("/volunteering/confirm/", {"mobile": "13700000001", "code": "12345"})
    assert "6 位" in bad.content.decode()
    page = client.post(
        "/volunteering/confirm/", {"mobile": "13700000001", "code": code}
    ).content.decode()
    assert "已确认" in page
    assert Trip.objects.get(pk=published.pk).status == Trip.Status.CONFIRMED


def test_every_staff_page_renders_on_the_demo_data(login, city):
    seed_volunteering(volunteers=10, rides=4)
    from yizhan.accounts.models import User
    from yizhan.core.pii import blind_index

    coordinator = User.objects.get(mobile_index=blind_index("13900000007"))
    client = login(coordinator)
    for url in (
        "/volunteering/console/",
        "/volunteering/console/teams/",
        "/volunteering/console/campaigns/",
        "/volunteering/console/beneficiaries/",
        "/volunteering/console/book/",
        "/volunteering/console/hours.xlsx",
    ):
        assert client.get(url).status_code == 200, url
    campaign = client.get("/volunteering/console/campaigns/").content.decode()
    assert "爱心送考" in campaign
    alice = login(city.alice)
    for url in (
        "/volunteering/",
        "/volunteering/availability/",
        "/volunteering/hours/",
        "/volunteering/hours.xlsx",
    ):
        assert alice.get(url).status_code == 200, url
