"""A rider's reports in their data export, and what their erasure leaves: the hazard and its
photos of the public space stay, anonymous; what they wrote and who they were go (PIPL)."""

import json

import pytest

from tests.reports.conftest import IN_A, make_jpeg
from yizhan.core import personal_data
from yizhan.reports import services
from yizhan.reports.models import Follower, Report


@pytest.fixture
def reopened(city, wire, bob):
    report = services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=IN_A[0],
        lng=IN_A[1],
        description="我家楼下，王小川，13800000001",
        photos=[make_jpeg()],
        client_key="phone-1",
    ).report
    services.report_follow(user=bob, report_id=report.pk)
    services.report_accept(user=city.grace, report_id=report.pk, note="已派人")
    services.report_resolve(
        user=city.grace, report_id=report.pk, note="已包扎", after_photo=make_jpeg(seed=2)
    )
    services.report_reopen(user=city.alice, report_id=report.pk, note="还在漏电，我每天路过")
    return report


def test_the_export_holds_the_reports_and_what_the_person_wrote(city, login, reopened):
    data = json.loads(login(city.alice).get("/me/export.json").content)
    (sent,) = data["reports"]["reports"]
    assert sent["id"] == reopened.pk and sent["description"] == "我家楼下，王小川，13800000001"
    assert sent["notes"] == [
        {"action": "reopened", "note": "还在漏电，我每天路过", "at": sent["notes"][0]["at"]}
    ]
    assert data["reports"]["following"] == [reopened.pk]


def test_erasure_detaches_the_reporter_and_keeps_the_anonymous_report(
    city, bob, login, reopened, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(city.alice).post("/me/delete/", {"confirm": "yes"})
    run_tasks()
    report = Report.objects.get(pk=reopened.pk)
    assert report.reporter is None and report.description == "" and report.client_key == ""
    assert report.photos.count() == 2  # the hazard and its fix, photos of public space
    assert report.history.get(action="reopened").note == ""
    assert report.history.get(action="reopened").actor is None
    assert report.history.get(action="resolved").note == "已包扎"  # the officer's work stays
    assert not Follower.objects.filter(user=city.alice).exists()
    assert Follower.objects.filter(user=bob, report=report).exists()
    # The public still sees the hazard; a second run changes nothing.
    assert login(bob).get(f"/reports/{report.pk}/").status_code == 200
    assert personal_data.erase_all(city.alice)["reports"] == 0


def test_reports_are_registered_with_the_personal_data_registry(db):
    assert "reports" in {p.key for p in personal_data.providers()}
