"""Every step of a work order, legal and illegal, with its history row."""

import datetime as dt

import pytest

from tests.cases.conftest import at, inbox
from yizhan.cases import permissions, services
from yizhan.cases.models import Case, CaseEvent
from yizhan.core import sms
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import Notification

S = Case.State


def actions(case):
    return list(case.events.order_by("at", "id").values_list("action", flat=True))


def test_the_whole_flow_writes_a_history_row_per_step(cases):
    city = cases.city
    case = cases.replied()
    case = services.case_follow_up(case=case, actor=city.alice, rating="satisfied")
    assert case.state == S.CLOSED and case.closed_at and case.rating == "satisfied"
    assert actions(case) == [
        "submit",
        "accept",
        "dispatch",
        "sign_for",
        "reply",
        "follow_up",
        "close",
    ]
    dispatch = case.events.get(action="dispatch")
    assert dispatch.actor == city.dora and dispatch.department == city.labour
    assert dispatch.from_state == S.ACCEPTED and dispatch.to_state == S.DISPATCHED


def test_worker_is_told_of_each_step_and_the_reply_goes_by_sms_too(cases):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        cases.replied()
    texts = inbox(cases.city.alice)
    assert len(texts) == 4  # received, accepted, signed for, replied
    assert any("答复" in t for t in texts)
    assert sms.outbox(mobile="13800000001")  # the reply went by text too
    assert Notification.objects.filter(recipient=cases.city.dan).count() == 1  # new work order


def test_notices_are_stored_as_message_ids_and_read_in_each_readers_language(cases):
    from django.utils import translation

    case = cases.filed()
    note = Notification.objects.get(recipient=cases.city.alice)
    assert note.message.startswith("We received your demand #%(id)s")
    assert note.params["id"] == case.pk and note.text == ""
    with translation.override("en"):
        assert note.render().startswith(f"We received your demand #{case.pk}")
    with translation.override("zh-hans"):
        assert f"#{case.pk}" in note.render() and "We received" not in note.render()


def test_platform_representatives_are_told_of_new_cases_naming_their_platform(cases):
    case = cases.filed(withhold=True)  # alice works for pat's platform
    [text] = inbox(cases.city.pat)
    assert f"#{case.pk}" in text and cases.city.platform.name in text
    assert "王小川" not in text  # no identity in the notice
    assert inbox(cases.city.dan) == []  # nothing for departments before dispatch


def test_department_officers_are_told_of_cases_dispatched_to_them(cases):
    case = cases.dispatched()
    [text] = inbox(cases.city.dan)
    assert f"#{case.pk}" in text
    assert Notification.objects.get(recipient=cases.city.dan).url == f"/cases/{case.pk}/"


ILLEGAL = [
    ("submitted", "dispatch"),
    ("submitted", "sign_for"),
    ("submitted", "reply"),
    ("accepted", "accept"),
    ("accepted", "sign_for"),
    ("dispatched", "reply"),
    ("dispatched", "dispatch"),
    ("signed", "sign_for"),
    ("signed", "follow_up"),
    ("replied", "reply"),
    ("replied", "return"),
    ("closed", "close"),
    ("closed", "follow_up"),
]


def _at_state(cases, state):
    city = cases.city
    if state == "submitted":
        return cases.filed()
    if state == "accepted":
        return cases.accepted()
    if state == "dispatched":
        return cases.dispatched()
    if state == "signed":
        return cases.signed()
    if state == "replied":
        return cases.replied()
    case = cases.replied()
    return services.case_follow_up(case=case, actor=city.alice, rating="basically")


