"""Who sees what: the worker their own, the department its own, the dispatcher all, the
platform representative only its platform's cases — without a withheld identity."""

import json

import pytest

from tests.cases.test_api import bearer
from tests.conftest import make_user
from yizhan.accounts.models import Role
from yizhan.cases import services
from yizhan.cases.models import Case


@pytest.fixture
def other_worker(city):
    from django.utils import timezone

    from yizhan.accounts.models import WorkerProfile

    bob = make_user("13800000002", "赵大勇")
    WorkerProfile.objects.create(
        user=bob,
        kind="courier",
        platform=city.other_platform,
        home_district=city.district,
        consent_version="2026-11",
        consent_at=timezone.now(),
    )
    return bob


def test_worker_sees_own_cases_only(cases, login, other_worker):
    case = cases.filed()
    client = login(other_worker)
    assert client.get(f"/cases/{case.pk}/").status_code == 403
    assert "欠薪" not in client.get("/cases/").content.decode()
    assert login(cases.city.alice).get(f"/cases/{case.pk}/").status_code == 200


def test_department_sees_only_cases_dispatched_to_it(cases, login):
    tom = make_user(
        "13900000020",
        "交通干部",
        role=Role.DEPARTMENT_OFFICER,
        scope_field="department",
        scope=cases.transport,
    )
    case = cases.dispatched()
    assert login(tom).get(f"/cases/{case.pk}/").status_code == 403
    assert f"#{case.pk}" not in login(tom).get("/cases/department/").content.decode()
    dan = login(cases.city.dan)
    assert dan.get(f"/cases/{case.pk}/").status_code == 200
    assert f"#{case.pk}" in dan.get("/cases/department/").content.decode()


def test_undispatched_case_is_invisible_to_departments(cases, login):
    case = cases.accepted()
    assert login(cases.city.dan).get(f"/cases/{case.pk}/").status_code == 403


@pytest.mark.parametrize("name", ["alice", "dan", "pat", "grace", "kim"])
def test_dispatcher_queue_is_for_dispatchers_only(cases, login, name):
    assert login(getattr(cases.city, name)).get("/cases/queue/").status_code == 403


def test_dispatcher_and_admin_see_all(cases, login):
    case = cases.filed()
    for user in (cases.city.dora, cases.city.adam):
        assert f"#{case.pk}" in login(user).get("/cases/queue/").content.decode()


def test_platform_rep_sees_only_own_platform(cases, login, other_worker):
    mine = cases.filed()
    theirs, _ = services.case_submit(
        worker=other_worker, category=cases.wages, description="别家平台"
    )
    pat = login(cases.city.pat)
    queue = pat.get("/cases/platform/").content.decode()
    assert f"#{mine.pk}" in queue and f"#{theirs.pk}" not in queue
    assert pat.get(f"/cases/{theirs.pk}/").status_code == 403


def test_platform_rep_never_sees_a_withheld_identity_on_page_or_api(cases, login, client):
    case = cases.replied(withhold=True)
    services.case_follow_up(case=case, actor=cases.city.alice, rating="satisfied")
    page = login(cases.city.pat).get(f"/cases/{case.pk}/").content.decode()
    for secret in ("王小川", "王**", "13800000001", "138****0001"):
        assert secret not in page
    assert "应劳动者要求不予显示" in page
    client.logout()
    body = client.get(f"/api/v1/cases/{case.pk}", **bearer(cases.city.pat)).content.decode()
    for secret in ("王小川", "王**", "13800000001", "138****0001"):
        assert secret not in body
    assert json.loads(body)["withhold_identity"] is True


def test_platform_rep_sees_the_masked_worker_when_not_withheld(cases, login):
    case = cases.filed()
    page = login(cases.city.pat).get(f"/cases/{case.pk}/").content.decode()
    assert "王**" in page and "王小川" not in page


def test_staff_see_masked_and_the_worker_sees_everything(cases, login):
    case = cases.dispatched(withhold=True)
    assert "王**" in login(cases.city.dan).get(f"/cases/{case.pk}/").content.decode()
    mine = login(cases.city.alice).get(f"/cases/{case.pk}/").content.decode()
    assert "王小川" in mine and "13800000001" in mine


