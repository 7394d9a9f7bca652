"""The points pages, without JavaScript: a worker redeems and sees the code and QR; a
keeper hands over at their own station only; the administrator decides wishes and reads
and exports the redemption ledger. Everyone else is turned away."""

import io

import openpyxl
import pytest

from tests.points.conftest import give
from yizhan.points import services
from yizhan.points.models import Redemption, Wish


def test_each_role_sees_its_tile_on_home(bank, login):
    assert "我的积分" in login(bank.alice).get("/").content.decode()
    assert "兑换核销" in login(bank.kim).get("/").content.decode()
    assert "积分管理" in login(bank.adam).get("/").content.decode()


@pytest.mark.parametrize(
    "url,allowed",
    [
        ("/points/", "alice"),
        ("/points/catalog/", "alice"),
        ("/points/wishes/", "alice"),
        ("/points/keeper/", "kim"),
        ("/points/admin/", "adam"),
        ("/points/admin/redemptions/", "adam"),
        ("/points/admin/wishes/", "adam"),
        ("/points/admin/catalog/", "adam"),
        ("/points/admin/rules/", "adam"),
        ("/points/admin/grant/", "adam"),
    ],
)
def test_pages_need_their_role(bank, login, url, allowed):
    for name in ("alice", "kim", "adam", "dora"):
        response = login(getattr(bank, name)).get(url)
        assert response.status_code == (200 if name == allowed else 403), (name, url)


def test_worker_redeems_on_the_page_and_a_double_tap_makes_one(bank, helmet, login):
    give(bank, 70)
    client = login(bank.alice)
    page = client.get("/points/catalog/").content.decode()
    assert "头盔" in page and "30 积分" in page
    form = {"item": helmet.pk, "station": bank.station.pk, "key": "tap"}
    first = client.post("/points/redeem/", form)
    second = client.post("/points/redeem/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Redemption.objects.count() == 1
    code = Redemption.objects.get().code
    detail = client.get(first["Location"]).content.decode()
    assert Redemption.objects.get().display_code in detail and "qr.svg" in detail
    qr = client.get(f"/points/r/{code}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    mine = client.get("/points/").content.decode()
    assert ">40<" in mine and "兑换：头盔" in mine


def test_refusal_on_the_page_is_a_message_not_an_error(bank, helmet, login):
    client = login(bank.alice)
    response = client.post(
        "/points/redeem/", {"item": helmet.pk, "station": bank.station.pk, "key": "k"}, follow=True
    )
    assert "积分不足" in response.content.decode()
    bad = client.post("/points/redeem/", {"item": "x"}, follow=True)
    assert bad.status_code == 200


def test_qr_code_is_not_for_strangers(bank, helmet, login):
    give(bank, 30)
    r = services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    assert login(bank.dora).get(f"/points/r/{r.code}/qr.svg").status_code == 403
    assert login(bank.dora).get(f"/points/r/{r.code}/").status_code == 403


def test_keeper_checks_then_hands_over(bank, helmet, login):
    give(bank, 30)
    r = services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    keeper = login(bank.kim)
    check = keeper.get(f"/points/keeper/?code={r.display_code.lower()}").content.decode()
    assert "头盔" in check and "王" in check and "王小川" not in check  # masked name
    done = keeper.post("/points/keeper/", {"code": r.code}, follow=True).content.decode()
    assert "已发放" in done or "头盔" in done
    assert Redemption.objects.get().status == "fulfilled"
    again = keeper.get(f"/points/keeper/?code={r.code}").content.decode()
    assert "已经领取过了" in again


def test_admin_decides_a_wish_on_the_page(bank, login):
    wish = services.wish_submit(worker=bank.alice, title="书包")
    admin = login(bank.adam)
    cheap = admin.post(
        f"/points/admin/wishes/{wish.pk}/",
        {"step": "approve", "name": "书包", "price": "1", "stock": "2", "stations": "S1"},
    )
    assert cheap.status_code == 200 and "不能少于 2 分" in cheap.content.decode()
    ok = admin.post(
        f"/points/admin/wishes/{wish.pk}/",
        {
            "step": "approve",
            "name": "书包",
            "price": "25",
            "stock": "2",
            "stations": ["S1", "NOPE"],
        },
    )
    assert "没有编码为 NOPE 的驿站" in ok.content.decode()  # the message names what is missing
    ok = admin.post(
        f"/points/admin/wishes/{wish.pk}/",
        {"step": "approve", "name": "书包", "price": "25", "stock": "2", "stations": "S1"},
    )
    assert ok.status_code == 302
    assert Wish.objects.get().status == "catalogued"
    wishes = login(bank.alice).get("/points/wishes/").content.decode()
    assert "已上架兑换" in wishes


def test_admin_ledger_and_excel_export(bank, helmet, login):
    give(bank, 60)
    services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    admin = login(bank.adam)
    page = admin.get("/points/admin/redemptions/?status=held&month=bad").content.decode()
    assert "头盔" in page
    export = admin.get("/points/admin/redemptions.xlsx?status=held")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "领取码" and rows[1][4] == "头盔" and rows[1][6] == 30


def test_admin_grants_and_reverses_on_the_page(bank, login):
    admin = login(bank.adam)
    admin.post(
        "/points/admin/grant/",
        {"step": "grant", "mobile": "13800000001", "points": "9", "reason": "暴雨送餐"},
    )
    posting = bank.alice.points_account.entries.get().posting
    response = admin.post(
        "/points/admin/grant/", {"step": "reverse", "posting": posting.pk, "reason": "重复"}
    )
    assert response.status_code == 302
    bank.alice.points_account.refresh_from_db()
    assert bank.alice.points_account.balance == 0
    assert admin.post("/points/admin/catalog/", {"item": "x", "step": "toggle"}).status_code == 404
    nobody = admin.post(
        "/points/admin/grant/",
        {"step": "grant", "mobile": "13811112222", "points": "9", "reason": "x"},
    )
    assert nobody.status_code == 200


def test_statement_and_leaderboard(bank, login):
    give(bank, 12)
    client = login(bank.alice)
    from django.utils import timezone

    today = timezone.localdate()
    page = client.get(f"/points/statement/{today.year}-{today.month}/").content.decode()
    assert "+12" in page
    assert client.get("/points/statement/2026-13/").status_code == 404
    board = client.get("/points/leaderboard/?month=garbage&district=x").content.decode()
    assert "12" in board


def test_points_pages_ignore_ids_too_big_to_be_ids(bank, login):
    admin = login(bank.adam)
    assert admin.get("/points/admin/redemptions/?station=99999999999999999999").status_code == 200
    worker = login(bank.alice)
    assert worker.get("/points/leaderboard/?district=99999999999999999999").status_code == 200
