"""Symposia: an event at a centre, for invited workers; the organiser records demands during
it, each becoming a case (through the cases app) linked to it; attendees later see what
became of each demand."""

import pytest

from yizhan.cases import services as cases
from yizhan.cases.demo import seed_reference_data
from yizhan.cases.models import Case, Category, Symposium
from yizhan.core.errors import NotAllowed
from yizhan.training import selectors, services
from yizhan.training.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def symposium(training, city):
    seed_reference_data()
    return training.event(
        by=training.cora,
        kind="symposium",
        title="新就业群体座谈会",
        station_id=training.centre.pk,
        audience="invited",
        invite_worker_ids=[city.alice.pk],
    )


def test_a_symposium_has_its_record_in_the_cases_app(symposium, training):
    record = Symposium.objects.get(pk=symposium.case_symposium_id)
    assert record.place == training.centre.name and record.facilitator == training.cora


def test_demands_become_cases_linked_to_the_symposium(symposium, training, city):
    services.signup(worker=city.alice, activity_id=symposium.pk)
    wages = Category.objects.get(code="wage_arrears")
    case = services.demand_record(
        actor=training.cora,
        activity_id=symposium.pk,
        category_id=wages.pk,
        description="配送站拖欠两个月工资",
        worker_id=city.alice.pk,
    )
    anonymous = services.demand_record(
        actor=training.cora,
        activity_id=symposium.pk,
        category_id=Category.objects.get(code="access").pk,
        description="小区不让外卖电动车进入",
    )
    assert case.channel == Case.Channel.SYMPOSIUM and case.worker == city.alice
    assert case.symposium_id == anonymous.symposium_id == symposium.case_symposium_id
    assert Case.objects.filter(symposium_id=symposium.case_symposium_id).count() == 2


def test_attendees_see_what_became_of_each_demand_but_not_who_raised_it(
    symposium, training, city, login
):
    services.signup(worker=city.alice, activity_id=symposium.pk)
    case = services.demand_record(
        actor=training.cora,
        activity_id=symposium.pk,
        category_id=Category.objects.get(code="wage_arrears").pk,
        description="配送站拖欠两个月工资",
    )
    cases.case_accept(case=case, actor=city.dora)
    page = login(city.alice).get(f"/training/a/{symposium.pk}/").content.decode()
    assert "配送站拖欠两个月工资" in page and "已受理" in page
    rows = selectors.symposium_demands(activity=symposium, viewer=city.alice)
    assert rows[0]["state"] == "accepted" and "worker_id" not in rows[0]


def test_only_invited_workers_see_and_join_it(symposium, training, login):
    outsider = training.worker()
    assert login(outsider).get(f"/training/a/{symposium.pk}/").status_code == 404
    with pytest.raises(NotAllowed):
        services.signup(worker=outsider, activity_id=symposium.pk)


def test_a_keeper_cannot_record_demands(symposium, city):
    with pytest.raises(NotAllowed):
        services.demand_record(
            actor=city.kim,
            activity_id=symposium.pk,
            category_id=Category.objects.get(code="other").pk,
            description="x",
        )
    assert not Case.objects.exists()


def test_the_coordinator_records_a_demand_on_the_console(symposium, training, city, login):
    client = login(training.cora)
    services.signup(worker=city.alice, activity_id=symposium.pk)
    page = client.get(f"/training/console/a/{symposium.pk}/").content.decode()
    assert "记录一条诉求" in page and "王** 138****0001" in page
    client.post(
        f"/training/console/a/{symposium.pk}/demands/",
        {
            "category": Category.objects.get(code="wage_arrears").pk,
            "description": "希望平台公开派单规则",
            "worker": city.alice.pk,
        },
    )
    case = Case.objects.get()
    assert case.worker == city.alice and case.symposium_id == symposium.case_symposium_id
    assert Activity.objects.get().case_symposium_id == case.symposium_id
