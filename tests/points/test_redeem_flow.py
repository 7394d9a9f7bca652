"""Redeeming on a phone: the catalogue shows each product's photo; nothing is spent before a
page that says what it costs, the balance after, where to pick it up (with the address) and
until when; a refusal comes back to that page with the choice kept; the code page follows."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.points.conftest import give
from yizhan.points import services
from yizhan.points.demo_photos import product_photo
from yizhan.points.models import Redemption
from yizhan.stations.models import Station


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def second_station(bank):
    return Station.objects.create(
        code="S2",
        name="乙工会驿站",
        kind="union",
        lat=36.07,
        lng=103.83,
        community=bank.community_b,
        address="城关区乙路 12 号",
    )


def photo_upload(kind="helmet"):
    return SimpleUploadedFile("helmet.png", product_photo("头盔", kind=kind), "image/png")


def test_catalogue_shows_each_product_with_its_photo_and_links_to_a_confirmation(
    bank, media, login
):
    item = services.catalog_item_create(
        by=bank.adam, name="头盔", price=30, stock=2, stations=[bank.station], photo=photo_upload()
    )
    give(bank, 40)
    page = login(bank.alice).get("/points/catalog/").content.decode()
    assert item.photo.url in page and 'alt="头盔"' in page
    assert f'href="/points/catalog/{item.pk}/"' in page
    assert 'action="/points/redeem/"' not in page  # nothing is spent from the list


def test_confirmation_says_price_balance_after_and_pick_up_stations(
    bank, helmet, second_station, login
):
    helmet.stations.add(second_station)
    give(bank, 50)
    page = login(bank.alice).get(f"/points/catalog/{helmet.pk}/").content.decode()
    assert "确认兑换" in page
    assert "30 积分" in page and "50 积分" in page and "20 积分" in page
    assert "甲工会驿站" in page and "乙工会驿站" in page and "城关区乙路 12 号" in page
    assert 'data-lat="36.070000"' in page  # for the nearest-first sorting on the phone
    assert "请在 3 天内凭下一页的领取码到驿站领取" in page
    assert "确认使用 30 积分兑换" in page
    assert not Redemption.objects.exists()


def test_confirmation_without_enough_points_says_how_many_are_missing(bank, helmet, login):
    give(bank, 12)
    page = login(bank.alice).get(f"/points/catalog/{helmet.pk}/").content.decode()
    assert "兑换此物品还差 18 积分。" in page
    assert 'action="/points/redeem/"' not in page
    assert "去随手拍赚积分" in page


def test_confirming_leads_to_the_pick_up_code(bank, helmet, second_station, login):
    helmet.stations.add(second_station)
    give(bank, 50)
    client = login(bank.alice)
    done = client.post(
        "/points/redeem/",
        {"item": helmet.pk, "station": second_station.pk, "key": "k1"},
        follow=True,
    )
    redemption = Redemption.objects.get()
    assert redemption.station == second_station
    body = done.content.decode()
    assert redemption.display_code in body and "城关区乙路 12 号" in body


def test_refusal_returns_to_the_confirmation_with_the_station_kept(
    bank, helmet, second_station, login
):
    helmet.stations.add(second_station)
    give(bank, 50)
    services.catalog_item_restock(by=bank.adam, item=helmet, add=-2)  # sold out meanwhile
    client = login(bank.alice)
    response = client.post(
        "/points/redeem/", {"item": helmet.pk, "station": second_station.pk, "key": "k2"}
    )
    assert response["Location"] == f"/points/catalog/{helmet.pk}/?station={second_station.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "已兑完" in page and 'action="/points/redeem/"' not in page


def test_unknown_or_withdrawn_items_have_no_confirmation_page(bank, helmet, login):
    client = login(bank.alice)
    assert client.get("/points/catalog/999999/").status_code == 404
    services.catalog_item_update(by=bank.adam, item=helmet, active=False)
    assert client.get(f"/points/catalog/{helmet.pk}/").status_code == 404


def test_product_photo_is_reencoded_as_a_small_jpeg(bank, media):
    item = services.catalog_item_create(
        by=bank.adam, name="头盔", price=30, stock=2, stations=[bank.station], photo=photo_upload()
    )
    with item.photo.open("rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
    assert stored.format == "JPEG" and max(stored.size) <= services.PHOTO_SIDE
    assert (item.photo_width, item.photo_height) == stored.size


def test_administrator_adds_an_item_with_a_photo_and_a_non_photo_is_refused(bank, media, login):
    client = login(bank.adam)
    form = {
        "step": "create",
        "name": "雨衣",
        "price": "20",
        "stock": "5",
        "stations": bank.station.code,
    }
    bad = client.post(
        "/points/admin/catalog/",
        {**form, "photo": SimpleUploadedFile("x.png", b"not an image", "image/png")},
    )
    assert bad.status_code == 200 and "雨衣" in bad.content.decode()  # kept what was typed
    assert "照片" in bad.content.decode()
    good = client.post("/points/admin/catalog/", {**form, "photo": photo_upload("raincoat")})
    assert good.status_code == 302
    assert services.selectors.catalog().get(name="雨衣").photo


def test_demo_photos_are_the_same_picture_every_time():
    assert product_photo("安全头盔", kind="helmet") == product_photo("安全头盔", kind="helmet")
    assert product_photo("安全头盔", kind="helmet") != product_photo("分体雨衣", kind="raincoat")
    unknown = Image.open(io.BytesIO(product_photo("儿童书包")))
    assert unknown.size == (600, 600)
