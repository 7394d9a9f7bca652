"""A worker's cases in their data export, and erased with them (PIPL arts. 45 and 47): the
description, the caller's details, their own comments, the mediation's parties and the
attachments go; the anonymous case rows stay, so the metrics still add up."""

import json
import os

from django.core.files.uploadedfile import SimpleUploadedFile

from yizhan.accounts.models import DeletionRequest
from yizhan.cases import selectors, services
from yizhan.cases.models import Attachment, Case, CaseEvent, Mediation

PDF = b"%PDF-1.4\n% wage slip\n%%EOF\n"


def alices_closed_case(cases):
    city = cases.city
    case, _created = services.case_submit(
        worker=city.alice,
        category=cases.wages,
        description="站点拖欠王小川3月工资2800元",
        attachments=[SimpleUploadedFile("王小川工资条.pdf", PDF, content_type="application/pdf")],
    )
    case = services.case_accept(case=case, actor=city.dora)
    case = services.case_dispatch(case=case, actor=city.dora, department=city.labour)
    case = services.case_sign_for(case=case, actor=city.dan)
    services.mediation_open(case=case, actor=city.dan, parties="王小川\n兰州某配送公司")
    case = services.case_reply(case=case, actor=city.dan, text="已协调站点发放。")
    return services.case_follow_up(
        case=case, actor=city.alice, rating="satisfied", note="谢谢，我是王小川"
    )


def test_the_export_holds_the_persons_cases_with_their_history(cases, login):
    case = alices_closed_case(cases)
    data = json.loads(login(cases.city.alice).get("/me/export.json").content)
    [exported] = data["cases"]
    assert exported["id"] == case.pk and exported["description"] == "站点拖欠王小川3月工资2800元"
    assert exported["reply"] == "已协调站点发放。" and exported["rating"] == "satisfied"
    assert exported["attachments"] == ["王小川工资条.pdf"]
    actions = [h["action"] for h in exported["history"]]
    assert actions[0] == "submit" and actions[-1] == "close"
    assert exported["history"][0]["label"] == "登记"
    assert exported["history"][0]["actor"] == "劳动者"


def test_the_export_holds_nobody_elses_cases(cases):
    alices_closed_case(cases)
    assert selectors.personal_data_export(cases.city.dora) == []


def test_erasure_anonymises_the_cases_and_keeps_the_statistics(
    cases, login, run_tasks, django_capture_on_commit_callbacks
):
    case = alices_closed_case(cases)
    path = Attachment.objects.get(case=case).file.path
    before = selectors.metrics(user=cases.city.dora)["department"]
    with django_capture_on_commit_callbacks(execute=True):
        login(cases.city.alice).post("/me/delete/", {"confirm": "yes"})
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()  # the erasure; its files go once it has committed
    assert DeletionRequest.objects.get(user=cases.city.alice).status == "done"

    case = Case.objects.get(pk=case.pk)  # the row stays, anonymous
    assert case.description == "" and case.caller_name == "" and case.caller_mobile == ""
    assert case.state == "closed" and case.rating == "satisfied" and case.on_time is True
    assert not CaseEvent.objects.filter(case=case, note__contains="王小川").exists()
    assert CaseEvent.objects.filter(case=case).count() == 8  # the history's steps stay
    assert Mediation.objects.get(case=case).parties == ""
    assert not Attachment.objects.filter(case=case).exists()
    assert not os.path.exists(path)
    assert selectors.metrics(user=cases.city.dora)["department"] == before
    page = login(cases.city.dora).get(f"/cases/{case.pk}/").content.decode()
    assert "王小川" not in page


def test_erasure_is_idempotent_and_leaves_others_cases_alone(cases):
    mine = alices_closed_case(cases)
    walk_in = services.case_file_for(
        staff=cases.city.kim,
        channel=Case.Channel.WALK_IN,
        category=cases.access,
        description="赵师傅：小区不让进",
        caller_name="赵师傅",
        caller_mobile="13912345678",
    )
    assert services.personal_data_erase(user=cases.city.alice) > 0
    assert services.personal_data_erase(user=cases.city.alice) == 0
    assert Case.objects.get(pk=mine.pk).description == ""
    other = Case.objects.get(pk=walk_in.pk)
    assert other.caller_name == "赵师傅" and other.description == "赵师傅：小区不让进"
