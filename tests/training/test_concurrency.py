"""The waiting-list race on PostgreSQL: two people cancel at the same moment, two people on
the waiting list get offers, and the capacity is never exceeded; many door devices scanning
the same worker at once make one check-in and one completion. Each thread has its own
connection, as separate app processes would."""

from tests.concurrency import POSTGRES_ONLY, at_once
from yizhan.core.models import Event
from yizhan.training import services, tokens
from yizhan.training.models import Activity, Attendance, Enrolment

pytestmark = POSTGRES_ONLY


def test_two_cancellations_make_two_offers_and_never_exceed_capacity(training, city):
    course = training.course(capacity=2)
    people = [training.worker() for _ in range(6)]
    for person in people:
        services.signup(worker=person, activity_id=course.pk)
    leaving = people[:2]
    results = at_once(2, lambda i: services.signup_cancel(worker=leaving[i], activity_id=course.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = {p.pk: Enrolment.objects.get(worker=p).status for p in people}
    assert [statuses[p.pk] for p in people] == [
        "cancelled",
        "cancelled",
        "offered",
        "offered",
        "waitlisted",
        "waitlisted",
    ]
    course = Activity.objects.get(pk=course.pk)
    held = Enrolment.objects.filter(activity=course, status__in=["confirmed", "offered"]).count()
    assert course.taken == held == 2


def test_many_sign_ups_at_once_fill_exactly_the_places(training, city):
    course = training.course(capacity=5)
    people = [training.worker() for _ in range(12)]
    results = at_once(12, lambda i: services.signup(worker=people[i], activity_id=course.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Enrolment.objects.filter(status="confirmed").count() == 5
    assert Enrolment.objects.filter(status="waitlisted").count() == 7
    assert Activity.objects.get(pk=course.pk).taken == 5


def test_eight_doors_scanning_one_worker_check_in_once(training, city):
    course = training.now_course()
    services.signup(worker=city.alice, activity_id=course.pk)
    session = course.sessions.get()
    code = tokens.personal_code(city.alice.pk)
    results = at_once(
        8, lambda i: services.check_in_by_code(organiser=city.kim, session_id=session.pk, code=code)
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.created for r in results) == 1 and sum(r.completed for r in results) == 1
    assert Attendance.objects.count() == 1
    assert Event.objects.filter(name="training.completed").count() == 1
