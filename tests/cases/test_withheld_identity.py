"""One masking rule for a case whose worker withheld their identity, checked everywhere the
platform representative can look: the case page, the API, the mediation page, attachments,
exports and notices. And the staff's view of the same data: masked on the site and in the
back office, the mediator's full read audited; a desk's word links no case to an account."""

import io

import pytest

from tests.conftest import make_user
from yizhan.cases import services
from yizhan.cases.models import Case
from yizhan.core.models import AuditLog

NAME, MOBILE, ID_NO = "王小川", "13800000001", "620102199605041230"
WITHHELD_ZH = "〔已隐去〕"


def leaks(text: str) -> list[str]:
    return [x for x in (NAME, MOBILE, "138****0001", "138 0000 0001", ID_NO, "王*") if x in text]


@pytest.fixture
def withheld(cases, django_capture_on_commit_callbacks):
    """Alice's wage dispute against her platform, identity withheld, with her name and
    numbers in every free text a case has, in mediation."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        case, _ = services.case_submit(
            worker=cases.city.alice,
            category=cases.wages,
            description=f"我是{NAME}，电话 138 0000 0001，身份证 {ID_NO}，站点拖欠工资",
            platform=cases.city.platform,
            withhold_identity=True,
            attachments=[SimpleUploadedFile("工资条.pdf", b"%PDF-1.4 wage slip")],
        )
        services.case_accept(case=case, actor=cases.city.dora, note=f"已联系{NAME}")
        services.case_dispatch(case=case, actor=cases.city.dora, department=cases.city.labour)
        services.case_sign_for(case=case, actor=cases.city.dan)
        services.case_handle(case=case, actor=cases.city.dan, note=f"约{NAME}（{MOBILE}）面谈")
        mediation = services.mediation_open(
            case=case, actor=cases.city.dan, parties=f"{NAME} {MOBILE}\n陇上快送"
        )
        services.mediation_add_session(
            mediation=mediation,
            actor=cases.city.dan,
            held_at=mediation.opened_at,
            place="劳动仲裁院",
            note=f"{NAME}到场",
        )
    return Case.objects.get(pk=case.pk)


def test_the_platform_sees_nothing_of_the_worker_on_the_case_page(withheld, cases, login):
    body = login(cases.city.pat).get(f"/cases/{withheld.pk}/").content.decode()
    assert not leaks(body), leaks(body)
    assert "应劳动者要求不予显示" in body and WITHHELD_ZH in body
    assert "工资条.pdf" not in body


def test_the_platform_sees_nothing_of_the_worker_in_the_api(withheld, cases, login):
    data = login(cases.city.pat).get(f"/api/v1/cases/{withheld.pk}").content.decode()
    assert not leaks(data), leaks(data)


def test_the_platform_sees_nothing_of_the_worker_in_the_mediation(withheld, cases, login):
    body = login(cases.city.pat).get(f"/cases/{withheld.pk}/mediation/").content.decode()
    assert not leaks(body), leaks(body)
    assert "陇上快送" in body and WITHHELD_ZH in body


def test_the_platform_cannot_fetch_the_attachments(withheld, cases, login):
    attachment = withheld.attachments.get()
    response = login(cases.city.pat).get(f"/cases/{withheld.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 403


def test_the_platform_queue_and_exports_show_nothing_of_the_worker(withheld, cases, login):
    pat = login(cases.city.pat)
    queue = pat.get("/cases/platform/").content.decode()
    assert f"#{withheld.pk}" in queue and not leaks(queue)
    assert pat.get("/cases/metrics.xlsx").status_code == 403  # the only export of cases
    mine = pat.get("/api/v1/me/export").content.decode()
    assert not leaks(mine)


def test_the_platforms_notices_say_nothing_of_the_worker(withheld, cases, login):
    inbox = login(cases.city.pat).get("/inbox/").content.decode()
    assert f"#{withheld.pk}" in inbox and not leaks(inbox)


def test_a_platform_rep_of_a_case_without_withholding_sees_masks_not_names(cases, login):
    case, _ = services.case_submit(
        worker=cases.city.alice,
        category=cases.wages,
        description=f"我是{NAME}，电话{MOBILE}",
        platform=cases.city.platform,
    )
    body = login(cases.city.pat).get(f"/cases/{case.pk}/").content.decode()
    assert NAME not in body and MOBILE not in body
    assert "王**" in body and "138****0001" in body


def test_the_worker_reads_everything_of_their_own_case(withheld, cases, login):
    body = login(cases.city.alice).get(f"/cases/{withheld.pk}/mediation/").content.decode()
    assert NAME in body and MOBILE in body


def test_dispatchers_read_masks_and_the_mediator_reads_in_full_audited(withheld, cases, login):
    dora = login(cases.city.dora).get(f"/cases/{withheld.pk}/mediation/").content.decode()
    assert NAME not in dora and MOBILE not in dora and "138****0001" in dora
    assert not AuditLog.objects.filter(action="pii_read").exists()
    dan = login(cases.city.dan).get(f"/cases/{withheld.pk}/mediation/").content.decode()
    assert NAME in dan and MOBILE in dan
    read = AuditLog.objects.get(action="pii_read", actor=cases.city.dan)
    assert read.subject_type == "cases.mediation" and read.fields == "parties"


def test_the_back_office_masks_the_case_and_the_mediation(withheld, cases, login):
    walk_in = services.case_file_for(
        staff=cases.city.kim,
        channel=Case.Channel.WALK_IN,
        category=cases.access,
        description="赵师傅 13912345678：小区不让进",
        caller_name="赵师傅",
        caller_mobile="13912345678",
    )
    adam = login(cases.city.adam)
    page = adam.get(f"/admin/cases/case/{walk_in.pk}/change/").content.decode()
    assert "赵师傅" not in page and "13912345678" not in page and "139****5678" in page
    page = adam.get(f"/admin/cases/case/{withheld.pk}/change/").content.decode()
    assert not [x for x in (NAME, MOBILE, ID_NO) if x in page]
    mediation = adam.get(f"/admin/cases/mediation/{withheld.mediation.pk}/change/")
    assert mediation.status_code == 200
    body = mediation.content.decode()
    assert NAME not in body and MOBILE not in body and "138****0001" in body


def test_a_desk_cannot_put_a_case_into_someones_account(cases, login):
    case = services.case_file_for(
        staff=cases.city.kim,
        channel=Case.Channel.WALK_IN,
        category=cases.access,
        description="小区不让进",
        caller_mobile=MOBILE,
    )
    assert case.worker is None and not cases.city.alice.cases.exists()
    stranger = make_user("13700000077", "路人")
    assert login(stranger).post(f"/cases/{case.pk}/claim/").status_code == 403
    alice = login(cases.city.alice)
    assert "小区不让进" in alice.get(f"/cases/{case.pk}/claim/").content.decode()
    alice.post(f"/cases/{case.pk}/claim/")
    assert Case.objects.get(pk=case.pk).worker == cases.city.alice
    assert alice.post(f"/cases/{case.pk}/claim/").status_code == 403  # once


def test_attachments_are_served_to_the_worker_in_full(withheld, cases, login):
    attachment = withheld.attachments.get()
    response = login(cases.city.alice).get(f"/cases/{withheld.pk}/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 wage slip"
    assert io  # (binary served as stored)
