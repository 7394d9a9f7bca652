"""A labour dispute turned into a mediation: parties, sessions, 15 days, an outcome."""

import datetime as dt

import pytest

from tests.cases.conftest import at, inbox
from yizhan.cases import services
from yizhan.cases.models import Mediation
from yizhan.core.errors import Conflict, Invalid, NotAllowed


def test_mediation_with_sessions_and_a_failed_outcome_referred_to_arbitration(cases):
    city = cases.city
    case = cases.signed(now=at(2026, 10, 12, 9))
    mediation = services.mediation_open(
        case=case, actor=city.dan, parties="王小川\n兰州某配送公司", now=at(2026, 10, 12, 10)
    )
    assert mediation.due_on == dt.date(2026, 10, 27)
    services.mediation_add_session(
        mediation=mediation,
        actor=city.dan,
        held_at=at(2026, 10, 14, 15),
        place="城关区调解室",
        note="双方陈述",
    )
    services.mediation_conclude(
        mediation=mediation, actor=city.dan, outcome="failed", note="公司不同意支付"
    )
    mediation.refresh_from_db()
    assert mediation.outcome == Mediation.Outcome.FAILED and mediation.sessions.count() == 1
    notes = list(case.events.filter(action="mediation").values_list("note", flat=True))
    assert len(notes) == 3 and "仲裁" in notes[-1]
    assert any("仲裁" in text for text in inbox(city.alice))  # the outcome, in her language
    with pytest.raises(Conflict):
        services.mediation_conclude(mediation=mediation, actor=city.dan, outcome="agreement")
    with pytest.raises(Conflict):
        services.mediation_add_session(
            mediation=mediation, actor=city.dan, held_at=at(2026, 10, 20), place="调解室"
        )
    mediation.refresh_from_db()
    assert mediation.outcome == Mediation.Outcome.FAILED and mediation.sessions.count() == 1


def test_mediation_needs_a_labour_dispute_two_parties_and_the_department(cases):
    city = cases.city
    access = cases.signed(category=cases.access)
    with pytest.raises(Conflict):
        services.mediation_open(case=access, actor=city.dan, parties="a\nb")
    case = cases.signed()
    with pytest.raises(Invalid) as exc:
        services.mediation_open(case=case, actor=city.dan, parties="只有一方")
    assert list(exc.value.fields) == ["parties"]
    with pytest.raises(NotAllowed):
        services.mediation_open(case=case, actor=city.dora, parties="a\nb")
    mediation = services.mediation_open(case=case, actor=city.dan, parties="a\nb")
    with pytest.raises(Conflict):
        services.mediation_open(case=case, actor=city.dan, parties="a\nb")
    with pytest.raises(NotAllowed):  # only the department's officers record and conclude
        services.mediation_conclude(mediation=mediation, actor=city.dora, outcome="agreement")


def test_mediation_page(cases, login):
    case = cases.signed()
    dan = login(cases.city.dan)
    dan.post(f"/cases/{case.pk}/mediation/", {"action": "open", "parties": "王小川\n某公司"})
    dan.post(
        f"/cases/{case.pk}/mediation/",
        {"action": "session", "held_at": "2026-10-14T15:00", "place": "调解室"},
    )
    dan.post(
        f"/cases/{case.pk}/mediation/",
        {"action": "conclude", "outcome": "agreement", "note": "分期支付"},
    )
    body = dan.get(f"/cases/{case.pk}/mediation/").content.decode()
    assert "达成调解协议" in body and "调解室" in body
    assert login(cases.city.alice).get(f"/cases/{case.pk}/mediation/").status_code == 200


def test_mediation_page_keeps_what_was_typed_when_refused(cases, login):
    case = cases.signed()
    dan = login(cases.city.dan)
    response = dan.post(
        f"/cases/{case.pk}/mediation/", {"action": "open", "parties": "王小川（只写了一方）"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "王小川（只写了一方）" in body and "每行一个" in body
    assert not Mediation.objects.exists()
