"""The dispatcher supervises a dispatched order: urges (催办) the department, or reassigns
(改派) it to another one. Who may, in which states, the history rows and the notices."""

import datetime as dt
import json

import pytest

from tests.cases.conftest import inbox
from tests.conftest import make_user
from yizhan.accounts.models import Role
from yizhan.accounts.services import api_token_issue
from yizhan.cases import permissions, services
from yizhan.cases.models import Case, CaseEvent
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import Notification

S = Case.State


@pytest.fixture
def tom(cases):
    """An officer of the transport bureau, the department orders get reassigned to."""
    return make_user(
        "13900000044",
        "交通干部",
        role=Role.DEPARTMENT_OFFICER,
        scope_field="department",
        scope=cases.transport,
    )


def _signed_with_extension(cases):
    case = cases.signed()
    return services.case_request_extension(
        case=case, actor=cases.city.dan, days=5, reason="需调取三个月流水"
    )


# --- urge --------------------------------------------------------------------------------


def test_dispatcher_urges_a_dispatched_order_and_the_department_is_told(cases):
    case = cases.dispatched()
    Notification.objects.all().delete()
    case = services.case_urge(case=case, actor=cases.city.dora, note="请今天内签收")
    assert case.state == S.DISPATCHED and case.urged_at is not None
    event = case.events.get(action=CaseEvent.Action.URGE)
    assert event.actor == cases.city.dora and event.note == "请今天内签收"
    assert event.department == cases.city.labour
    assert event.from_state == event.to_state == S.DISPATCHED
    [text] = inbox(cases.city.dan)
    assert f"#{case.pk}" in text and "催办" in text and "请今天内签收" in text
    assert inbox(cases.city.alice) == []  # the worker is not bothered with it


def test_an_order_is_urged_at_most_once_an_hour(cases, clock):
    case = services.case_urge(case=cases.signed(), actor=cases.city.dora)
    with pytest.raises(Conflict):
        services.case_urge(case=case, actor=cases.city.dora)
    assert case.events.filter(action="urge").count() == 1
    later = case.urged_at + dt.timedelta(minutes=61)
    services.case_urge(case=case, actor=cases.city.dora, now=later)
    assert case.events.filter(action="urge").count() == 2


@pytest.mark.parametrize("name", ["dan", "adam", "alice", "pat", "grace"])
def test_only_the_dispatcher_urges_or_reassigns(cases, tom, name):
    case = cases.signed()
    user = getattr(cases.city, name)
    with pytest.raises(NotAllowed):
        services.case_urge(case=case, actor=user)
    with pytest.raises(NotAllowed):
        services.case_reassign(case=case, actor=user, department=cases.transport, reason="x")
    assert "urge" not in permissions.allowed_steps(user, case)
    assert not case.events.filter(action__in=["urge", "reassign"]).exists()


def _in_state(cases, state):
    if state == S.SUBMITTED:
        return cases.filed()
    if state == S.ACCEPTED:
        return cases.accepted()
    if state == S.RETURNED:
        return services.case_return(
            case=cases.dispatched(), actor=cases.city.dan, reason="非本部门"
        )
    if state == S.REPLIED:
        return cases.replied()
    return services.case_follow_up(case=cases.replied(), actor=cases.city.alice, rating="satisfied")


@pytest.mark.parametrize("state", [S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.REPLIED, S.CLOSED])
def test_urge_and_reassign_only_between_dispatch_and_reply(cases, tom, state):
    case = _in_state(cases, state)
    assert case.state == state
    dora = cases.city.dora
    assert not {"urge", "reassign"} & set(permissions.allowed_steps(dora, case))
    with pytest.raises(Conflict):
        services.case_urge(case=case, actor=dora)
    with pytest.raises(Conflict):
        services.case_reassign(case=case, actor=dora, department=cases.transport, reason="x")


@pytest.mark.parametrize("state", [S.DISPATCHED, S.SIGNED, S.HANDLING])
def test_the_dispatcher_may_urge_and_reassign_while_the_department_has_it(cases, state):
    case = cases.dispatched() if state == S.DISPATCHED else cases.signed()
    if state == S.HANDLING:
        case = services.case_handle(case=case, actor=cases.city.dan, note="已电话联系站点")
    assert case.state == state
    assert {"urge", "reassign"} <= set(permissions.allowed_steps(cases.city.dora, case))


# --- reassign ----------------------------------------------------------------------------