def _do(cases, case, step):
    city = cases.city
    calls = {
        "accept": lambda: services.case_accept(case=case, actor=city.dora),
        "dispatch": lambda: services.case_dispatch(
            case=case, actor=city.dora, department=city.labour
        ),
        "sign_for": lambda: services.case_sign_for(case=case, actor=city.dan),
        "reply": lambda: services.case_reply(case=case, actor=city.dan, text="好"),
        "return": lambda: services.case_return(case=case, actor=city.dan, reason="非本部门"),
        "follow_up": lambda: services.case_follow_up(
            case=case, actor=city.alice, rating="satisfied"
        ),
        "close": lambda: services.case_close(case=case, actor=city.dora, note="x"),
    }
    return calls[step]()


@pytest.mark.parametrize(("state", "step"), ILLEGAL)
def test_illegal_steps_are_refused_with_a_clear_message_and_leave_no_trace(cases, state, step):
    case = _at_state(cases, state)
    before = CaseEvent.objects.filter(case=case).count()
    if step in ("sign_for", "reply", "return") and case.department_id is None:
        with pytest.raises(NotAllowed):  # no department yet: nobody's to sign for
            _do(cases, case, step)
    else:
        with pytest.raises(Conflict) as exc:
            _do(cases, case, step)
        assert "“" in str(exc.value.message)  # names the state the case is in
    case.refresh_from_db()
    assert case.state == state
    assert CaseEvent.objects.filter(case=case).count() == before


def test_only_the_dispatcher_accepts_and_dispatches(cases):
    case = cases.filed()
    for outsider in (cases.city.alice, cases.city.dan, cases.city.pat, cases.city.grace):
        with pytest.raises(NotAllowed):
            services.case_accept(case=case, actor=outsider)


def test_an_officer_of_another_department_cannot_sign_for(cases):
    from tests.conftest import make_user
    from yizhan.accounts.models import Role

    tom = make_user(
        "13900000020",
        "交通干部",
        role=Role.DEPARTMENT_OFFICER,
        scope_field="department",
        scope=cases.transport,
    )
    case = cases.dispatched()
    with pytest.raises(NotAllowed):
        services.case_sign_for(case=case, actor=tom)


def test_misrouted_order_is_returned_with_a_reason_and_redispatched(cases):
    city = cases.city
    case = cases.dispatched(now=at(2026, 10, 12, 9))
    with pytest.raises(Invalid) as exc:
        services.case_return(case=case, actor=city.dan, reason="  ", now=at(2026, 10, 13))
    assert list(exc.value.fields) == ["reason"]
    case = services.case_return(
        case=case, actor=city.dan, reason="属交通部门职责", now=at(2026, 10, 13)
    )
    assert case.state == S.RETURNED
    assert case.events.get(action="return").note == "属交通部门职责"
    assert any("退回" in text for text in inbox(city.dora))
    case = services.case_dispatch(
        case=case, actor=city.dora, department=cases.transport, now=at(2026, 10, 13)
    )
    assert case.state == S.DISPATCHED and case.department == cases.transport


def test_return_is_refused_after_two_working_days(cases):
    case = cases.dispatched(now=at(2026, 9, 29, 9))  # Tue; window: Wed 30th, then Thu 8 Oct
    assert case.return_due_at.astimezone().date() == dt.date(2026, 10, 8)
    with pytest.raises(Conflict):
        services.case_return(case=case, actor=cases.city.dan, reason="迟了", now=at(2026, 10, 9))


def test_extension_needs_the_dispatchers_approval(cases):
    city = cases.city
    case = cases.signed(now=at(2026, 10, 12, 9))  # complaint: due 2026-10-29
    old_due = case.due_at
    case = services.case_request_extension(
        case=case, actor=city.dan, days=5, reason="需调取工资流水"
    )
    assert case.due_at == old_due and case.extension_days == 5
    with pytest.raises(NotAllowed):
        services.case_decide_extension(case=case, actor=city.dan, approve=True)
    with pytest.raises(Conflict):
        services.case_request_extension(case=case, actor=city.dan, days=3, reason="again")
    case = services.case_decide_extension(case=case, actor=city.dora, approve=True)
    assert case.due_at.astimezone().date() == dt.date(2026, 11, 5)
    assert case.extension_days is None
    assert actions(case)[-2:] == ["request_extension", "approve_extension"]


