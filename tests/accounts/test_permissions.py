"""Every page and endpoint checks role and scope."""

import pytest

from yizhan.accounts.models import Role
from yizhan.accounts.services import role_assign
from yizhan.core.errors import Invalid
from yizhan.core.models import AuditLog


def test_grid_officer_sees_their_own_community(city, login):
    response = login(city.grace).get(f"/staff/communities/{city.community_a.id}/")
    assert response.status_code == 200
    assert "甲社区" in response.content.decode()


def test_grid_officer_cannot_see_another_community(city, login):
    assert login(city.grace).get(f"/staff/communities/{city.community_b.id}/").status_code == 403


def test_grid_officer_lists_only_their_communities(city, login):
    body = login(city.gary).get("/staff/communities/").content.decode()
    assert "乙社区" in body
    assert "甲社区" not in body


def test_dispatcher_and_admin_see_any_community(city, login, client):
    for user in (city.dora, city.adam):
        assert login(user).get(f"/staff/communities/{city.community_b.id}/").status_code == 200


@pytest.mark.parametrize("who", ["alice", "kim", "dan", "pat"])
def test_other_roles_cannot_open_community_pages(city, login, who):
    assert (
        login(getattr(city, who)).get(f"/staff/communities/{city.community_a.id}/").status_code
        == 403
    )


def test_anonymous_visitor_is_sent_to_login(city, client):
    response = client.get("/staff/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", ["alice", "grace", "kim", "dan", "pat"])
def test_people_directory_is_for_city_staff_only(city, login, who):
    assert login(getattr(city, who)).get("/staff/people/").status_code == 403


def test_dispatcher_sees_workers_masked(city, login):
    body = login(city.dora).get("/staff/people/").content.decode()
    assert "138****0001" in body
    assert "13800000001" not in body
    assert "王小川" not in body


def test_revealing_personal_data_needs_a_reason_and_is_audited(city, login):
    client = login(city.dora)
    url = f"/staff/people/{city.alice.worker.id}/"
    page = client.get(url).content.decode()
    assert "620***********1230" in page
    assert "620102199605041230" not in page
    refused = client.post(url, {"reason": ""})
    assert "620102199605041230" not in refused.content.decode()
    assert not AuditLog.objects.filter(action="pii_read").exists()
    shown = client.post(url, {"reason": "回访 12345 工单"})
    assert "620102199605041230" in shown.content.decode()
    entry = AuditLog.objects.get(action="pii_read")
    assert entry.actor == city.dora
    assert entry.subject_id == str(city.alice.pk)
    assert entry.reason == "回访 12345 工单"
    assert "id_number" in entry.fields


def test_role_needs_the_right_kind_of_scope(city):
    with pytest.raises(Invalid):
        role_assign(user=city.alice, role=Role.GRID_OFFICER, scope=city.labour)
    with pytest.raises(Invalid):
        role_assign(user=city.alice, role=Role.DISPATCHER, scope=city.community_a)
    assignment = role_assign(
        user=city.alice, role=Role.GRID_OFFICER, scope=city.community_c, by=city.adam
    )
    assert assignment.scope == city.community_c


def test_database_refuses_a_grid_officer_without_a_community(city):
    from django.db import IntegrityError, transaction

    from yizhan.accounts.models import RoleAssignment

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=city.alice, role=Role.GRID_OFFICER)
