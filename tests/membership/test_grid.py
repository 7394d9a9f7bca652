"""Part-time grid members (兼职网格员): a community appoints a worker, who must agree; their
reports are marked through `is_grid_member` / `grid_members_among`; "my grid" lists the open
reports where they serve; monthly activity per grid member; suspend and end."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clock import local
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.membership import selectors, services
from yizhan.membership.models import GridAppointment
from yizhan.reports.models import Category, Report

G = GridAppointment.State


def report(city, *, reporter, community, state="submitted", when=None):
    r = Report.objects.create(
        reporter=reporter,
        category=Category.objects.get(code="exposed-wire"),
        lat=36.02,
        lng=103.82,
        community=community,
        state=state,
        due_at=timezone.now() + dt.timedelta(days=3),
    )
    if when is not None:
        Report.objects.filter(pk=r.pk).update(created_at=when)
    return r


@pytest.fixture
def appointed(world, city):
    a = services.grid_appoint(
        actor=city.grace, community=city.community_a, worker=city.alice, grid="第3网格"
    )
    return services.grid_consent(user=city.alice, appointment_id=a.pk, accept=True)


def test_nothing_starts_without_the_workers_consent(world, city):
    a = services.grid_appoint(actor=city.grace, community=city.community_a, worker=city.alice)
    assert a.state == G.PROPOSED
    assert not selectors.is_grid_member(city.alice, city.community_a.pk)
    assert city.alice.notifications.filter(message__contains="part-time grid member").exists()
    services.grid_consent(user=city.alice, appointment_id=a.pk, accept=False)
    assert not selectors.is_grid_member(city.alice, city.community_a.pk)
    assert city.grace.notifications.filter(message__contains="declined").exists()


def test_an_appointed_grid_member_is_marked_for_their_community_only(appointed, city):
    assert selectors.is_grid_member(city.alice, city.community_a.pk)
    assert not selectors.is_grid_member(city.alice, city.community_b.pk)
    assert not selectors.is_grid_member(city.dora, city.community_a.pk)


def test_the_bulk_variant_marks_a_page_of_reports_in_one_query(
    appointed, city, django_assert_num_queries
):
    rows = [
        (city.alice.pk, city.community_a.pk),
        (city.alice.pk, city.community_b.pk),
        (city.grace.pk, city.community_a.pk),
        (None, city.community_a.pk),
    ]
    with django_assert_num_queries(1):
        found = selectors.grid_members_among(rows)
    assert found == {(city.alice.pk, city.community_a.pk)}


def test_a_report_made_before_the_appointment_is_not_a_grid_members(appointed, city, clock):
    before = local(2026, 11, 1, 9, 0)
    during = timezone.now()
    rows = [
        (city.alice.pk, city.community_a.pk, before),
        (city.alice.pk, city.community_a.pk, during),
    ]
    assert selectors.grid_members_among(rows) == {(city.alice.pk, city.community_a.pk)}
    assert not selectors.is_grid_member(city.alice, city.community_a.pk, at=before)
    assert selectors.is_grid_member(city.alice, city.community_a.pk, at=during)
    services.grid_end(actor=city.grace, appointment_id=appointed.pk, reason="搬离本社区")
    assert not selectors.is_grid_member(city.alice, city.community_a.pk)
    assert selectors.is_grid_member(city.alice, city.community_a.pk, at=during)  # history holds


def test_my_grid_lists_the_open_reports_of_my_community(appointed, city, login):
    open_here = report(city, reporter=city.dora, community=city.community_a)
    report(city, reporter=city.dora, community=city.community_a, state="closed")
    report(city, reporter=city.dora, community=city.community_b)
    _appointments, reports = selectors.my_grid(city.alice)
    assert [r.pk for r in reports] == [open_here.pk]
    page = login(city.alice).get(reverse("membership:grid")).content.decode()
    assert "第3网格" in page and "甲社区" in page


def test_monthly_activity_counts_filed_and_resolved_reports(appointed, city, clock):
    report(city, reporter=city.alice, community=city.community_a)
    report(city, reporter=city.alice, community=city.community_a, state="resolved")
    report(city, reporter=city.alice, community=city.community_a, when=local(2026, 10, 5, 9))
    [row] = selectors.grid_activity(community_id=city.community_a.pk, month=dt.date(2026, 11, 1))
    assert (row["filed"], row["resolved"]) == (2, 1)
    assert (
        selectors.grid_activity(community_id=city.community_a.pk, month=dt.date(2026, 10, 1)) == []
    )


def test_suspend_and_reinstate(appointed, city):
    with pytest.raises(Invalid):
        services.grid_suspend(actor=city.grace, appointment_id=appointed.pk, reason="")
    services.grid_suspend(actor=city.grace, appointment_id=appointed.pk, reason="暂停两周")
    assert not selectors.is_grid_member(city.alice, city.community_a.pk)
    services.grid_reinstate(actor=city.grace, appointment_id=appointed.pk)
    assert selectors.is_grid_member(city.alice, city.community_a.pk)


def test_only_the_communitys_officers_appoint(world, city):
    with pytest.raises(NotAllowed):
        services.grid_appoint(actor=city.gary, community=city.community_a, worker=city.alice)
    with pytest.raises(Invalid):
        services.grid_appoint(actor=city.grace, community=city.community_a, worker=city.dora)
    services.grid_appoint(actor=city.grace, community=city.community_a, worker=city.alice)
    with pytest.raises(Conflict):
        services.grid_appoint(actor=city.grace, community=city.community_a, worker=city.alice)


def test_the_roster_console_appoints_by_mobile_and_shows_the_month(world, city, login):
    client = login(city.grace)
    url = reverse("membership:roster", args=[city.community_a.pk])
    response = client.post(url, {"mobile": "13800000001", "grid": "东片"})
    assert response.status_code == 302
    assert GridAppointment.objects.get().grid == "东片"
    page = client.get(url).content.decode()
    assert "王**" in page and "东片" in page
    unknown = client.post(url, {"mobile": "13812345678", "grid": ""}).content.decode()
    assert "没有" in unknown or "No registered worker" in unknown
    assert login(city.gary).get(url).status_code == 403


def test_the_grid_officers_queue_and_report_page_mark_a_grid_members_report(appointed, city, login):
    marked = report(city, reporter=city.alice, community=city.community_a)
    other = report(city, reporter=city.dora, community=city.community_a)
    grace = login(city.grace)
    queue = grace.get("/staff/reports/").content.decode()
    row = queue.split(f'href="/reports/{marked.pk}/"')[1].split("</tr>")[0]
    assert "网格员" in row
    assert "网格员" not in queue.split(f'href="/reports/{other.pk}/"')[1].split("</tr>")[0]
    assert "本社区兼职网格员" in grace.get(f"/reports/{marked.pk}/").content.decode()
    # The reporter's own page says nothing of it: the mark is for the staff who handle it.
    assert (
        "本社区兼职网格员" not in login(city.alice).get(f"/reports/{marked.pk}/").content.decode()
    )
