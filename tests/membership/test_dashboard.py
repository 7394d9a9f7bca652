"""The city dashboards' membership figures: union members and the share of registered
workers they are, union organisations taking members, workers within reach of one, check-ins
— counts only, by home district (check-ins: the receiving organisation's), in few queries."""

import datetime as dt

from django.utils import timezone

from yizhan.accounts import selectors as accounts
from yizhan.core.dashboards import Scope
from yizhan.membership import selectors, services


def scope(district_ids=None, days=7):
    today = timezone.localdate()
    return Scope(
        start=today - dt.timedelta(days=days),
        end=today,
        now=timezone.now(),
        district_ids=district_ids,
    )


def headlines(s):
    return {h.key: h for h in selectors.dashboard_headlines(scope=s)}


def figures(s):
    return {k: h.value for k, h in headlines(s).items()}


def test_figures_on_a_small_city(world, django_assert_max_num_queries):
    services.check_in(user=world.city.alice, organisation=world.qlh_union, station=world.s7)
    workers = accounts.workers_per_district()
    in_two = workers.get(world.city.district.pk, 0) + workers.get(world.qilihe.pk, 0)
    with django_assert_max_num_queries(6):
        got = figures(scope())
    assert got["membership.members"] == 1
    assert got["membership.share"] == round(100 / sum(workers.values()), 1)
    assert got["membership.organisations"] == 2  # the two district unions; not the federation
    assert got["membership.workers_in_reach"] == in_two
    assert got["membership.check_ins"] == 1
    assert got["membership.check_ins_waiting"] == 1


def test_a_district_sees_its_own(world):
    services.check_in(user=world.city.alice, organisation=world.qlh_union, station=world.s7)
    home = figures(scope({world.city.district.pk}))
    assert home["membership.members"] == 1 and home["membership.check_ins"] == 0
    assert home["membership.organisations"] == 1
    qilihe = figures(scope({world.qilihe.pk}))
    assert qilihe["membership.members"] == 0 and qilihe["membership.share"] == 0
    assert qilihe["membership.check_ins"] == 1  # alice checked in to the 七里河 union
    assert qilihe["membership.workers_in_reach"] == 1  # bob


def test_per_district_figures_for_the_coverage_page(world):
    heads = headlines(scope())
    assert heads["membership.members"].extra["by_district"] == {world.city.district.pk: 1}
    assert heads["membership.organisations"].extra["by_district"] == {
        world.city.district.pk: 1,
        world.qilihe.pk: 1,
    }
    only_qilihe = headlines(scope({world.qilihe.pk}))
    assert set(only_qilihe["membership.workers_in_reach"].extra["by_district"]) == {world.qilihe.pk}


def test_a_union_that_stops_taking_members_leaves_its_district_out_of_reach(world):
    world.qlh_union.accepts_members = False
    world.qlh_union.save(update_fields=["accepts_members"])
    assert figures(scope({world.qilihe.pk}))["membership.workers_in_reach"] == 0


def test_check_ins_per_day(world):
    services.check_in(user=world.city.alice, organisation=world.qlh_union, station=world.s7)
    since, until = scope().moments
    facts = list(selectors.dashboard_facts(start=since, end=until))
    assert [(f.metric, f.day, f.district, f.value, f.k1) for f in facts] == [
        ("membership.check_ins", timezone.localdate(), world.qilihe.pk, 1, "union")
    ]
