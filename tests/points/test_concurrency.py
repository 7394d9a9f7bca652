"""On PostgreSQL, many clients at once: no oversold stock, no negative balance, every
accepted redemption backed by points, one award per source, one close per redemption.
Each thread has its own database connection, as separate app processes would."""

import uuid

from tests.concurrency import POSTGRES_ONLY, at_once
from tests.conftest import make_worker
from yizhan.core.errors import YizhanError
from yizhan.points import selectors, services
from yizhan.points.models import Posting, Redemption
from yizhan.points.verification import verify_ledger

pytestmark = POSTGRES_ONLY


def workers(city, n):
    people = [city.alice]
    for i in range(n - 1):
        user = make_worker(f"1360000{i:04d}", f"骑手{i}", district=city.district)
        people.append(user)
    return people


def refusals(results):
    return [r for r in results if isinstance(r, YizhanError)]


def test_many_workers_race_for_the_last_items_and_none_is_oversold(bank):
    people = workers(bank, 12)
    for person in people:
        services.grant(worker=person, points=100, reason="race")
    item = services.catalog_item_create(
        by=bank.adam, name="头盔", price=30, stock=3, stations=[bank.station]
    )

    results = at_once(
        12,
        lambda i: services.redemption_create(
            worker=people[i], item_id=item.pk, station_id=bank.station.pk
        ),
    )
    accepted = [r for r in results if isinstance(r, Redemption)]
    assert len(accepted) == 3
    assert len(refusals(results)) == 9 and {r.status for r in refusals(results)} == {409}
    item.refresh_from_db()
    assert item.stock == 0
    report = verify_ledger()
    assert report.ok, report.violations
    assert report.totals["balance:escrow"] == 90


def test_one_worker_spends_one_balance_from_many_phones_at_once(bank):
    services.grant(worker=bank.alice, points=50, reason="race")
    item = services.catalog_item_create(
        by=bank.adam, name="饭票", price=20, stock=100, stations=[bank.station]
    )
    results = at_once(
        16,
        lambda i: services.redemption_create(
            worker=bank.alice, item_id=item.pk, station_id=bank.station.pk
        ),
    )
    accepted = [r for r in results if isinstance(r, Redemption)]
    assert len(accepted) == 2
    assert all(r.status == 409 for r in refusals(results)) and len(refusals(results)) == 14
    assert selectors.worker_balance(bank.alice) == {"balance": 10, "held": 40}
    for redemption in accepted:  # every accepted redemption is backed by a hold posting
        hold = Posting.objects.get(redemption=redemption, kind="hold")
        assert hold.entries.get(account__owner=bank.alice).amount == -20
    assert verify_ledger().ok


def test_a_double_tap_from_many_threads_makes_one_redemption(bank):
    services.grant(worker=bank.alice, points=100, reason="race")
    item = services.catalog_item_create(
        by=bank.adam, name="雨衣", price=10, stock=100, stations=[bank.station]
    )
    key = str(uuid.uuid4())
    results = at_once(
        8,
        lambda i: services.redemption_request(
            worker=bank.alice, item_id=item.pk, station_id=bank.station.pk, key=key
        ),
    )
    codes = {r[0].code for r in results}
    assert len(codes) == 1, results
    assert sum(1 for _, replayed in results if not replayed) == 1
    assert Redemption.objects.count() == 1
    assert selectors.worker_balance(bank.alice)["balance"] == 90


def test_a_source_delivered_many_times_at_once_is_awarded_once(bank):
    rule = bank.rules["wire"]
    results = at_once(
        10,
        lambda i: services.award(
            rule=rule, worker=bank.alice, source_type="report", source_id="race-1"
        ),
    )
    assert len({r.pk for r in results}) == 1, results
    assert selectors.worker_balance(bank.alice)["balance"] == 20
    assert verify_ledger().ok


def test_hand_over_cancel_and_sweep_racing_close_a_redemption_once(bank):
    services.grant(worker=bank.alice, points=100, reason="race")
    item = services.catalog_item_create(
        by=bank.adam, name="书包", price=40, stock=5, stations=[bank.station]
    )
    redemption = services.redemption_create(
        worker=bank.alice, item_id=item.pk, station_id=bank.station.pk
    )
    actions = [
        lambda: services.redemption_fulfil(keeper=bank.kim, code=redemption.code),
        lambda: services.redemption_cancel(worker=bank.alice, code=redemption.code),
    ] * 4
    results = at_once(len(actions), lambda i: actions[i]())
    closed = [r for r in results if isinstance(r, Redemption)]
    assert len(closed) == 1, results
    assert Posting.objects.filter(redemption=redemption).count() == 2
    assert verify_ledger().ok


def test_stagers_and_several_appliers_at_once_post_each_source_once_within_the_caps(bank):
    people = workers(bank, 6)
    rule = bank.rules["wire"]  # 20 a report, 60 a day

    def stage_then_apply(i):
        for n in range(12):  # every thread stages the same 12 reports for its worker...
            services.award_request(
                deed="report_verified",
                worker_id=people[i % 6].pk,
                source_id=f"{i % 6}-{n}",
                category=rule.category,
            )
        return services.awards_apply_all(limit=5)  # ...and applies batches of five

    results = at_once(12, stage_then_apply)
    assert all(isinstance(r, int) for r in results), results
    services.awards_apply_all()
    assert [selectors.worker_balance(u)["balance"] for u in people] == [60] * 6
    assert Posting.objects.filter(kind="award").count() == 6 * 3
    report = verify_ledger()
    assert report.ok, report.violations