def test_reassign_hands_the_order_to_another_department_to_sign_for_again(cases, tom):
    case = _signed_with_extension(cases)
    due = case.due_at
    Notification.objects.all().delete()
    case = services.case_reassign(
        case=case, actor=cases.city.dora, department=cases.transport, reason="涉及车辆营运"
    )
    case.refresh_from_db()
    assert case.state == S.DISPATCHED and case.department == cases.transport
    assert case.signed_at is None and case.extension_days is None
    assert case.due_at == due  # the worker's clock does not restart
    event = case.events.get(action=CaseEvent.Action.REASSIGN)
    assert event.from_state == S.SIGNED and event.to_state == S.DISPATCHED
    assert event.department == cases.transport and event.actor == cases.city.dora
    assert event.note == f"{cases.city.labour.name} → {cases.transport.name}: 涉及车辆营运"
    # The new department is told and may act; the former one is told and may not.
    [new] = inbox(tom)
    assert f"#{case.pk}" in new and "改派" in new
    [old] = inbox(cases.city.dan)
    assert f"#{case.pk}" in old and cases.transport.name in old
    assert Notification.objects.get(recipient=cases.city.dan).url == "/cases/department/"
    assert not permissions.can_view(cases.city.dan, case)
    with pytest.raises(NotAllowed):
        services.case_sign_for(case=case, actor=cases.city.dan)
    services.case_sign_for(case=case, actor=tom)


def test_reassign_needs_another_department_and_a_reason(cases, tom):
    case = cases.dispatched()
    dora = cases.city.dora
    with pytest.raises(Invalid) as same:
        services.case_reassign(case=case, actor=dora, department=cases.city.labour, reason="x")
    assert "department" in same.value.fields
    with pytest.raises(Invalid) as none:
        services.case_reassign(case=case, actor=dora, department=None, reason="x")
    assert "department" in none.value.fields
    with pytest.raises(Invalid) as no_reason:
        services.case_reassign(case=case, actor=dora, department=cases.transport, reason="  ")
    assert "reason" in no_reason.value.fields
    case.refresh_from_db()
    assert case.department == cases.city.labour
    assert not case.events.filter(action="reassign").exists()


# --- pages -------------------------------------------------------------------------------


def test_dispatcher_urges_from_the_case_page_and_reads_what_happened(cases, login):
    case = cases.signed()
    client = login(cases.city.dora)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "催办" in page and "改派" in page
    response = client.post(f"/cases/{case.pk}/step/urge/", {"note": "尽快答复"}, follow=True)
    body = response.content.decode()
    assert f"工单 #{case.pk} 已催办" in body
    assert "返回队列" in body


def test_reassign_from_the_case_page_names_the_new_department(cases, tom, login):
    case = cases.dispatched()
    client = login(cases.city.dora)
    response = client.post(
        f"/cases/{case.pk}/step/reassign/",
        {"department": str(cases.transport.pk), "reason": "涉及车辆营运"},
        follow=True,
    )
    assert cases.transport.name in response.content.decode()
    case.refresh_from_db()
    assert case.department == cases.transport


def test_a_refused_reassign_keeps_what_was_typed(cases, login):
    case = cases.dispatched()
    client = login(cases.city.dora)
    response = client.post(
        f"/cases/{case.pk}/step/reassign/",
        {"department": str(cases.transport.pk), "reason": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请说明改派原因。" in body
    assert f'value="{cases.transport.pk}" selected' in body


# --- API ---------------------------------------------------------------------------------


def _post(client, url, user, body):
    token = api_token_issue(user=user).token
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_api_urge_and_reassign(cases, tom, client):
    case = cases.dispatched()
    dora = cases.city.dora
    urged = _post(client, f"/api/v1/cases/{case.pk}/urge", dora, {"note": "请尽快签收"})
    assert urged.status_code == 200
    assert urged.json()["history"][-1]["action"] == "urge"
    assert "reassign" in urged.json()["allowed_steps"]
    unknown = _post(
        client, f"/api/v1/cases/{case.pk}/reassign", dora, {"department": "nope", "reason": "x"}
    )
    assert unknown.status_code == 422
    moved = _post(
        client,
        f"/api/v1/cases/{case.pk}/reassign",
        dora,
        {"department": "transport", "reason": "涉及车辆营运"},
    )
    assert moved.status_code == 200 and moved.json()["department"] == "transport"
    again = _post(client, f"/api/v1/cases/{case.pk}/urge", cases.city.dan, {})
    assert again.status_code == 403
    closed = cases.replied()
    assert _post(client, f"/api/v1/cases/{closed.pk}/urge", dora, {}).status_code == 409
