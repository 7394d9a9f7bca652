"""Open311 GeoReport v2 conformance: every endpoint in JSON and XML, errors as the spec's list."""

import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from tests.reports.conftest import IN_A, make_jpeg
from yizhan.reports import services
from yizhan.reports.models import Report

FORMATS = ["json", "xml"]


def parse(response):
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    return ET.fromstring(response.content)  # noqa: S314 - our own output


@pytest.fixture
def api_key(db):
    out = io.StringIO()
    call_command("open311_key", "create", "--name", "12345中心", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def existing(city, wire):
    return services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=IN_A[0],
        lng=IN_A[1],
        description="电线垂落",
        photos=[make_jpeg()],
    ).report


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, db, fmt):
    response = client.get(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 200
    data = parse(response)
    if fmt == "json":
        assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    else:
        assert data.tag == "discovery" and data.find("endpoints/endpoint/url") is not None


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_and_definition(client, db, fmt):
    data = parse(client.get(f"/open311/v2/services.{fmt}"))
    codes = (
        [s["service_code"] for s in data]
        if fmt == "json"
        else [e.text for e in data.iter("service_code")]
    )
    assert "exposed-wire" in codes and len(codes) >= 9
    definition = client.get(f"/open311/v2/services/exposed-wire.{fmt}")
    assert definition.status_code == 200
    missing = client.get(f"/open311/v2/services/nope.{fmt}")
    assert missing.status_code == 404
    error = parse(missing)
    if fmt == "json":
        assert error[0]["code"] == 404 and "nope" in error[0]["description"]
    else:
        assert error.tag == "errors" and error.find("error/code").text == "404"


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_with_a_photo(client, city, api_key, fmt):
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        {
            "api_key": api_key,
            "service_code": "exposed-wire",
            "lat": IN_A[0],
            "long": IN_A[1],
            "description": "电线",
            "attribute[floor]": "1",
            "media": make_jpeg(),
        },
    )
    assert response.status_code == 201
    data = parse(response)
    request_id = (
        data[0]["service_request_id"]
        if fmt == "json"
        else int(data.find("request/service_request_id").text)
    )
    report = Report.objects.get(pk=request_id)
    assert report.community == city.community_a
    assert report.source == "open311:12345中心"
    assert "floor=1" in report.description
    assert report.photos.count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "nope"}, 400, "service_code"),
        ({"lat": "x"}, 400, "lat"),
        ({"lat": 95}, 400, "location"),
        ({"media": None}, 400, "photo"),
        ({"media": None, "media_url": "ftp://x/y.jpg"}, 400, "media_url"),
    ],
)
def test_post_request_errors(client, city, api_key, fmt, body, status, words):
    data = {
        "api_key": api_key,
        "service_code": "exposed-wire",
        "lat": IN_A[0],
        "long": IN_A[1],
        "media": make_jpeg(),
    }
    data.update(body)
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(f"/open311/v2/requests.{fmt}", data)
    assert response.status_code == status
    error = parse(response)
    description = error[0]["description"] if fmt == "json" else error.find("error/description").text
    assert words in description
    assert not Report.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_with_filters(client, existing, fmt):
    def ids(query):
        data = parse(client.get(f"/open311/v2/requests.{fmt}", query))
        if fmt == "json":
            return [r["service_request_id"] for r in data]
        return [int(e.text) for e in data.iter("service_request_id")]

    assert ids({}) == [existing.pk]
    assert ids({"service_request_id": str(existing.pk)}) == [existing.pk]
    assert ids({"service_code": "bulky-rubbish"}) == []
    assert ids({"status": "open"}) == [existing.pk]
    assert ids({"status": "closed"}) == []
    assert ids({"start_date": "2099-01-01T00:00:00Z"}) == []
    assert ids({"end_date": "2000-01-01T00:00:00Z"}) == []
    assert client.get(f"/open311/v2/requests.{fmt}", {"status": "maybe"}).status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_single_request_and_token(client, existing, fmt):
    one = parse(client.get(f"/open311/v2/requests/{existing.pk}.{fmt}"))
    if fmt == "json":
        assert one[0]["service_code"] == "exposed-wire"
        assert one[0]["status"] == "open"
        assert one[0]["media_url"].startswith("http")
        assert "reporter" not in json.dumps(one)
    else:
        assert one.find("request/lat") is not None
    token = parse(client.get(f"/open311/v2/tokens/{existing.token}.{fmt}"))
    got = (
        token[0]["service_request_id"]
        if fmt == "json"
        else int(token.find("request/service_request_id").text)
    )
    assert got == existing.pk
    assert client.get(f"/open311/v2/requests/999999.{fmt}").status_code == 404
    assert client.get(f"/open311/v2/tokens/not-a-token.{fmt}").status_code == 404