def test_step_forms_only_for_those_who_may(cases, login):
    case = cases.dispatched()
    assert "签收" in login(cases.city.dan).get(f"/cases/{case.pk}/").content.decode()
    assert (
        f"cases/{case.pk}/step/sign_for"
        not in login(cases.city.dora).get(f"/cases/{case.pk}/").content.decode()
    )
    response = login(cases.city.pat).post(f"/cases/{case.pk}/step/sign_for/")
    assert response.status_code == 403


def test_step_page_refuses_illegal_steps_with_a_message(cases, login):
    case = cases.filed()
    client = login(cases.city.dora)
    response = client.post(f"/cases/{case.pk}/step/close/", {"note": "x"}, follow=True)
    assert response.status_code == 409
    assert "无法对该工单执行" in response.content.decode()


def test_a_refused_step_keeps_what_the_officer_typed(cases, login):
    case = cases.signed()
    dan = login(cases.city.dan)
    response = dan.post(
        f"/cases/{case.pk}/step/request_extension/", {"days": "45", "reason": "需调取工资流水"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "延期天数应为 1 至 30 个工作日" in body
    assert 'value="需调取工资流水"' in body and 'value="45"' in body
    case.refresh_from_db()
    assert case.extension_days is None


def test_text_the_database_cannot_hold_is_refused_not_a_server_error(cases, login):
    case = cases.signed()
    dan = login(cases.city.dan)
    response = dan.post(f"/cases/{case.pk}/step/reply/", {"text": "已处理\x00"})
    assert response.status_code in (400, 422)  # the edge refuses a NUL before the form does
    response = dan.post(f"/cases/{case.pk}/step/reply/", {"text": "长" * 4001})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.state == "signed" and case.reply == ""


def test_walk_in_desk_files_for_a_worker(cases, login):
    kim = login(cases.city.kim)
    response = kim.post(
        "/cases/walk-in/",
        {
            "mobile": "13800000001",
            "category": cases.access.pk,
            "description": "小区保安不让进",
        },
        follow=True,
    )
    case = Case.objects.get(channel="walk_in")
    assert case.creator == cases.city.kim
    # The keeper may not open the case: she stays at her desk, with the number to hand over.
    assert response.redirect_chain[-1][0] == f"/cases/walk-in/?filed={case.pk}"
    body = response.content.decode()
    assert response.status_code == 200 and f"诉求 #{case.pk} 已登记" in body
    assert "请把工单号告诉劳动者" in body and f'<p class="big">#{case.pk}</p>' in body
    # The confirmation shows only what this desk filed.
    assert (
        "请把工单号告诉劳动者"
        not in login(cases.city.dan).get(f"/cases/walk-in/?filed={case.pk}").content.decode()
    )
    # Not in Alice's account on the keeper's word: she is asked, and confirms.
    assert not cases.city.alice.cases.exists()
    alice = login(cases.city.alice)
    assert "是否为您本人" in alice.get("/inbox/").content.decode()
    assert alice.post(f"/cases/{case.pk}/claim/").status_code == 302
    assert cases.city.alice.cases.get() == case
    assert Case.objects.get(pk=case.pk).caller_mobile == ""
    assert alice.get("/cases/walk-in/").status_code == 403


def test_symposium_records_many_demands(cases, login):
    dora = login(cases.city.dora)
    response = dora.post(
        "/cases/symposia/",
        {
            "held_on": "2026-10-15",
            "place": "城关区新就业群体党群服务中心",
            "attendees": "骑手代表12人",
        },
    )
    url = response["Location"]
    for text in ("希望增加充电桩", "希望开展技能培训"):
        dora.post(url, {"category": cases.other.pk, "description": text, "mobile": "", "name": ""})
    from yizhan.cases.models import Symposium

    symposium = Symposium.objects.get()
    assert symposium.cases.count() == 2
    assert set(symposium.cases.values_list("channel", flat=True)) == {"symposium"}
    assert login(cases.city.alice).get(url).status_code == 403
