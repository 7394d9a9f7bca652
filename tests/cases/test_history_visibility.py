"""Whom each history entry is addressed to: the worker (and a platform's representative)
read only what is addressed to the worker — on the case page, in the API and in their data
export — while the dispatcher and the department read everything, internal entries marked."""

import json

import pytest

from tests.cases.test_api import bearer
from yizhan.cases import selectors, services
from yizhan.cases.models import CaseEvent

DISPATCH_NOTE = "内部：先核实站点工资表再联系骑手"
HANDLING_NOTE = "内部：电话联系站长，对方推诿"
EXTENSION_REASON = "内部：站长出差，需要延期核实"
TOLD_NOTE = "已约站长周五到劳动监察大队说明情况"
REPLY = "已责令站点三日内结清工资。"
INTERNAL = (DISPATCH_NOTE, HANDLING_NOTE, EXTENSION_REASON)


@pytest.fixture
def handled(cases):
    """A case taken through every kind of step: internal notes and what the worker is told."""
    city = cases.city
    case = cases.accepted()
    services.case_dispatch(case=case, actor=city.dora, department=city.labour, note=DISPATCH_NOTE)
    services.case_sign_for(case=case, actor=city.dan)
    services.case_handle(case=case, actor=city.dan, note=HANDLING_NOTE)
    services.case_request_extension(case=case, actor=city.dan, days=3, reason=EXTENSION_REASON)
    services.case_decide_extension(case=case, actor=city.dora, approve=True)
    services.case_handle(case=case, actor=city.dan, note=TOLD_NOTE, tell_worker=True)
    services.case_reply(case=case, actor=city.dan, text=REPLY)
    return case


def test_every_entry_says_whom_it_is_addressed_to(handled):
    seen = dict(
        CaseEvent.objects.filter(case=handled)
        .exclude(action="handle")
        .values_list("action", "visibility")
    )
    assert seen == {
        "submit": "public",
        "accept": "public",
        "dispatch": "staff",
        "sign_for": "public",
        "request_extension": "staff",
        "approve_extension": "staff",
        "reply": "public",
    }
    handling = list(
        CaseEvent.objects.filter(case=handled, action="handle").values_list("note", "visibility")
    )
    assert handling == [(HANDLING_NOTE, "staff"), (TOLD_NOTE, "public")]


def test_worker_page_shows_only_what_is_addressed_to_the_worker(handled, cases, login):
    page = login(cases.city.alice).get(f"/cases/{handled.pk}/").content.decode()
    for note in INTERNAL:
        assert note not in page
    assert TOLD_NOTE in page and REPLY in page
    assert "仅工作人员可见" not in page


def test_worker_api_shows_only_what_is_addressed_to_the_worker(handled, cases, client):
    body = client.get(f"/api/v1/cases/{handled.pk}", **bearer(cases.city.alice)).json()
    notes = [entry["note"] for entry in body["history"]]
    assert not any(note in notes for note in INTERNAL)
    assert TOLD_NOTE in notes and REPLY in notes
    assert {entry["staff_only"] for entry in body["history"]} == {False}
    actions = [entry["action"] for entry in body["history"]]
    assert "dispatch" not in actions and "request_extension" not in actions
    mine = client.get("/api/v1/cases", **bearer(cases.city.alice)).json()
    assert not any(e["note"] in INTERNAL for case in mine for e in case["history"])


def test_worker_data_export_holds_no_internal_entry(handled, cases, login):
    response = login(cases.city.alice).get("/me/export.json")
    exported = json.dumps(json.loads(response.content)["cases"], ensure_ascii=False)
    for note in INTERNAL:
        assert note not in exported
    assert TOLD_NOTE in exported


def test_platform_representative_sees_the_worker_view_of_the_history(handled, cases, client):
    body = client.get(f"/api/v1/cases/{handled.pk}", **bearer(cases.city.pat)).json()
    assert not any(entry["note"] in INTERNAL for entry in body["history"])


@pytest.mark.parametrize("who", ["dora", "dan"])
def test_dispatcher_and_department_read_every_entry_marked(handled, cases, login, client, who):
    user = getattr(cases.city, who)
    page = login(user).get(f"/cases/{handled.pk}/").content.decode()
    for note in INTERNAL:
        assert note in page
    assert page.count("仅工作人员可见") == 4  # dispatch, handling note, extension asked, decided
    body = client.get(f"/api/v1/cases/{handled.pk}", **bearer(user)).json()
    internal = [e["note"] for e in body["history"] if e["staff_only"]]
    assert DISPATCH_NOTE in internal and HANDLING_NOTE in internal


def test_handling_note_addressed_to_the_worker_tells_them(handled, cases):
    from tests.cases.conftest import inbox

    assert any("添加了说明" in text for text in inbox(cases.city.alice))


def test_selector_refuses_staff_entries_to_anyone_outside_the_case_staff(handled, cases):
    for user in (cases.city.alice, cases.city.pat):
        visible = selectors.history_for_viewer(user=user, case=handled)
        assert not visible.filter(visibility="staff").exists()