def test_refused_extension_keeps_the_deadline(cases):
    case = cases.signed()
    due = case.due_at
    case = services.case_request_extension(case=case, actor=cases.city.dan, days=2, reason="x")
    case = services.case_decide_extension(case=case, actor=cases.city.dora, approve=False)
    assert case.due_at == due and actions(case)[-1] == "refuse_extension"


def test_dissatisfied_rating_reopens_once_then_the_dispatcher_closes(cases):
    city = cases.city
    case = cases.replied()
    case = services.case_follow_up(
        case=case, actor=city.alice, rating="dissatisfied", note="钱还没到"
    )
    assert case.state == S.HANDLING and case.reopened == 1
    assert actions(case)[-1] == "reopen"
    case = services.case_reply(case=case, actor=city.dan, text="已到账")
    case = services.case_follow_up(case=case, actor=city.alice, rating="dissatisfied")
    assert case.state == S.FOLLOWED_UP and case.reopened == 1
    with pytest.raises(NotAllowed):
        services.case_close(case=case, actor=city.alice)
    case = services.case_close(case=case, actor=city.dora, note="已依法处理完毕")
    assert case.state == S.CLOSED


def test_dispatcher_may_record_a_phone_follow_up(cases):
    case = cases.replied()
    case = services.case_follow_up(case=case, actor=cases.city.dora, rating="basically")
    assert case.state == S.CLOSED


def test_platform_rep_cannot_rate_or_act(cases):
    case = cases.replied()
    with pytest.raises(NotAllowed):
        services.case_follow_up(case=case, actor=cases.city.pat, rating="satisfied")


def test_reply_records_whether_it_was_on_time(cases):
    case = cases.signed(now=at(2026, 10, 12, 9))
    case = services.case_reply(case=case, actor=cases.city.dan, text="ok", now=at(2026, 10, 30, 9))
    assert case.on_time is False and case.handling_seconds == 18 * 24 * 3600


def test_handling_notes_move_a_signed_case_to_handling(cases):
    case = cases.signed()
    case = services.case_handle(case=case, actor=cases.city.dan, note="已电话联系站点负责人")
    case = services.case_handle(case=case, actor=cases.city.dan, note="站点承诺周五前发放")
    assert case.state == S.HANDLING
    assert actions(case).count("handle") == 2


def test_allowed_steps_follow_the_table(cases):
    city = cases.city
    case = cases.signed()
    assert set(permissions.allowed_steps(city.dan, case)) == {
        "return",
        "handle",
        "request_extension",
        "reply",
        "mediate",
    }
    # The dispatcher only supervises a signed order: nothing waits for them.
    assert permissions.allowed_steps(city.dora, case) == ["urge", "reassign"]
    assert not permissions.awaits(city.dora, case) and permissions.awaits(city.dan, case)
    assert permissions.allowed_steps(city.alice, case) == []


def test_idempotency_key_files_one_case(cases):
    city = cases.city
    first, created = services.case_submit(
        worker=city.alice, category=cases.wages, description="x", idempotency_key="k1"
    )
    again, created_again = services.case_submit(
        worker=city.alice, category=cases.wages, description="x", idempotency_key="k1"
    )
    assert created and not created_again and first.pk == again.pk
    assert Case.objects.count() == 1


def test_the_running_deadline_follows_each_step(cases):
    case = cases.filed()
    assert case.deadline_at == case.accept_due_at
    case = services.case_accept(case=case, actor=cases.city.dora)
    assert case.deadline_at == case.due_at
    case = services.case_dispatch(case=case, actor=cases.city.dora, department=cases.city.labour)
    case = services.case_sign_for(case=case, actor=cases.city.dan)
    case = services.case_reply(case=case, actor=cases.city.dan, text="ok")
    case.refresh_from_db()
    assert case.deadline_at is None
