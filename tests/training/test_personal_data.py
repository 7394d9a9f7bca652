"""A person's data (PIPL): their sign-ups, check-ins, certificates and wishes are in their
export, and erasure gives up their places (the waiting list moves on) and deletes the rest."""

import pytest

from yizhan.core import personal_data
from yizhan.training import services, tokens
from yizhan.training.models import CourseWish, Enrolment

pytestmark = pytest.mark.django_db


def test_export_and_erase(training, city):
    done = training.now_course(certificate=True, title="已完成的课")
    services.signup(worker=city.alice, activity_id=done.pk)
    services.check_in_by_code(
        organiser=city.kim,
        session_id=done.sessions.get().pk,
        code=tokens.personal_code(city.alice.pk),
    )
    full = training.course(capacity=1, title="满员的课")
    bob = training.worker()
    services.signup(worker=city.alice, activity_id=full.pk)
    services.signup(worker=bob, activity_id=full.pk)
    services.wish_create(worker=city.alice, topic="digital", note="短视频")

    exported = personal_data.export_all(city.alice)["training"]
    titles = {s["activity"]: s for s in exported["sign_ups"]}
    assert titles["已完成的课"]["certificate"] and titles["已完成的课"]["check_ins"]
    assert exported["course_wishes"][0]["note"] == "短视频"

    touched = personal_data.erase_all(city.alice)["training"]
    assert touched >= 3
    assert not Enrolment.objects.filter(worker=city.alice).exists()
    assert not CourseWish.objects.filter(worker=city.alice).exists()
    assert Enrolment.objects.get(worker=bob).status == "offered"
    assert personal_data.erase_all(city.alice)["training"] == 0  # idempotent
