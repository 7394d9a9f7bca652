"""Demand first: training-need cases and course wishes grouped by topic and district; a
course that cites a group tells those workers and takes the group off the list."""

import pytest

from yizhan.cases import services as cases
from yizhan.cases.demo import seed_reference_data
from yizhan.cases.models import Category
from yizhan.core.models import Notification
from yizhan.training import selectors, services
from yizhan.training.models import CourseWish

pytestmark = pytest.mark.django_db


@pytest.fixture
def demand(training, city):
    seed_reference_data()
    need = Category.objects.get(code="training")
    bob, cat = training.worker("李四"), training.worker("张三")
    cases.case_submit(
        worker=city.alice, category=need, description="希望开设电工技能培训，想考电工证"
    )
    cases.case_submit(worker=bob, category=need, description="想学急救和心肺复苏")
    services.wish_create(worker=cat, topic="electrician", note="电工证怎么考")
    services.wish_create(worker=bob, topic="electrician")
    return {"bob": bob, "cat": cat}


def test_topics_are_read_from_the_words():
    assert selectors.topic_of("希望开设电工技能培训") == "electrician"
    assert selectors.topic_of("电动车电池充电安全") == "ebike_safety"
    assert selectors.topic_of("心肺复苏") == "first_aid"
    assert selectors.topic_of("随便") == "other"


def test_cases_and_wishes_are_grouped_by_topic_and_district(demand, city):
    groups = selectors.demand_groups()
    top = groups[0]
    assert (top.topic, top.district_id, top.district) == ("electrician", city.district.pk, "城关区")
    assert (len(top.case_ids), len(top.wish_ids), len(top.worker_ids)) == (1, 2, 3)
    assert [(g.topic, g.count) for g in groups] == [("electrician", 3), ("first_aid", 1)]


def test_a_course_citing_a_group_tells_its_workers_and_answers_it(demand, training, city):
    course = training.course(
        topic="electrician",
        title="低压电工培训",
        cites={"topic": "electrician", "district_id": city.district.pk},
    )
    told = Notification.objects.filter(verb="training", params__title="低压电工培训")
    assert set(told.values_list("recipient_id", flat=True)) == {
        city.alice.pk,
        demand["bob"].pk,
        demand["cat"].pk,
    }
    assert CourseWish.objects.filter(answered_by=course).count() == 2
    assert [g.topic for g in selectors.demand_groups()] == ["first_aid"]


def test_the_demand_page_links_to_a_prefilled_course(demand, city, login):
    page = login(city.dan).get("/training/console/demand/").content.decode()
    assert "电工技能" in page and "topic=electrician" in page
    form = login(city.dan).get(
        f"/training/console/new/?kind=course&topic=electrician&district={city.district.pk}"
    )
    assert f'value="electrician:{city.district.pk}"' in form.content.decode()
