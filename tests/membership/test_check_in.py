"""One-step check-in (一键报到): one tap creates a transfer the receiving organisation must
acknowledge within its working days; the membership stays active (continuous) meanwhile and
moves with its number and 'member since' date when acknowledged."""

import pytest

from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import Event
from yizhan.membership import selectors, services
from yizhan.membership.models import Membership, Transfer

S = Membership.State


def test_one_tap_creates_a_transfer_and_tells_both_organisations(world):
    transfer, created = services.check_in(
        user=world.city.alice, organisation=world.qlh_union, station=world.s7
    )
    assert created and transfer.state == "pending"
    assert transfer.from_org == world.cg_union and transfer.station == world.s7
    # Tuesday 24 November 2026 + 3 working days = Friday 27 November, end of day.
    assert f"{transfer.due_at.astimezone(selectors.LOCAL):%Y-%m-%d %H:%M}" == "2026-11-27 23:59"
    world.alice_card.refresh_from_db()
    assert world.alice_card.state == S.ACTIVE  # continuous while waiting
    assert world.quinn.notifications.filter(message__startswith="A member checked in").exists()
    assert world.cora.notifications.filter(message__contains="checked in elsewhere").exists()
    event = Event.objects.get(name="membership.checked_in")
    assert "worker_id" not in event.payload and "person" not in event.payload


def test_a_second_tap_returns_the_same_check_in(world):
    first, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    again, created = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    assert again.pk == first.pk and not created
    assert Transfer.objects.count() == 1


def test_acknowledging_moves_the_membership_with_its_number(world):
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    services.transfer_acknowledge(actor=world.quinn, transfer_id=transfer.pk)
    old = Membership.objects.get(pk=world.alice_card.pk)
    new = Membership.objects.get(previous=old)
    assert old.state == S.TRANSFERRED
    assert new.state == S.ACTIVE and new.organisation == world.qlh_union
    assert new.number == old.number and new.member_since == old.member_since
    assert [m.organisation for m in selectors.my_memberships(world.city.alice)] == [world.qlh_union]
    assert [e.action for e in selectors.history(new)] == [
        "applied",
        "approved",
        "checked_in",
        "transferred_out",
        "transferred_in",
    ]
    assert world.city.alice.notifications.filter(message__contains="acknowledged").exists()
    assert world.cora.notifications.filter(message__contains="no longer on your roll").exists()


def test_the_receiving_officer_cannot_acknowledge_their_own_check_in(world):
    from yizhan.membership.models import Officer

    Officer.objects.create(organisation=world.qlh_union, user=world.city.alice)
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    with pytest.raises(NotAllowed) as refused:
        services.transfer_acknowledge(actor=world.city.alice, transfer_id=transfer.pk)
    assert "own check-in" in str(refused.value)
    transfer.refresh_from_db()
    assert transfer.state == "pending"


def test_the_sending_officer_cannot_acknowledge(world):
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    with pytest.raises(NotAllowed):
        services.transfer_acknowledge(actor=world.cora, transfer_id=transfer.pk)


def test_decline_keeps_the_membership_and_tells_the_member_why(world):
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    with pytest.raises(Invalid):
        services.transfer_decline(actor=world.quinn, transfer_id=transfer.pk, reason="")
    services.transfer_decline(actor=world.quinn, transfer_id=transfer.pk, reason="请到西固区报到")
    world.alice_card.refresh_from_db()
    assert world.alice_card.state == S.ACTIVE and world.alice_card.organisation == world.cg_union
    assert world.city.alice.notifications.filter(params__reason="请到西固区报到").exists()


def test_the_member_can_cancel_a_waiting_check_in(world):
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    services.transfer_cancel(user=world.city.alice, transfer_id=transfer.pk)
    transfer.refresh_from_db()
    assert transfer.state == "cancelled"
    with pytest.raises(Conflict):
        services.transfer_acknowledge(actor=world.quinn, transfer_id=transfer.pk)


def test_a_second_check_in_elsewhere_waits_for_the_first(world):
    services.check_in(user=world.city.alice, organisation=world.qlh_union)
    other = services.organisation_create(
        actor=world.city.adam,
        kind="union_pool",
        name="永登县新就业形态劳动者会员池",
        code="yd-pool",
        parent=world.federation,
    )
    with pytest.raises(Conflict) as refused:
        services.check_in(user=world.city.alice, organisation=other)
    assert "cancel it" in str(refused.value)
