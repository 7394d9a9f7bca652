"""Completion publishes "training.completed" or "event.attended" exactly once, and the
points bank pays once, end to end through the task worker; quizzes gate completion;
certificates are PDFs with a Chinese font whose text reads back, and a public page
verifies them."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from yizhan.core.models import Event
from yizhan.points import selectors as points
from yizhan.training import services, tokens
from yizhan.training.models import Enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def scan(activity, worker, organiser):
    return services.check_in_by_code(
        organiser=organiser,
        session_id=activity.sessions.order_by("starts_at").first().pk,
        code=tokens.personal_code(worker.pk),
    )


def test_a_course_completes_once_and_pays_points_once(
    training, city, rules, run_tasks, django_capture_on_commit_callbacks
):
    course = training.now_course(certificate=True)
    services.signup(worker=city.alice, activity_id=course.pk)
    with django_capture_on_commit_callbacks(execute=True):
        first = scan(course, city.alice, city.kim)
        again = scan(course, city.alice, city.kim)
        services.check_in_with_door_code(
            worker=city.alice, token=tokens.door_token(course.sessions.get().pk)
        )
    assert first.completed and not again.completed
    events = Event.objects.filter(name="training.completed")
    assert events.count() == 1
    enrolment = Enrolment.objects.get(worker=city.alice)
    assert events.get().payload == {
        "enrolment_id": enrolment.pk,
        "worker_id": city.alice.pk,
        "activity_id": course.pk,
    }
    run_tasks()
    run_tasks()
    assert points.worker_balance(city.alice)["balance"] == 30


def test_an_event_attended_pays_the_event_rule_once(
    training, city, rules, run_tasks, django_capture_on_commit_callbacks
):
    party = training.event(starts_at=timezone.now() + dt.timedelta(minutes=5))
    services.signup(worker=city.alice, activity_id=party.pk)
    with django_capture_on_commit_callbacks(execute=True):
        result = scan(party, city.alice, city.kim)
        scan(party, city.alice, city.kim)
    event = Event.objects.get(name="event.attended")
    assert event.payload["attendance_id"] == result.attendance.pk
    run_tasks()
    assert points.worker_balance(city.alice)["balance"] == 10
    assert not Event.objects.filter(name="training.completed").exists()


def test_a_quiz_must_be_passed_before_the_course_completes(
    training, city, rules, run_tasks, django_capture_on_commit_callbacks
):
    quiz = [
        {"text": "心肺复苏按压深度？", "choices": ["1厘米", "5-6厘米"], "answer": 1},
        {"text": "急救电话？", "choices": ["120", "114"], "answer": 0},
    ]
    course = training.now_course(quiz=quiz, quiz_pass_percent=100)
    services.signup(worker=city.alice, activity_id=course.pk)
    assert not scan(course, city.alice, city.kim).completed
    questions = list(course.questions.order_by("position"))
    assert (
        services.quiz_submit(
            worker=city.alice,
            activity_id=course.pk,
            answers={questions[0].pk: 0, questions[1].pk: 0},
        )
        == 50
    )
    assert Enrolment.objects.get(worker=city.alice).completed_at is None
    right = {questions[0].pk: 1, questions[1].pk: 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.quiz_submit(worker=city.alice, activity_id=course.pk, answers=right) == 100
        assert Enrolment.objects.get(worker=city.alice).completed_at is not None
        services.quiz_submit(worker=city.alice, activity_id=course.pk, answers=right)
    assert Event.objects.filter(name="training.completed").count() == 1
    run_tasks()
    assert points.worker_balance(city.alice)["balance"] == 30


def completed_with_certificate(training, city):
    course = training.now_course(certificate=True, title="急救培训（初级）")
    services.signup(worker=city.alice, activity_id=course.pk)
    scan(course, city.alice, city.kim)
    return Enrolment.objects.get(worker=city.alice)


def test_the_certificate_is_a_pdf_whose_chinese_text_reads_back(training, city, login):
    enrolment = completed_with_certificate(training, city)
    code = enrolment.display_certificate_code
    answer = login(city.alice).get(f"/training/certificates/{code}.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    for words in (
        "结业证书",
        "王小川",
        "急救培训（初级）",
        "学时",
        code,
        "甲工会驿站",
        "/training/verify/",
    ):
        assert words in text, words
    assert "Certificate of completion" in text


def test_only_the_holder_downloads_their_certificate(training, city, login):
    enrolment = completed_with_certificate(training, city)
    other = training.worker()
    answer = login(other).get(f"/training/certificates/{enrolment.display_certificate_code}.pdf")
    assert answer.status_code == 404


def test_anyone_verifies_a_certificate_and_sees_the_name_masked(training, city, client):
    enrolment = completed_with_certificate(training, city)
    page = client.get(f"/training/verify/{enrolment.display_certificate_code.lower()}/")
    body = page.content.decode()
    assert page.status_code == 200 and "王**" in body and "王小川" not in body
    assert "急救培训（初级）" in body
    missing = client.get("/training/verify/AAAAA-BBBBB/")
    assert missing.status_code == 404


def test_no_certificate_without_the_option(training, city):
    course = training.now_course()
    services.signup(worker=city.alice, activity_id=course.pk)
    scan(course, city.alice, city.kim)
    enrolment = Enrolment.objects.get(worker=city.alice)
    assert enrolment.completed_at is not None and enrolment.certificate_code is None
