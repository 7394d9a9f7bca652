"""The issue's bad input, each refused with a clear message and nothing changed: check-in
at an organisation of the wrong kind, self-approval, a transfer to the same organisation, a
request after the membership ended."""

import pytest

from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import Notification
from yizhan.membership import services
from yizhan.membership.models import Membership, MembershipEvent, Transfer

from .conftest import add_worker


def snapshot():
    return (
        list(Membership.objects.order_by("id").values_list("id", "state", "organisation_id")),
        Transfer.objects.count(),
        MembershipEvent.objects.count(),
        Notification.objects.count(),
    )


def test_check_in_at_an_organisation_of_the_wrong_kind(world):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        # Alice is a union member; the party station cannot take a union membership.
        services.check_in(user=world.city.alice, organisation=world.cg_party)
    assert "no membership of the kind “Party organisation”" in str(
        refused.value.fields["organisation"][0]
    )
    with pytest.raises(Invalid) as refused:
        services.check_in(
            user=world.city.alice,
            organisation=world.cg_party,
            membership_id=world.alice_card.pk,
        )
    assert "same kind" in str(refused.value.fields["organisation"][0])
    assert snapshot() == before


def test_check_in_at_a_grid_roster_is_refused(world):
    roster = services.roster_for(community=world.city.community_a)
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        services.check_in(user=world.city.alice, organisation=roster)
    assert "appointed by their community" in str(refused.value.fields["organisation"][0])
    assert snapshot() == before


def test_self_approval(world):
    officer = add_worker(
        "13800000011", "自批者", district=world.city.district, id_number="620102199001011237"
    )
    from yizhan.membership.models import Officer

    Officer.objects.create(organisation=world.cg_party, user=officer)
    application = services.membership_apply(user=officer, organisation=world.cg_party, consent=True)
    before = snapshot()
    with pytest.raises(NotAllowed) as refused:
        services.membership_approve(actor=officer, membership_id=application.pk)
    assert str(refused.value) == "You cannot decide on your own application."
    assert snapshot() == before


def test_transfer_to_the_same_organisation(world):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        services.check_in(user=world.city.alice, organisation=world.cg_union)
    assert "already a member of 城关区" in str(refused.value.fields["organisation"][0])
    assert snapshot() == before


def test_a_request_after_the_membership_ended(world):
    services.membership_leave(user=world.city.alice, membership_id=world.alice_card.pk)
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert "ended on 2026-11-24; apply to join again" in str(refused.value)
    with pytest.raises(Conflict):
        services.membership_leave(user=world.city.alice, membership_id=world.alice_card.pk)
    with pytest.raises(Conflict):
        services.membership_end(actor=world.cora, membership_id=world.alice_card.pk, reason="x")
    assert snapshot() == before


def test_a_suspended_membership_does_not_move(world):
    services.membership_suspend(actor=world.cora, membership_id=world.alice_card.pk, reason="核查")
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert "suspended" in str(refused.value)
    assert snapshot() == before


def test_a_worker_with_no_membership_is_told_to_join(world):
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        services.check_in(user=world.bob, organisation=world.qlh_union)
    assert "Apply to join instead" in str(refused.value.fields["organisation"][0])
    assert snapshot() == before


def test_staff_who_are_not_workers_cannot_check_in(world):
    with pytest.raises(NotAllowed):
        services.check_in(user=world.city.dora, organisation=world.qlh_union)


def test_check_in_with_a_team_one_already_belongs_to(world, city):
    from yizhan.membership.models import Officer

    second = services.organisation_create(
        actor=city.adam, kind="volunteer_team", name="小蜜蜂第二分队", code="bees-2"
    )
    Officer.objects.create(organisation=world.bees, user=city.kim)
    Officer.objects.create(organisation=second, user=city.kim)
    for team in (world.bees, second):
        m = services.membership_apply(user=world.bob, organisation=team)
        services.membership_approve(actor=city.kim, membership_id=m.pk)
    first = Membership.objects.get(organisation=world.bees)
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        services.check_in(user=world.bob, organisation=second, membership_id=first.pk)
    assert "already a member of 小蜜蜂第二分队" in str(refused.value.fields["organisation"][0])
    assert snapshot() == before