def test_key_commands(db, api_key):
    out = io.StringIO()
    call_command("open311_key", "list", stdout=out)
    assert "12345中心" in out.getvalue() and "active" in out.getvalue()
    call_command("open311_key", "revoke", "--name", "12345中心", stdout=io.StringIO())
    assert not api_key.startswith("12345")


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_with_a_media_url_keeps_the_link_without_fetching(client, city, api_key, fmt):
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        {
            "api_key": api_key,
            "service_code": "exposed-wire",
            "lat": IN_A[0],
            "long": IN_A[1],
            "media_url": "https://partner.example/photos/1.jpg",
        },
    )
    assert response.status_code == 201
    report = Report.objects.get()
    assert report.media_url == "https://partner.example/photos/1.jpg"
    assert report.photos.count() == 0
    data = parse(client.get(f"/open311/v2/requests/{report.pk}.{fmt}"))
    url = data[0]["media_url"] if fmt == "json" else data.find("request/media_url").text
    assert url == "https://partner.example/photos/1.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejected_reports_are_not_served_to_anyone(client, city, existing, fmt):
    services.report_reject(
        user=city.grace, report_id=existing.pk, reason="invalid", note="照片与描述不符"
    )
    listed = client.get(f"/open311/v2/requests.{fmt}", {"status": "closed"})
    assert b"service_request_id" not in listed.content
    assert client.get(f"/open311/v2/requests.{fmt}").content.count(b"service_request_id") == 0
    assert client.get(f"/open311/v2/requests/{existing.pk}.{fmt}").status_code == 404


def test_only_the_answer_on_the_fix_is_a_public_note(client, city, existing):
    services.report_transfer(
        user=city.grace, report_id=existing.pk, note="内部：甲社区不管这一段", community_code=""
    )
    row = parse(client.get(f"/open311/v2/requests/{existing.pk}.json"))[0]
    assert row["status_notes"] == ""
    services.report_accept(user=city.dora, report_id=existing.pk)
    services.report_resolve(
        user=city.dora, report_id=existing.pk, note="已重新固定", after_photo=make_jpeg(seed=9)
    )
    row = parse(client.get(f"/open311/v2/requests/{existing.pk}.json"))[0]
    assert row["status_notes"] == "已重新固定"
    assert "内部" not in json.dumps(parse(client.get("/open311/v2/requests.json")))


@pytest.mark.parametrize(
    "query",
    [
        {"service_request_id": "99999999999999999999999"},
        {"service_code": "exposed-wire\x00"},
        {"start_date": "2026-13-45T00:00:00"},
        {"end_date": "not a date"},
    ],
)
def test_junk_queries_are_answered_not_a_server_error(client, existing, query):
    response = client.get("/open311/v2/requests.json", query)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert parse(response)[0]["code"] == 400


def test_xml_stays_well_formed_with_control_characters_in_a_description(client, city, wire):
    import xml.etree.ElementTree as ET  # noqa: S405 - our own output

    services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=IN_A[0],
        lng=IN_A[1],
        description="电线\x01垂落\x0b\x1f，注意",
        photos=[make_jpeg(seed=3)],
    )
    body = client.get("/open311/v2/requests.xml").content
    root = ET.fromstring(body)  # noqa: S314 - our own output
    text = root.find("request/description").text
    assert text == "电线\ufffd垂落\ufffd\ufffd，注意"
