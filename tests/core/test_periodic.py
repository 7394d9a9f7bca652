import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from yizhan.core import periodic
from yizhan.core.models import PeriodicJob


def test_due_job_is_enqueued_once_and_run_by_the_worker(
    db, run_tasks, django_capture_on_commit_callbacks
):
    now = timezone.now()
    assert "reports.autoclose" in periodic.jobs()
    first = periodic.tick(now=now)
    assert "reports.autoclose" in first
    assert "reports.autoclose" not in periodic.tick(
        now=now + dt.timedelta(minutes=1)
    )  # not due yet
    assert "reports.autoclose" in periodic.tick(now=now + dt.timedelta(hours=1, seconds=1))
    assert run_tasks() >= 2  # every enqueued run succeeded (the fixture checks)
    job = PeriodicJob.objects.get(name="reports.autoclose")
    assert job.next_run_at > now + dt.timedelta(hours=1)


def test_periodic_command_once(db, capsys):
    call_command("periodic", "--once")
    assert "reports.autoclose" in capsys.readouterr().out
