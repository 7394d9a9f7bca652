"""A person sees, exports and deletes their own data (PIPL)."""

import json

from tests.conftest import ALICE_ID, PASSWORD
from yizhan.accounts.models import DeletionRequest, User
from yizhan.core.models import AuditLog


def test_own_page_masks_mobile_and_id_number_until_the_person_taps_show(city, login):
    client = login(city.alice)
    body = client.get("/me/").content.decode()
    assert "王小川" in body
    assert "138****0001" in body and "620***********1230" in body
    assert "13800000001" not in body and ALICE_ID not in body
    assert not AuditLog.objects.filter(action="pii_read").exists()

    shown = client.post("/me/", {"reveal": "1"})
    body = shown.content.decode()
    assert "13800000001" in body and ALICE_ID in body
    assert "重新隐藏" in body
    assert shown["Cache-Control"] == "private, no-store"
    read = AuditLog.objects.get(action="pii_read")
    assert (read.actor, read.subject_id, read.fields, read.reason) == (
        city.alice,
        str(city.alice.pk),
        "mobile,id_number",
        "self",
    )
    # Back to the page: masked again.
    assert ALICE_ID not in client.get("/me/").content.decode()


def test_deletion_page_says_what_is_lost_before_confirming(city, login):
    from yizhan.points import services as points

    points.pool_issue(points=1000, reason="budget", by=city.adam)
    points.grant(worker=city.alice, points=40, reason="帮扶", by=city.adam, via="web")
    helmet = points.catalog_item_create(
        by=city.adam, name="安全头盔", price=30, stock=2, stations=[city.station]
    )
    points.redemption_create(worker=city.alice, item_id=helmet.pk, station_id=city.station.pk)
    client = login(city.alice)
    body = client.get("/me/delete/").content.decode()
    assert "您的全部 40 积分将作废" in body  # 10 left + 30 held for the helmet
    assert "1 件待领取的物品将被取消：安全头盔" in body

    refused = client.post("/me/delete/", {})
    assert refused.status_code == 422
    assert "请勾选确认您要删除个人信息。" in refused.content.decode()
    assert User.objects.get(pk=city.alice.pk).is_active


def test_export_is_complete_json_and_logged(city, login):
    response = login(city.alice).get("/me/export.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["mobile"] == "13800000001"
    assert data["worker_profile"]["id_number"] == ALICE_ID
    assert data["worker_profile"]["platform"] == "陇上快送"
    assert AuditLog.objects.filter(action="pii_export", actor=city.alice).count() == 1


def test_deletion_closes_the_account_and_the_worker_erases_the_data(
    city, login, run_tasks, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(city.alice).post("/me/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    user = User.objects.get(pk=city.alice.pk)
    assert not user.is_active
    assert DeletionRequest.objects.get(user=user).status == "pending"
    run_tasks()
    user.refresh_from_db()
    assert user.mobile == "" and user.name == ""
    assert user.worker.id_number == "" and user.worker.erased_at is not None
    assert DeletionRequest.objects.get(user=user).status == "done"
    login_again = client.post("/login/", {"mobile": "13800000001", "password": PASSWORD})
    assert login_again.status_code == 200  # refused
    # The number is free again: the person may register afresh later.
    assert not User.objects.filter(mobile_index=city.alice.mobile_index).exists()


def test_deletion_needs_confirmation(city, login):
    login(city.alice).post("/me/delete/", {})
    assert User.objects.get(pk=city.alice.pk).is_active


def test_export_and_erasure_reach_every_app_that_holds_the_persons_data(
    city, login, run_tasks, django_capture_on_commit_callbacks
):
    """accounts asks every app registered with core.personal_data: the stations' check-ins and
    the points bank's ledger, wishes and redemptions are in the export and are erased with
    the person (the ledger still balances; the visit still counts, without a name)."""
    from yizhan.core import personal_data
    from yizhan.points import services as points
    from yizhan.points.models import Redemption, Wish
    from yizhan.points.verification import verify_ledger
    from yizhan.stations import services as stations
    from yizhan.stations.models import StationVisit

    assert {"points", "stations"} <= {p.key for p in personal_data.providers()}
    points.pool_issue(points=1000, reason="budget", by=city.adam)
    points.grant(worker=city.alice, points=50, reason="雨天送药", by=city.adam)
    points.wish_submit(worker=city.alice, title="孩子的书包")
    helmet = points.catalog_item_create(
        by=city.adam, name="头盔", price=30, stock=1, stations=[city.station]
    )
    waiting = points.redemption_create(
        worker=city.alice, item_id=helmet.pk, station_id=city.station.pk
    )
    stations.visit_check_in(
        worker=city.alice,
        station=city.station,
        method="qr",
        token=stations.check_in_token(city.station),
    )

    data = json.loads(login(city.alice).get("/me/export.json").content)
    assert data["points"]["balance"] == 20 and data["points"]["held"] == 30
    assert data["points"]["wishes"][0]["title"] == "孩子的书包"
    assert data["stations"]["check_ins"][0]["station"] == "S1"

    with django_capture_on_commit_callbacks(execute=True):
        login(city.alice).post("/me/delete/", {"confirm": "yes"})
    run_tasks()

    assert Redemption.objects.get(pk=waiting.pk).status == "cancelled"
    assert Wish.objects.get(worker=city.alice).title == ""
    assert StationVisit.objects.get().worker is None  # still counted at the station
    assert verify_ledger().ok
    assert personal_data.export_all(city.alice)["points"]["wishes"][0]["title"] == ""
