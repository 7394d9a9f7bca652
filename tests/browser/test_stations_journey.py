"""A rider at a street corner finds the nearest open station with a shower, opens it,
checks in; the station's keeper sees the visit in the console — in a real browser."""

import datetime as dt

from tests.conftest import PASSWORD
from tests.stations.conftest import add_station, ensure_amenities
from yizhan.stations import selectors
from yizhan.stations.models import Amenity, HoursException, StationAmenity, StationVisit

CORNER = {"latitude": 36.0212, "longitude": 103.8212}  # ~160 m from S1


def furnish(city):
    ensure_amenities()
    s1 = city.station
    s1.is_24h, s1.address, s1.phone, s1.capacity = True, "城关区甲路1号", "0931-8123456", 20
    s1.operator, s1.services = "城关区总工会", "歇脚、热饭、法律咨询"
    s1.save()
    for code in ("shower", "drinking_water", "microwave", "ebike_charging", "wifi"):
        StationAmenity.objects.create(station=s1, amenity=Amenity.objects.get(code=code))
    HoursException.objects.create(station=s1, date=dt.date(2030, 1, 2), closed=True, note="检修")
    # Nearer, but no shower; and a station with a shower that is closed all week.
    add_station("S2", lat=36.0211, lng=103.8211, amenities=["drinking_water"])
    add_station("S3", lat=36.0214, lng=103.8214, amenities=["shower"], is_24h=False)
    add_station("S4", lat=36.03, lng=103.83, kind="bank", amenities=["shower", "wifi"])
    selectors.invalidate_index()


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_rider_finds_nearest_open_shower_checks_in_and_keeper_sees_it(city, page, shot):
    furnish(city)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(CORNER)
    log_in(page, "13800000001")

    page.get_by_role("link", name="查找附近的驿站").click()
    page.wait_for_selector("#station-map canvas")  # the offline basemap and markers, no tiles
    form = page.locator("#finder-form")
    form.locator(".filters-box summary").click()  # the filters fold away on a small screen
    form.get_by_label("淋浴").check()
    form.get_by_label("正在开放").check()
    page.get_by_role("button", name="离我最近").click()
    page.wait_for_url("**lat=*")
    first = page.locator(".station-item").first
    assert "甲工会驿站" in first.inner_text()
    assert "米" in first.inner_text()
    assert "S2驿站" not in page.content() and "S3驿站" not in page.content()
    page.wait_for_selector("#station-map canvas")
    shot("stations-01-finder")

    first.locator(".station-link").click()
    page.wait_for_url("**/stations/S1/")
    assert page.get_by_role("heading", name="甲工会驿站").is_visible()
    assert (
        page.get_by_role("link", name="高德：步行")
        .get_attribute("href")
        .startswith("https://uri.amap.com/")
    )
    shot("stations-02-station")
    page.get_by_role("button", name="在此签到").click()
    page.wait_for_selector(".messages")
    assert "签到" in page.locator(".messages").inner_text()
    assert StationVisit.objects.filter(worker=city.alice, station=city.station).count() == 1

    page.get_by_role("button", name="退出").click()
    log_in(page, "13900000005")
    page.goto("/staff/stations/")
    page.wait_for_url("**/staff/stations/S1/")
    visitors = page.locator("#visitors")
    assert "今日到站：1 人" in visitors.inner_text()
    assert "王**" in visitors.inner_text()
    shot("stations-03-console")
