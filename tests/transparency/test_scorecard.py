"""The Fairwork-style scorecard: each point with its evidence from Yizhan's own data, "not
enough data" rather than a guess, and the platform's written answer shown beside it."""

import datetime as dt

import pytest

from tests.transparency.conftest import at
from yizhan.cases import services as cases
from yizhan.core.errors import Invalid, NotAllowed
from yizhan.transparency import links, services
from yizhan.transparency.scorecard import scorecard


def points(card):
    return {str(p.label): p for principle in card.principles for p in principle.points}


def test_a_platform_without_a_disclosure_scores_nothing_it_has_not_shown(world):
    card = scorecard(world.freight)
    found = points(card)
    assert card.out_of == 10 and card.score == 0
    assert found["已公示抽成上限"].met is False
    assert found["九成核查订单在上限以内"].met is None  # not enough data, not a fail
    assert found["劳动者诉求及时办结"].met is None


def test_disclosed_rules_earn_their_points_with_the_evidence(world, clock):
    world.ride_caps(effective_from=dt.date(2026, 11, 1), now=at(2026, 10, 20))
    found = points(scorecard(world.ride))
    assert found["已公示抽成上限"].met and "快车 25.0%" in found["已公示抽成上限"].evidence
    assert (
        found["已公示工作时长和防疲劳规则"].met
        and "240" in found["已公示工作时长和防疲劳规则"].evidence
    )
    assert found["已公示职业伤害保障"].met
    assert found["已公示封号申诉渠道"].met
    assert found["公示保持更新"].met
    assert found["规则变更提前公示"].met  # published 12 days ahead
    clock.move_to(at(2027, 2, 1))
    assert points(scorecard(world.ride))["公示保持更新"].met is False


def test_cases_about_the_platform_give_management_and_representation_points(world):
    world.ride_caps(effective_from=dt.date(2026, 11, 1), now=at(2026, 10, 20))
    category = links.commission_category()
    made = []
    for i in range(6):
        case, _ = cases.case_submit(
            worker=world.driver, category=category, description=f"抽成问题 {i}", platform=world.ride
        )
        made.append(case)
    for case in made[:4]:
        cases.case_platform_statement(case=case, actor=world.rita, text="已核查")
    found = points(scorecard(world.ride))
    answered = found["书面回应劳动者诉求"]
    assert answered.met and "6 件诉求中有 4 件" in answered.evidence
    resolved = found["劳动者诉求及时办结"]
    assert resolved.met is False and "已办结 0 件" in resolved.evidence
    assert found["劳动者对结果满意"].met is None


def test_the_platform_answers_in_writing_and_it_is_shown_beside(world, client):
    world.ride_caps(effective_from=dt.date(2026, 11, 1), now=at(2026, 10, 20))
    services.scorecard_answer(
        platform=world.ride,
        actor=world.rita,
        principle="pay",
        text="我们将于明年一季度把快车抽成上限下调至22%。",
    )
    page = client.get("/transparency/p/huanghe/").content.decode()
    assert "我们将于明年一季度把快车抽成上限下调至22%。" in page
    assert "黄河出行的回应" in page
    with pytest.raises(NotAllowed):
        services.scorecard_answer(
            platform=world.ride, actor=world.city.pat, principle="pay", text="x"
        )
    with pytest.raises(Invalid):
        services.scorecard_answer(
            platform=world.ride, actor=world.rita, principle="salary", text="x"
        )
    with pytest.raises(Invalid):
        services.scorecard_answer(platform=world.ride, actor=world.rita, principle="pay", text=" ")
