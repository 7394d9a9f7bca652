"""The queues as staff work them at a desk: sortable columns, a result count, filters kept
when paging, the way back to the queue and on to the next case, no query per row."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from yizhan.cases import services


def test_the_queue_sorts_by_a_header_and_says_how(cases, login):
    first = cases.filed()
    second = cases.filed()
    client = login(cases.city.dora)
    page = client.get("/cases/queue/").content.decode()
    assert "共 2 条结果" in page
    assert 'aria-sort="ascending"' in page and "?sort=-deadline" in page
    newest = client.get("/cases/queue/?sort=-created").content.decode()
    assert newest.index(f"#{second.pk} ") < newest.index(f"#{first.pk} ")
    assert 'aria-sort="descending"' in newest
    # Not a column: the default order, no error.
    assert client.get("/cases/queue/?sort=description").status_code == 200


def test_back_to_the_queue_keeps_the_filters(cases, login):
    case = cases.filed()
    client = login(cases.city.dora)
    client.get(f"/cases/queue/?category={cases.wages.pk}&sort=-created")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/queue/?category={cases.wages.pk}&amp;sort=-created"' in page
    assert "返回队列" in page


def test_next_in_queue_is_the_next_case_waiting_for_me(cases, login):
    first = cases.filed()
    second = cases.filed()
    signed = cases.signed()  # waits for the department, not for the dispatcher
    client = login(cases.city.dora)
    client.get("/cases/queue/")
    page = client.post(f"/cases/{first.pk}/step/accept/", follow=True).content.decode()
    assert f"工单 #{first.pk} 已受理。" in page
    assert f"队列中的下一件：#{second.pk}" in page
    assert f"队列中的下一件：#{signed.pk}" not in page


def test_the_department_is_led_to_its_next_order(cases, login):
    one = cases.dispatched()
    other = cases.dispatched()
    client = login(cases.city.dan)
    client.get("/cases/department/")
    page = client.post(f"/cases/{one.pk}/step/sign_for/", follow=True).content.decode()
    assert f"您已签收工单 #{one.pk}。" in page
    assert f"队列中的下一件：#{other.pk}" in page
    services.case_sign_for(case=other, actor=cases.city.dan)
    services.case_reply(case=other, actor=cases.city.dan, text="已处理")
    page = client.get(f"/cases/{one.pk}/").content.decode()
    assert "队列中没有其他等您处理的工单" in page


def test_the_worker_sees_no_queue_links(cases, login):
    case = cases.filed()
    page = login(cases.city.alice).get(f"/cases/{case.pk}/").content.decode()
    assert "返回队列" not in page and 'class="staff-shell"' not in page


def test_the_queue_reads_no_query_per_row(cases, login):
    client = login(cases.city.dora)
    for _ in range(3):
        cases.dispatched()
    client.get("/cases/queue/")
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/queue/")
    for _ in range(12):
        cases.dispatched(now=None)
    with CaptureQueriesContext(connection) as many:
        client.get("/cases/queue/")
    assert len(many) == len(few)


def test_pages_keep_filters_and_sort(cases, login):
    for i in range(55):
        cases.filed(now=cases.city.alice.date_joined + dt.timedelta(minutes=i))
    page = login(cases.city.dora).get("/cases/queue/?channel=app&sort=-created").content.decode()
    assert "共 55 条结果" in page and "第 1 / 2 页" in page
    assert 'href="?channel=app&amp;sort=-created&amp;page=2"' in page
