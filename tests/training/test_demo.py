"""The demo city's courses and events: made through the services, so they obey the rules."""

import pytest

from yizhan.accounts.models import User
from yizhan.core.models import Event
from yizhan.demo.generator import CityGenerator
from yizhan.training.models import Activity, Enrolment

pytestmark = pytest.mark.django_db


def small_city_without_reports():
    """The demo build's steps that training stands on (the reports seeder is not needed)."""
    from yizhan.cases.demo import seed_demo_cases
    from yizhan.places.models import District
    from yizhan.points.demo import seed as seed_points
    from yizhan.training.demo import seed_training

    gen = CityGenerator(scale="small")
    communities = gen.build_places()
    districts = list(District.objects.order_by("code"))
    platforms, employers = gen.build_orgs(districts)
    stations = gen.build_stations(communities)
    gen.build_staff(communities, stations, platforms)
    gen.build_workers(districts, platforms, employers)
    seed_demo_cases(n=20)
    seed_points(rng=gen.rng)
    return seed_training(rng_seed=15)


def test_the_demo_city_has_courses_events_and_a_symposium_with_demands():
    small_city_without_reports()
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert {"course", "party", "symposium"} <= kinds
    demo = User.objects.get_by_mobile("13800000001")
    mine = Enrolment.objects.filter(worker=demo)
    assert mine.filter(status="waitlisted").exists()
    assert mine.filter(completed_at__isnull=False, certificate_code__isnull=False).exists()
    past = Activity.objects.get(title="新就业群体座谈会（十一月）")
    from yizhan.cases.models import Case

    assert Case.objects.filter(symposium_id=past.case_symposium_id).count() == 3
    assert Event.objects.filter(name="training.completed").exists()
    for activity in Activity.objects.all():
        assert activity.taken <= activity.capacity
        assert (
            activity.taken
            == activity.enrolments.filter(status__in=["confirmed", "offered"]).count()
        )
