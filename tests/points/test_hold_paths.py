"""A redemption's hold has two paths: step by step from Python (`ledger.post`, SQLite — the
demo) and one call of the database function `points_hold_redemption` (PostgreSQL, which
also sends the COMMIT with it when the transaction is the service's own). The same
redemptions, refusals and retries must leave the same rows and say the same words either
way: entries, balances, stock, history, notices and every message."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from tests.conftest import make_worker
from yizhan.core.errors import YizhanError
from yizhan.core.models import Notification
from yizhan.points import services
from yizhan.points.models import Account, Entry, Posting, Redemption, RedemptionEvent
from yizhan.points.verification import verify_ledger
from yizhan.stations.models import Station

IN_DATABASE = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database function is PostgreSQL's"
)


def worker(city, mobile):
    return make_worker(mobile, "骑手", district=city.district)


def scenario(city, *, tag):
    """Redemptions, refusals and a retried request by two new workers of an item of its
    own; returns what they were told and the rows it left, with ids made comparable."""
    rich, poor = worker(city, f"137{tag}0000001"), worker(city, f"137{tag}0000002")
    item = services.catalog_item_create(
        by=city.adam, name="头盔", price=30, stock=2, stations=[city.station]
    )
    elsewhere = Station.objects.create(
        code=f"ELSEWHERE{tag}", name="乙驿站", kind="union", lat=36.0, lng=103.8
    )
    since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    told = []

    def attempt(step):
        try:
            made = step()
        except YizhanError as refusal:
            told.append(
                (
                    type(refusal).__name__,
                    refusal.code,
                    str(refusal),
                    {k: [str(m) for m in v] for k, v in refusal.fields.items()},
                )
            )
        else:
            told.append(("redeemed", made.points, made.status, len(made.code)))
            return made

    def create(who=rich, item_id=item.pk, station_id=city.station.pk):
        return services.redemption_create(worker=who, item_id=item_id, station_id=station_id)

    def request(key):
        made, replayed = services.redemption_request(
            worker=rich, item_id=item.pk, station_id=city.station.pk, key=key
        )
        told.append(("replayed" if replayed else "first",))
        return made

    with translation.override("en"):
        services.grant(worker=rich, points=50, reason="雨天", by=city.adam)
        attempt(create)  # 20 left, one helmet left
        attempt(create)  # not enough points: 20
        attempt(lambda: create(who=poor))  # no account at all: 0
        services.grant(worker=rich, points=40, reason="雨天", by=city.adam)
        tapped = attempt(lambda: request("tap-1"))  # the last helmet
        again = attempt(lambda: request("tap-1"))  # a double tap: the same redemption
        told.append(("the same code", again.code == tapped.code))
        attempt(create)  # out of stock
        attempt(lambda: create(station_id=elsewhere.pk))  # not offered there
        attempt(lambda: create(item_id=item.pk + 1000))  # not in the catalogue

    people = {rich.pk: "rich", poor.pk: "poor", city.adam.pk: "adam", city.kim.pk: "kim"}
    redemptions = list(Redemption.objects.filter(item=item).order_by("pk"))
    number = {r.pk: n for n, r in enumerate(redemptions)}
    postings = Posting.objects.filter(redemption__item=item).order_by("pk")

    def account(entry):
        return people.get(entry.account.owner_id) or entry.account.code

    item.refresh_from_db()
    return {
        "told": told,
        "redemptions": [
            (
                number[r.pk],
                people[r.worker_id],
                r.station_id == city.station.pk,
                r.points,
                r.status,
                r.expires_at - r.created_at,
                len(r.code),
            )
            for r in redemptions
        ],
        "history": [
            (
                number[e.redemption_id],
                e.status,
                people.get(e.by_id),
                e.note,
                e.at == e.redemption.created_at,
            )
            for e in RedemptionEvent.objects.filter(redemption__item=item).order_by("pk")
        ],
        "postings": [
            (
                p.kind,
                p.source_type,
                p.source_id == str(p.redemption_id),
                number[p.redemption_id],
                people.get(p.created_by_id),
                p.reason,
                p.rule_id,
                p.reverses_id,
                p.created_at == p.redemption.created_at,
                [(account(e), e.amount) for e in p.entries.order_by("pk")],
            )
            for p in postings
        ],
        "entries": Entry.objects.filter(posting__in=postings).count(),
        "balances": {
            people[owner]: balance
            for owner, balance in Account.objects.filter(owner__in=[rich, poor]).values_list(
                "owner_id", "balance"
            )
        },
        "stock": item.stock,
        "notices": [
            (people.get(n.recipient_id), n.verb, n.message, n.params, n.url)
            for n in Notification.objects.filter(pk__gt=since, verb="points.pick_up").order_by("pk")
        ],
    }


EXPECTED_TOLD = [
    ("redeemed", 30, "held", 8),
    ("Conflict", "insufficient_points", "Not enough points: 头盔 costs 30, you have 20.", {}),
    ("Conflict", "insufficient_points", "Not enough points: 头盔 costs 30, you have 0.", {}),
    ("first",),
    ("redeemed", 30, "held", 8),
    ("replayed",),
    ("redeemed", 30, "held", 8),
    ("the same code", True),
    ("Conflict", "conflict", "Sorry, 头盔 is out of stock.", {}),
    (
        "Invalid",
        "invalid",
        "Please correct the errors below.",
        {"station_id": ["This item cannot be picked up at that station."]},
    ),
    (
        "Invalid",
        "invalid",
        "Please correct the errors below.",
        {"item_id": ["This item is not in the catalogue."]},
    ),
]


def held(n):
    return (
        "hold",
        "redemption",
        True,
        n,
        "rich",
        "",
        None,
        None,
        True,
        [("rich", -30), ("escrow", 30)],
    )


def test_the_python_path_redeems_refuses_and_retries_as_the_city_expects(bank, settings):
    settings.POINTS_HOLD_IN_DATABASE = False  # SQLite's path, on either database
    seen = scenario(bank, tag="1")
    assert seen["told"] == EXPECTED_TOLD
    assert seen["redemptions"] == [
        (n, "rich", True, 30, "held", dt.timedelta(hours=72), 8) for n in (0, 1)
    ]
    assert seen["history"] == [(n, "held", "rich", "", True) for n in (0, 1)]
    assert seen["postings"] == [held(0), held(1)] and seen["entries"] == 4
    # the poor worker's refusal opened no account; nothing of a refusal is left
    assert (seen["balances"], seen["stock"]) == ({"rich": 30}, 0)
    assert (
        seen["notices"]
        == [
            (
                "kim",
                "points.pick_up",
                "%(item)s was redeemed for pick-up at %(station)s: have it ready.",
                {"item": "头盔", "station": bank.station.name},
                reverse("points:keeper"),
            )
        ]
        * 2
    )
    assert verify_ledger().ok


@IN_DATABASE
def test_the_database_function_leaves_the_same_rows_and_words_as_the_python_path(bank, settings):
    settings.POINTS_HOLD_IN_DATABASE = False
    by_python = scenario(bank, tag="1")
    settings.POINTS_HOLD_IN_DATABASE = True
    in_database = scenario(bank, tag="2")
    assert in_database == by_python
    assert in_database["told"] == EXPECTED_TOLD
    assert verify_ledger().ok


@IN_DATABASE
@pytest.mark.django_db(transaction=True)
def test_the_function_with_its_commit_leaves_the_same_rows_and_words(bank, settings):
    """The service's own transaction: the COMMIT travels with the function's call, and a
    refusal still leaves nothing behind."""
    settings.POINTS_HOLD_IN_DATABASE = False
    by_python = scenario(bank, tag="1")
    settings.POINTS_HOLD_IN_DATABASE = True
    assert not connection.in_atomic_block
    assert scenario(bank, tag="2") == by_python
    assert verify_ledger().ok
