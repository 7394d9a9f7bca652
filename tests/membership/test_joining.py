"""Joining: apply (in the app or by the organisation's QR code), separate consent for unions
and parties, review by the organisation's officers, duplicates caught by the blind index,
the card with its number; suspend, reinstate, end and leave, each in the history."""

import pytest

from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.membership import selectors, services
from yizhan.membership.models import Membership, MembershipEvent, SensitiveConsent
from yizhan.membership.rules import join_token

from .conftest import add_worker

S = Membership.State


def test_approved_member_gets_a_card_number_and_a_history(world):
    card = world.alice_card
    assert card.state == S.ACTIVE
    assert card.number.startswith("GH2026") and len(card.number) == 12
    assert card.member_since.isoformat() == "2026-11-24"
    actions = [e.action for e in selectors.history(card)]
    assert actions == ["applied", "approved"]


def test_card_numbers_never_repeat_within_a_family(world):
    bob = services.membership_apply(user=world.bob, organisation=world.qlh_union, consent=True)
    bob = services.membership_approve(actor=world.quinn, membership_id=bob.pk)
    assert bob.number != world.alice_card.number
    assert int(bob.number[-6:]) == int(world.alice_card.number[-6:]) + 1


def test_union_application_needs_the_separate_consent(world):
    with pytest.raises(Invalid) as refused:
        services.membership_apply(user=world.bob, organisation=world.qlh_union, consent=False)
    assert "consent" in refused.value.fields
    assert not Membership.objects.filter(organisation=world.qlh_union).exists()
    assert SensitiveConsent.objects.count() == 1  # alice's, none for bob


def test_a_volunteer_team_needs_no_sensitive_consent(world):
    m = services.membership_apply(user=world.bob, organisation=world.bees)
    assert m.state == S.PENDING


def test_joining_by_qr_code_checks_the_token(world):
    with pytest.raises(Invalid) as refused:
        services.membership_apply(user=world.bob, organisation=world.bees, via="qr", token="forged")
    assert "token" in refused.value.fields
    m = services.membership_apply(
        user=world.bob, organisation=world.bees, via="qr", token=join_token(world.bees.code)
    )
    assert m.via == "qr"


def test_a_member_of_one_union_branch_cannot_join_another_they_check_in_instead(world):
    with pytest.raises(Conflict) as refused:
        services.membership_apply(user=world.city.alice, organisation=world.qlh_union)
    assert "check in" in str(refused.value)
    assert Membership.objects.filter(person_index=world.alice_card.person_index).count() == 1


def test_a_second_account_with_the_same_id_number_is_caught_by_the_blind_index(world):
    # The same person registered again under another mobile (e.g. after erasure of the ID on
    # the first profile): the membership row still holds the ID number's blind index.
    from yizhan.accounts.models import WorkerProfile

    WorkerProfile.objects.filter(user=world.city.alice).update(id_number_index=None)
    twin = add_worker(
        "13800000009",
        "王小川",
        district=world.city.district,
        id_number="620102199605041230",
    )
    with pytest.raises(Conflict) as refused:
        services.membership_apply(user=twin, organisation=world.qlh_union, consent=True)
    assert "ID number" in str(refused.value)


def test_officers_see_earlier_memberships_of_the_same_id_number_when_reviewing(world):
    services.membership_leave(user=world.city.alice, membership_id=world.alice_card.pk)
    services.membership_apply(user=world.city.alice, organisation=world.cg_union)
    [application] = selectors.applications(world.cg_union)
    assert [e.state for e in application.earlier] == [S.ENDED]


def test_officer_cannot_approve_their_own_application(world):
    cora_worker = add_worker(
        "13800000010", "干事本人", district=world.city.district, id_number="620102199001011237"
    )
    from yizhan.membership.models import Officer

    Officer.objects.create(organisation=world.bees, user=cora_worker)
    m = services.membership_apply(user=cora_worker, organisation=world.bees)
    with pytest.raises(NotAllowed) as refused:
        services.membership_approve(actor=cora_worker, membership_id=m.pk)
    assert "own application" in str(refused.value)
    m.refresh_from_db()
    assert m.state == S.PENDING and m.number == ""


def test_an_officer_of_another_organisation_cannot_decide(world):
    m = services.membership_apply(user=world.bob, organisation=world.qlh_union, consent=True)
    with pytest.raises(NotAllowed):
        services.membership_approve(actor=world.cora, membership_id=m.pk)
    # The federation's officer acts for every branch below it.
    assert services.membership_approve(actor=world.fay, membership_id=m.pk).state == S.ACTIVE


def test_rejection_needs_a_reason_the_applicant_reads(world):
    m = services.membership_apply(user=world.bob, organisation=world.qlh_union, consent=True)
    with pytest.raises(Invalid):
        services.membership_reject(actor=world.quinn, membership_id=m.pk, reason="  ")
    services.membership_reject(actor=world.quinn, membership_id=m.pk, reason="不在本区工作")
    m.refresh_from_db()
    assert m.state == S.REJECTED and m.reason == "不在本区工作"
    assert world.bob.notifications.filter(params__reason="不在本区工作").exists()


def test_a_federation_takes_no_members_directly(world):
    with pytest.raises(Invalid) as refused:
        services.membership_apply(user=world.bob, organisation=world.federation, consent=True)
    assert "branches" in str(refused.value.fields["organisation"][0])


def test_suspend_reinstate_and_end_are_recorded_with_reasons(world):
    card = world.alice_card
    services.membership_suspend(actor=world.cora, membership_id=card.pk, reason="会费欠缴")
    services.membership_reinstate(actor=world.cora, membership_id=card.pk)
    services.membership_end(actor=world.cora, membership_id=card.pk, reason="本人申请")
    card.refresh_from_db()
    assert card.state == S.ENDED
    assert [e.action for e in MembershipEvent.objects.filter(membership=card)] == [
        "applied",
        "approved",
        "suspended",
        "reinstated",
        "ended",
    ]
    with pytest.raises(Conflict) as refused:
        services.membership_suspend(actor=world.cora, membership_id=card.pk, reason="x")
    assert "ended on" in str(refused.value)


def test_withdrawing_consent_ends_the_memberships_it_covered(world):
    ended = services.consent_withdraw(user=world.city.alice, family="union")
    assert ended == 1
    world.alice_card.refresh_from_db()
    assert world.alice_card.state == S.ENDED
    assert not selectors.has_consent(world.city.alice, "union")
