"""A personal-data erasure survives its worker's death: the run a killed worker left RUNNING
is found and run again (the erasure is one transaction: nothing half-done to trip over), the
person follows it on their status page, and an operator can list and retry stuck tasks."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from yizhan.accounts import services
from yizhan.accounts.models import DeletionRequest, User
from yizhan.core import periodic, taskwatch

ERASE = "yizhan.accounts.tasks.erase_personal_data"


def work(monkeypatch):
    """Run every ready task once, as the demo's worker does (failures are allowed here: a lost
    run is marked failed on purpose)."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def killed_mid_run(task: DBTaskResult) -> None:
    """What `kill -9` of the worker leaves behind: the task claimed, RUNNING, forever."""
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["gone"]
    )


def ask_for_deletion(city, login, capture):
    with capture(execute=True):
        response = login(city.alice).post("/me/delete/", {"confirm": "yes"})
    return response


def test_an_erasure_whose_worker_died_is_run_again_and_the_person_sees_it(
    city, login, client, clock, monkeypatch, django_capture_on_commit_callbacks
):
    response = ask_for_deletion(city, login, django_capture_on_commit_callbacks)
    status_url = response["Location"]
    assert status_url.startswith("/me/delete/")
    assert "正在等待执行删除" in client.get(status_url).content.decode()
    task = DBTaskResult.objects.get(task_path=ERASE)
    killed_mid_run(task)
    clock.shift(dt.timedelta(minutes=10))
    work(monkeypatch)  # nothing ready: the dead worker's claim stands
    assert User.objects.get(pk=city.alice.pk).mobile == "13800000001"  # still there

    clock.shift(dt.timedelta(minutes=25))  # past YIZHAN_TASKS_STUCK_MINUTES
    assert "core.tasks_recover" in periodic.jobs()  # what the scheduler runs every 5 minutes
    with django_capture_on_commit_callbacks(execute=True):
        assert taskwatch.recover() == 1  # the lost run is marked failed and queued again
    page = client.get(status_url).content.decode()
    assert "正在重新执行" in page and "第 2 次" in page
    with django_capture_on_commit_callbacks(execute=True):
        work(monkeypatch)
    alice = User.objects.get(pk=city.alice.pk)
    assert alice.mobile == "" and alice.name == "" and alice.worker.id_number == ""
    assert DeletionRequest.objects.get(user=alice).status == "done"
    lost = DBTaskResult.objects.get(pk=task.pk)
    assert lost.status == "FAILED" and "queued again" in lost.traceback
    assert "已完成" in client.get(status_url).content.decode()


def test_erasure_run_twice_erases_once(city, run_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.deletion_request_create(user=city.alice)
    assert services.personal_data_erase(request_id=request.pk) is True
    assert services.personal_data_erase(request_id=request.pk) is False  # idempotent
    run_tasks()  # the queued run finds it done
    assert DeletionRequest.objects.get(pk=request.pk).status == "done"


def test_asking_again_queues_an_erasure_whose_run_was_lost(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.deletion_request_create(user=city.alice)
    DBTaskResult.objects.all().delete()  # the queue entry was lost (a crash before it was read)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.deletion_request_create(user=User.objects.get(pk=city.alice.pk))
    assert again.pk == first.pk
    assert DBTaskResult.objects.filter(task_path=ERASE).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.deletion_request_create(user=User.objects.get(pk=city.alice.pk))
    assert DBTaskResult.objects.filter(task_path=ERASE).count() == 1  # live: not twice


def test_the_scheduler_runs_both_recoveries(
    city, clock, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.deletion_request_create(user=city.alice)
    killed_mid_run(DBTaskResult.objects.get(task_path=ERASE))
    clock.shift(dt.timedelta(minutes=35))
    with django_capture_on_commit_callbacks(execute=True):
        started = periodic.tick()
        work(monkeypatch)
    assert {"core.tasks_recover", "accounts.erasures_recover"} <= set(started)
    assert User.objects.get(pk=city.alice.pk).mobile == ""


def test_the_recovery_sweep_queues_pending_erasures_without_a_live_run(
    city, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.deletion_request_create(user=city.alice)
    DBTaskResult.objects.all().delete()
    assert services.erasures_recover() == []  # too early to call it lost
    clock.shift(dt.timedelta(minutes=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.erasures_recover() == [request.pk]
    assert DBTaskResult.objects.filter(task_path=ERASE, status="READY").count() == 1
    assert DeletionRequest.objects.get(pk=request.pk).runs_queued == 2


def test_operators_list_and_retry_stuck_tasks(
    city, clock, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.deletion_request_create(user=city.alice)
    task = DBTaskResult.objects.get(task_path=ERASE)
    killed_mid_run(task)
    clock.shift(dt.timedelta(minutes=45))
    out = StringIO()
    call_command("tasks_stuck", stdout=out)
    assert ERASE in out.getvalue() and "--retry" in out.getvalue()
    assert DBTaskResult.objects.get(pk=task.pk).status == "RUNNING"  # listing changes nothing
    out = StringIO()
    call_command("tasks_stuck", "--retry", stdout=out)
    assert "queued again" in out.getvalue()
    work(monkeypatch)
    assert User.objects.get(pk=city.alice.pk).mobile == ""
    out = StringIO()
    call_command("tasks_stuck", stdout=out)
    assert "No task" in out.getvalue()


def test_the_status_page_needs_its_token_and_shows_nothing_personal(city, client):
    request = DeletionRequest.objects.create(user=city.alice)
    body = client.get(f"/me/delete/{request.token}/").content.decode()
    assert "王小川" not in body and "13800000001" not in body and "138****0001" not in body
    assert client.get("/me/delete/00000000-0000-0000-0000-000000000000/").status_code == 404
