"""Wishes become catalogue items; redeeming holds points and stock; the keeper of the
pick-up station hands over; cancellation and expiry refund and restock; bad input changes
nothing and says why."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.points.conftest import give
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.points import selectors, services
from yizhan.points.models import CatalogItem, Redemption, Wish
from yizhan.points.verification import verify_ledger
from yizhan.stations.models import Station


def state(city, item):
    item.refresh_from_db()
    return selectors.worker_balance(city.alice)["balance"], item.stock


def test_wish_is_approved_into_the_catalogue_and_the_worker_sees_it(bank):
    wish = services.wish_submit(worker=bank.alice, title="孩子的书包", details="小学二年级")
    wish = services.wish_catalogue(
        by=bank.adam, wish_id=wish.pk, price=40, stock=5, stations=[bank.station]
    )
    assert wish.status == Wish.Status.CATALOGUED
    assert wish.item.price == 40 and list(wish.item.stations.all()) == [bank.station]
    assert "40" in wish.answer
    with pytest.raises(Conflict):
        services.wish_decline(by=bank.adam, wish_id=wish.pk, reason="twice")


def test_wish_can_be_fulfilled_directly_or_declined_with_a_reason(bank):
    a = services.wish_submit(worker=bank.alice, title="雨衣")
    b = services.wish_submit(worker=bank.alice, title="电动车")
    assert services.wish_fulfil(by=bank.adam, wish_id=a.pk, answer="工会赠送").status == "fulfilled"
    declined = services.wish_decline(by=bank.adam, wish_id=b.pk, reason="超出范围")
    assert (declined.status, declined.answer) == ("declined", "超出范围")
    c = services.wish_submit(worker=bank.alice, title="饭票")
    with pytest.raises(Invalid):
        services.wish_decline(by=bank.adam, wish_id=c.pk, reason="")
    assert Wish.objects.get(pk=c.pk).status == "submitted"


def test_only_the_city_admin_manages_wishes_and_catalogue(bank):
    wish = services.wish_submit(worker=bank.alice, title="头盔")
    for person in (bank.alice, bank.kim, bank.dora):
        with pytest.raises(NotAllowed):
            services.wish_decline(by=person, wish_id=wish.pk, reason="no")
    with pytest.raises(NotAllowed):
        services.wish_submit(worker=bank.kim, title="x")


def test_price_under_two_points_is_refused(bank):
    with pytest.raises(Invalid) as error:
        services.catalog_item_create(
            by=bank.adam, name="贴纸", price=1, stock=3, stations=[bank.station]
        )
    assert "price" in error.value.fields
    assert not CatalogItem.objects.exists()


def test_redeem_holds_points_and_stock_and_the_keeper_hands_over(bank, helmet):
    give(bank, 50)
    redemption = services.redemption_create(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
    )
    assert len(redemption.code) == 8 and redemption.status == "held"
    assert state(bank, helmet) == (20, 1)
    assert selectors.worker_balance(bank.alice)["held"] == 30
    done = services.redemption_fulfil(keeper=bank.kim, code=redemption.display_code.lower())
    assert done.status == "fulfilled" and done.closed_by == bank.kim
    assert state(bank, helmet) == (20, 1)
    assert [e.status for e in done.history.all()] == ["held", "fulfilled"]
    with pytest.raises(Conflict):
        services.redemption_fulfil(keeper=bank.kim, code=redemption.code)
    report = verify_ledger()
    assert report.ok and report.totals["balance:redeemed"] == 30


def test_not_enough_points_out_of_stock_and_wrong_station_change_nothing(bank, helmet):
    give(bank, 29)
    with pytest.raises(Conflict) as poor:
        services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    assert "29" in str(poor.value)
    give(bank, 100)
    other = Station.objects.create(code="S2", name="乙驿站", kind="union", lat=36.0, lng=103.8)
    with pytest.raises(Invalid) as elsewhere:
        services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=other.pk)
    assert "station_id" in elsewhere.value.fields
    for _ in range(2):
        services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    before = state(bank, helmet)
    with pytest.raises(Conflict):
        services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    assert state(bank, helmet) == before == (69, 0)
    assert Redemption.objects.count() == 2


def test_retry_with_the_same_key_returns_the_first_redemption(bank, helmet):
    give(bank, 100)
    first, replayed = services.redemption_request(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk, key="tap-1"
    )
    again, replayed_again = services.redemption_request(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk, key="tap-1"
    )
    assert (first, replayed) == (again, False) and replayed_again
    assert state(bank, helmet) == (70, 1)
    with pytest.raises(Conflict):  # the key was used for another station
        services.redemption_request(worker=bank.alice, item_id=helmet.pk, station_id=0, key="tap-1")
    with pytest.raises(Invalid):  # no key
        services.redemption_request(
            worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk, key=""
        )


def test_foreign_unknown_and_expired_codes_are_refused_to_the_keeper(bank, helmet):
    give(bank, 100)
    redemption = services.redemption_create(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
    )
    other = Station.objects.create(code="S2", name="乙驿站", kind="union", lat=36.0, lng=103.8)
    from tests.conftest import make_user

    ken = make_user(
        "13900000015", "乙站长", role="station_keeper", scope_field="station", scope=other
    )
    with pytest.raises(NotAllowed) as foreign:
        services.redemption_fulfil(keeper=ken, code=redemption.code)
    assert "甲工会驿站" in str(foreign.value)
    with pytest.raises(NotFound):
        services.redemption_fulfil(keeper=bank.kim, code="ZZZZ-ZZZZ")
    Redemption.objects.filter(pk=redemption.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(Conflict):
        services.redemption_fulfil(keeper=bank.kim, code=redemption.code)
    assert Redemption.objects.get(pk=redemption.pk).status == "held"


def test_sweep_expires_refunds_and_restocks_once(bank, helmet, run_tasks):
    give(bank, 100)
    redemption = services.redemption_create(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
    )
    assert services.redemptions_expire_due() == 0
    Redemption.objects.filter(pk=redemption.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.redemptions_expire_due() == 1
    assert services.redemptions_expire_due() == 0
    redemption.refresh_from_db()
    assert redemption.status == "expired"
    assert state(bank, helmet) == (100, 2)
    assert verify_ledger().ok


def test_sweep_runs_in_the_background_worker(bank, helmet, run_tasks):
    from yizhan.points.tasks import sweep_expired_redemptions

    give(bank, 100)
    redemption = services.redemption_create(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
    )
    Redemption.objects.filter(pk=redemption.pk).update(expires_at=timezone.now())
    sweep_expired_redemptions.enqueue()
    run_tasks()
    assert Redemption.objects.get(pk=redemption.pk).status == "expired"


def test_worker_cancels_before_pick_up_but_not_after(bank, helmet):
    give(bank, 100)
    a = services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    b = services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    assert services.redemption_cancel(worker=bank.alice, code=a.code).status == "cancelled"
    services.redemption_fulfil(keeper=bank.kim, code=b.code)
    with pytest.raises(Conflict):
        services.redemption_cancel(worker=bank.alice, code=b.code)
    with pytest.raises(NotFound):
        services.redemption_cancel(worker=bank.kim, code=a.code)
    assert state(bank, helmet) == (70, 1)
    assert verify_ledger().ok


def test_monthly_hardship_and_honours_are_awarded_once(bank):
    from tests.conftest import make_user
    from yizhan.accounts.models import WorkerProfile
    from yizhan.points.models import HardshipApproval

    month = timezone.localdate().replace(day=1)
    HardshipApproval.objects.create(worker=bank.alice, first_month=month, reason="家庭困难")
    others = []
    for n, points in enumerate((30, 20, 10), 2):
        user = make_user(f"1380000000{n}", f"骑手{n}")
        WorkerProfile.objects.create(
            user=user,
            kind="courier",
            home_district=bank.district,
            consent_version="1",
            consent_at=timezone.now(),
        )
        services.grant(worker=user, points=points, reason="x", by=bank.adam)
        others.append(user)
    for _ in range(2):
        assert services.monthly_hardship_award(month=month) in (1, 1)
    assert selectors.worker_balance(bank.alice)["balance"] == 60
    assert services.monthly_honours_award(month=month) == 3
    services.monthly_honours_award(month=month)
    balances = [selectors.worker_balance(u)["balance"] for u in [bank.alice, *others]]
    assert balances == [60 + 50, 30 + 30, 20 + 20, 10]
    board = selectors.leaderboard(month=month, district_id=bank.district.pk)
    assert [r["points"] for r in board] == [60, 30, 20, 10]
    assert board[0]["name"] != "王小川"  # masked
    assert verify_ledger().ok
