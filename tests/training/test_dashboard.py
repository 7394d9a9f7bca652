"""The city dashboards' training figures: activities held and coming up, check-ins, workers
who came, certificates — in the activity's district and the period, in a few queries."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.training.test_completion import scan
from yizhan.core.dashboards import Scope
from yizhan.training import selectors, services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def scope(district_ids=None, days=7):
    today = timezone.localdate()
    return Scope(
        start=today - dt.timedelta(days=days),
        end=today,
        now=timezone.now(),
        district_ids=district_ids,
    )


def figures(s):
    return {h.key: h.value for h in selectors.dashboard_headlines(scope=s)}


@pytest.fixture
def attended(training, city, clock):
    """A course with a certificate, two workers scanned in; an event next week."""
    course = training.now_course(certificate=True)
    bob = training.worker("鲍勃")
    for worker in (city.alice, bob):
        services.signup(worker=worker, activity_id=course.pk)
        scan(course, worker, city.kim)
    training.event(starts_at=timezone.now() + dt.timedelta(days=7))
    clock.move_to(course.starts_at + dt.timedelta(minutes=10))
    return course


def test_figures_on_a_small_city(attended, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        got = figures(scope())
    assert got["training.held"] == 1  # the course has started; the event is still to come
    assert got["training.coming"] == 1
    assert got["training.attendances"] == 2
    assert got["training.workers"] == 2
    assert got["training.certificates"] == 2


def test_a_district_officer_sees_their_district_only(attended, city):
    assert figures(scope({city.district.pk}))["training.attendances"] == 2
    elsewhere = figures(scope({city.district.pk + 1000}))
    assert set(elsewhere.values()) == {0}


def test_the_period_decides(attended, clock):
    clock.move_to(timezone.now() + dt.timedelta(days=20))
    got = figures(scope(days=3))
    assert got["training.attendances"] == 0 and got["training.certificates"] == 0
    assert figures(scope(days=30))["training.certificates"] == 2


def test_daily_facts(attended, city):
    since, until = scope().moments
    facts = list(selectors.dashboard_facts(start=since, end=until))
    got = {(f.metric, f.district, f.k1): f.value for f in facts}
    assert got == {
        ("training.attendances", city.district.pk, "course"): 2,
        ("training.completions", city.district.pk, "course"): 2,
        ("training.certificates", city.district.pk, "course"): 2,
    }
