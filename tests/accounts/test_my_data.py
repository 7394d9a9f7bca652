"""A person sees, exports and deletes their own data (PIPL)."""

import json

from tests.conftest import ALICE_ID, PASSWORD
from yizhan.accounts.models import DeletionRequest, User
from yizhan.core.models import AuditLog


def test_worker_sees_their_own_data_unmasked(city, login):
    body = login(city.alice).get("/me/").content.decode()
    assert "13800000001" in body
    assert ALICE_ID in body
    assert "王小川" in body


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
