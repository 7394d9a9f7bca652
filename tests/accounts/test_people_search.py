"""Staff find a worker by name, by mobile or by the mask they read on a screen (138****0001):
blind-index lookups (nobody decrypted), audited, and the number typed never in a URL."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_user
from yizhan.accounts.models import User, WorkerProfile
from yizhan.core.models import AuditLog
from yizhan.core.pii import mask_index, name_index


def _worker(city, mobile, name, **extra):
    user = make_user(mobile, name)
    WorkerProfile.objects.create(
        user=user,
        kind=extra.get("kind", WorkerProfile.Kind.COURIER),
        platform=extra.get("platform"),
        home_district=city.district,
        consent_version="2026-11",
        consent_at=timezone.now() - dt.timedelta(days=1),
    )
    return user


@pytest.fixture
def people(city):
    """Alice (13800000001), someone sharing her mask (138****0001), someone who does not."""
    return {
        "twin": _worker(city, "13812340001", "李四"),
        "other": _worker(city, "13912340002", "赵六"),
    }


def _search(client, q, **filters):
    return client.post("/staff/people/search/", {"q": q, **filters})


def test_full_mobile_finds_the_worker_and_the_number_is_in_no_url(city, login, people):
    client = login(city.adam)
    response = _search(client, "138 0000 0001")
    assert response.status_code == 302
    location = response["Location"]
    assert "search=" in location and "13800000001" not in location and "0001" not in location
    page = client.get(location).content.decode()
    assert "王**" in page and "138****0001" in page
    assert "李*" not in page  # the twin shares the mask, not the number
    assert "13800000001" not in page


def test_a_masked_mobile_finds_everyone_with_that_mask(city, login, people):
    client = login(city.dora)
    page = client.get(_search(client, "138****0001")["Location"]).content.decode()
    assert "王**" in page and "李*" in page and "赵*" not in page
    assert "共 2 条结果" in page


def test_a_whole_name_finds_the_worker(city, login, people):
    client = login(city.adam)
    page = client.get(_search(client, "赵六")["Location"]).content.decode()
    assert "赵*" in page and "王**" not in page


def test_each_search_is_audited_without_the_number(city, login, people):
    client = login(city.adam)
    _search(client, "13800000001")
    _search(client, "13700000000")  # nobody
    entries = list(AuditLog.objects.filter(actor=city.adam).order_by("id"))
    assert [e.subject_id for e in entries] == [str(city.alice.pk), str(city.adam.pk)]
    assert entries[0].action == AuditLog.Action.PII_READ and entries[0].fields == "mobile"
    assert "nobody found" in entries[1].reason
    assert not any("1380000" in e.reason or "1370000" in e.reason for e in entries)


def test_something_that_is_neither_name_nor_number_is_refused_kindly(city, login, people):
    client = login(city.adam)
    page = client.post("/staff/people/search/", {"q": "12ab"}, follow=True).content.decode()
    assert "138****1234" in page  # the message says what the box understands
    assert not AuditLog.objects.exists()


def test_filters_and_sort_survive_a_search(city, login, people):
    client = login(city.adam)
    response = _search(client, "138****0001", kind="courier", sort="-kind")
    assert "kind=courier" in response["Location"] and "sort=-kind" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "李*" in page and "王**" not in page  # alice is a delivery rider


def test_an_unknown_or_expired_search_token_shows_everyone_and_says_so(city, login, people):
    page = login(city.adam).get("/staff/people/?search=nope").content.decode()
    assert "搜索已过期" in page
    assert "王**" in page and "赵*" in page


def test_the_old_mobile_query_parameter_is_ignored(city, login, people):
    page = login(city.adam).get("/staff/people/?mobile=13800000001").content.decode()
    assert "赵*" in page  # not filtered: a number in a URL is not searched


@pytest.mark.parametrize("name", ["alice", "grace", "kim", "dan", "pat"])
def test_only_dispatchers_and_the_city_administrator_search(city, login, name):
    client = login(getattr(city, name))
    assert _search(client, "13800000001").status_code == 403
    assert client.get("/staff/people/").status_code == 403


def test_search_indexes_follow_changes_of_name_and_mobile(city):
    alice = User.objects.get(pk=city.alice.pk)
    assert alice.name_index == name_index("王小川")
    alice.name = "王大川"
    alice.save(update_fields=["name"])
    alice.set_mobile("13611112222")
    alice.save(update_fields=["mobile", "mobile_index"])
    alice.refresh_from_db()
    assert alice.name_index == name_index("王大川")
    assert alice.mobile_mask_index == mask_index("136", "2222")
    alice.save(update_fields=["last_login"])  # no decrypting for unrelated updates
    assert User.objects.filter(name_index=name_index("王大川")).count() == 1


def test_people_list_sorts_by_whitelisted_columns_only(city, login, people):
    client = login(city.adam)
    for sort in ["kind", "-kind", "district", "-joined", "platform", "name", "user__name", "';--"]:
        response = client.get(f"/staff/people/?sort={sort}")
        assert response.status_code == 200, sort
    page = client.get("/staff/people/?sort=-kind").content.decode()
    assert 'aria-sort="descending"' in page
