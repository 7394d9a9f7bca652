"""Earning rules for hazard reports name real report categories: a typo would otherwise make
a rule that never pays while riders are promised its points."""

import pytest
from django.core.exceptions import ValidationError

from yizhan.core.errors import Invalid
from yizhan.points import selectors, services


def refusal(exc) -> dict:
    """The refused fields, whichever error style the points bank raises."""
    error = exc.value
    return error.fields if isinstance(error, Invalid) else error.message_dict


def rule(city, **values):
    values = {"name": "随手拍", "source": "report_verified", "points": 7, **values}
    return services.rule_create(by=city.adam, code=values.pop("code", "r"), **values)


def test_a_rule_naming_an_unknown_report_category_is_refused(city):
    with pytest.raises((Invalid, ValidationError)) as exc:
        rule(city, category="exposed_wire")  # underscore: not the category's code
    assert "exposed_wire" in " ".join(refusal(exc)["category"])


def test_a_rule_for_a_known_category_or_for_any_report_is_accepted(city):
    assert rule(city, code="wire", category="exposed-wire").category == "exposed-wire"
    assert rule(city, code="any", category="").category == ""
    assert selectors.reward_for_report_category("exposed-wire") == 7
    assert selectors.reward_for_report_category("bulky-rubbish") == 7  # the catch-all


def test_changing_a_rule_to_an_unknown_category_is_refused(city):
    wire = rule(city, code="wire", category="exposed-wire")
    with pytest.raises((Invalid, ValidationError)) as exc:
        services.rule_update(by=city.adam, rule_id=wire.pk, category="no-such-hazard")
    assert "category" in refusal(exc)
    wire.refresh_from_db()
    assert wire.category == "exposed-wire"


def test_the_category_rule_wins_over_the_catch_all_and_the_oldest_over_newer(city):
    rule(city, code="any", category="", points=3)
    rule(city, code="wire", category="exposed-wire", points=12)
    rule(city, code="wire-2", category="exposed-wire", points=99)
    assert selectors.reward_for_report_category("exposed-wire") == 12
    assert selectors.reward_for_report_category("manhole-cover") == 3
