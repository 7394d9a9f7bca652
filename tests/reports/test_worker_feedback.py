"""What a rider is told while sending a report: a missing or broken spot is one message in
their language beside the location, with or without JavaScript (the page's form and the API
the page's script sends to); what they typed stays; once sent, the report's page says its
number, where it went and the points it may earn, and offers the next report."""

import re

import pytest

from yizhan.points.models import EarningRule
from yizhan.reports.models import Report

NEED_SPOT = "需要问题地点：请允许定位、在地图上选点、选择社区，或使用照片中的位置。"
BAD_SPOT = "这个位置不在地图上，请重新选择。"


def location_box(html: str) -> str:
    """Where the report form says what is wrong with the spot (under the map)."""
    start = html.index('id="location-errors"')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(
    "spot,message",
    [({}, NEED_SPOT), ({"lat": "", "lng": ""}, NEED_SPOT), ({"lat": "abc", "lng": "1"}, BAD_SPOT)],
)
def test_page_without_javascript_says_it_once_beside_the_location(
    city, wire, photo, login, spot, message
):
    response = login(city.alice).post(
        "/reports/new/",
        {
            "category": wire.code,
            "description": "电线垂到人行道上",
            "idempotency_key": "k-page",
            "photos": photo(),
            **spot,
        },
    )
    html = response.content.decode()
    assert html.count(message) == 1
    assert message in location_box(html)
    assert "电线垂到人行道上" in html  # what was typed stays
    assert "Input should be" not in html
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "spot,fields,message",
    [
        ({}, {"location"}, NEED_SPOT),
        ({"lat": "", "lng": ""}, {"location"}, NEED_SPOT),
        ({"lat": "abc", "lng": "103.82"}, {"location"}, BAD_SPOT),
        ({"lat": "NaN", "lng": "inf"}, {"location"}, BAD_SPOT),
    ],
)
def test_api_the_page_script_uses_answers_in_the_readers_language(
    city, wire, photo, login, spot, fields, message
):
    """The form's script sends empty coordinates as empty strings: no parser English."""
    response = login(city.alice).post(
        "/api/v1/reports",
        {"category": wire.code, "idempotency_key": "k-api", "photos": photo(), **spot},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {d["field"] for d in detail} == fields
    assert {d["message"] for d in detail} == {message}


def test_sent_report_page_says_number_owner_and_points_it_may_earn(city, wire, photo, login):
    EarningRule.objects.create(
        code="wire", name="裸露电线", source="report_verified", category=wire.code, points=20
    )
    client = login(city.alice)
    response = client.post(
        "/reports/new/",
        {
            "category": wire.code,
            "lat": "36.02",
            "lng": "103.82",
            "idempotency_key": "k-sent",
            "photos": photo(),
        },
    )
    report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/?sent=1"
    html = client.get(response["Location"]).content.decode()
    assert f"随手拍 #{report.pk} 已发送" in html
    assert "甲社区" in html
    assert "社区核实后，您将获得 20 积分。" in html
    assert 'href="/reports/new/"' in html and "再拍一处" in html
    # Later visits: the points still show, the "sent" panel does not.
    later = client.get(f"/reports/{report.pk}/").content.decode()
    assert "已发送" not in later and "核实后得 20 分" in later


def test_only_the_reporter_sees_the_sent_panel(city, wire, photo, login):
    from yizhan.reports import services

    result = services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=36.02,
        lng=103.82,
        photos=[photo()],
        client_key="k-other",
    )
    html = login(city.grace).get(f"/reports/{result.report.pk}/?sent=1").content.decode()
    assert not re.search("随手拍 #\\d+ 已发送", html)
