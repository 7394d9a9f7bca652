"""The transfer sweep (core.periodic): a reminder one working day before the deadline,
escalation to the city once it has passed, each exactly once, as digests."""

from django.urls import reverse

from tests.clock import local
from yizhan.core import periodic
from yizhan.membership import services
from yizhan.membership.models import Transfer


def notices(user, text):
    return user.notifications.filter(message__contains=text).count()


def test_the_sweep_reminds_then_escalates_each_once(world, clock, city):
    clock.move_to(local(2026, 9, 30, 16, 0))
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)

    clock.move_to(local(2026, 10, 5, 9, 0))  # inside the holiday: nothing due yet
    assert services.transfer_sweep() == services.SweepResult(reminded=0, escalated=0)

    clock.move_to(local(2026, 10, 9, 9, 0))  # the deadline is the end of the next working day
    assert services.transfer_sweep().reminded == 1
    assert services.transfer_sweep().reminded == 0  # once
    assert notices(world.quinn, "must be acknowledged by the end of the next working day") == 1

    clock.move_to(local(2026, 10, 11, 0, 30))
    assert services.transfer_sweep().escalated == 1
    assert services.transfer_sweep().escalated == 0
    assert notices(city.adam, "escalated to the city") == 1
    assert notices(world.quinn, "are overdue and were escalated") == 1
    transfer.refresh_from_db()
    assert transfer.escalated_at is not None and transfer.state == "pending"


def test_an_acknowledged_check_in_is_never_escalated(world, clock):
    transfer, _ = services.check_in(user=world.city.alice, organisation=world.qlh_union)
    services.transfer_acknowledge(actor=world.quinn, transfer_id=transfer.pk)
    clock.move_to(local(2026, 12, 10, 9, 0))
    assert services.transfer_sweep() == services.SweepResult(0, 0)


def test_the_sweep_is_registered_and_runs_on_the_task_worker(world, clock, city, run_tasks):
    assert "membership.transfer_sweep" in periodic.jobs()
    services.check_in(user=world.city.alice, organisation=world.qlh_union)
    clock.move_to(local(2026, 12, 1, 9, 0))
    periodic.tick()
    run_tasks()
    assert Transfer.objects.get().escalated_at is not None


def test_the_city_sees_escalated_check_ins_without_the_member(world, clock, city, login):
    services.check_in(user=world.city.alice, organisation=world.qlh_union)
    clock.move_to(local(2026, 12, 1, 9, 0))
    services.transfer_sweep()
    page = login(city.adam).get(reverse("membership:escalations")).content.decode()
    assert "七里河区新就业形态劳动者工会联合会" in page
    assert "王" not in page.split("<main", 1)[1]  # no member named
    assert login(city.alice).get(reverse("membership:escalations")).status_code == 403
