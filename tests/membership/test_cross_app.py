"""The small functions membership added to other apps' selectors (listed in docs/MEMBERSHIP.md)."""

import datetime as dt

from django.utils import timezone

from tests.conftest import ALICE_ID
from yizhan.accounts import selectors as accounts
from yizhan.core.pii import blind_index
from yizhan.reports import selectors as reports
from yizhan.reports.models import Category, Report


def test_registered_id_indexes_finds_only_registered_not_erased_workers(city):
    mine, other = blind_index(ALICE_ID), blind_index("620102198001011233")
    assert accounts.registered_id_indexes([mine, other]) == {mine}


def test_open_in_communities_and_activity_by_reporter(city):
    category = Category.objects.get(code="exposed-wire")
    due = timezone.now() + dt.timedelta(days=1)
    open_a = Report.objects.create(
        reporter=city.alice,
        category=category,
        lat=36.02,
        lng=103.82,
        community=city.community_a,
        due_at=due,
    )
    Report.objects.create(
        reporter=city.alice,
        category=category,
        lat=36.02,
        lng=103.82,
        community=city.community_a,
        due_at=due,
        state="closed",
    )
    assert [r.pk for r in reports.open_in_communities(community_ids=[city.community_a.pk])] == [
        open_a.pk
    ]
    start = timezone.now() - dt.timedelta(days=1)
    end = timezone.now() + dt.timedelta(days=1)
    assert reports.activity_by_reporter(
        reporter_ids=[city.alice.pk, city.dora.pk], start=start, end=end
    ) == {city.alice.pk: {"filed": 2, "resolved": 1}}
