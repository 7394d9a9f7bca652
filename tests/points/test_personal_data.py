"""A worker's points in their data export, and what erasure leaves: the ledger still balances
(the entries stay, the text around them goes), items waiting for pick-up are cancelled and
refunded, wishes and hardship reasons are gone."""

from tests.points.conftest import give
from yizhan.core import personal_data
from yizhan.points import selectors, services
from yizhan.points.models import HardshipApproval, Posting, Redemption, RedemptionEvent, Wish
from yizhan.points.verification import verify_ledger


def alices_points(bank, helmet):
    give(bank, 100)  # reason "test 1"
    services.grant(worker=bank.alice, points=5, reason="王小川雨天送药", by=bank.adam)
    services.wish_submit(worker=bank.alice, title="孩子的书包", details="女儿上二年级")
    handed = services.redemption_create(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
    )
    services.redemption_fulfil(keeper=bank.kim, code=handed.code)
    waiting = services.redemption_create(
        worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk
    )
    HardshipApproval.objects.create(
        worker=bank.alice, first_month="2026-11-01", reason="家中有病人"
    )
    return handed, waiting


def test_the_export_holds_the_workers_points(bank, helmet):
    handed, waiting = alices_points(bank, helmet)
    data = personal_data.export_all(bank.alice)["points"]
    assert data["balance"] == 45 and data["held"] == 30
    assert [e["amount"] for e in data["entries"]] == [-30, -30, 5, 100]
    assert "王小川雨天送药" in data["entries"][2]["description"]
    assert data["wishes"][0]["title"] == "孩子的书包"
    assert {r["status"] for r in data["redemptions"]} == {"held", "fulfilled"}
    assert data["hardship"] == [{"from": "2026-11", "to": None, "reason": "家中有病人"}]


def test_erasure_keeps_the_ledger_whole_and_refunds_what_waits(bank, helmet):
    handed, waiting = alices_points(bank, helmet)
    entries_before = len(selectors.worker_entries(bank.alice))

    assert services.personal_data_erase(user=bank.alice) > 0

    assert Redemption.objects.get(pk=waiting.pk).status == "cancelled"
    assert Redemption.objects.get(pk=handed.pk).status == "fulfilled"
    helmet.refresh_from_db()
    assert helmet.stock == 1  # the waiting helmet is back on the shelf
    assert selectors.worker_balance(bank.alice) == {"balance": 75, "held": 0}
    assert len(selectors.worker_entries(bank.alice)) == entries_before + 1  # the refund
    mine = Posting.objects.filter(entries__account__owner=bank.alice)
    assert not mine.exclude(reason="").exists()
    assert not RedemptionEvent.objects.filter(redemption__worker=bank.alice).exclude(note="")
    assert Wish.objects.filter(worker=bank.alice, title="", details="").count() == 1
    assert not HardshipApproval.objects.filter(worker=bank.alice).exists()
    assert verify_ledger().ok

    assert services.personal_data_erase(user=bank.alice) == 0  # a crashed run runs again
