"""The API's contract, point by point: one component per schema name, every error in the one
JSON shape (Django's own answers included), required what the service requires, an object
where an object is expected, NUL characters named per field, a 500 in the shape too."""

import typing
from collections import defaultdict

import pydantic
import pytest

from yizhan.accounts.services import api_token_issue
from yizhan.api import api


def models_of(annotation, seen):
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            models_of(field.annotation, seen)
    for arg in typing.get_args(annotation) or ():
        models_of(arg, seen)


def test_no_two_schemas_share_a_component_name():
    """ninja names components by class name: two classes of one name would describe one
    app's operations with another's schema."""
    seen: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    for field in model.model_fields.values():
                        models_of(field.annotation, seen)
                for model in (operation.response_models or {}).values():
                    if isinstance(model, type):
                        for field in model.model_fields.values():
                            models_of(field.annotation, seen)
    names = defaultdict(set)
    for model in seen:
        names[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert {n: c for n, c in names.items() if len(c) > 1} == {}


def shaped(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"message", "code", "detail"} and body["message"], body
    return body


def test_a_url_that_matches_no_operation_is_a_json_404(db, client):
    shaped(client.get("/api/v1/no-such-thing"), 404)
    shaped(client.post("/api/v1/membership/check-ins/null%2Cnull/cancel"), 404)


def test_a_method_an_operation_does_not_take_is_a_json_405(db, client):
    body = shaped(client.put("/api/v1/points/wishes", "{}", content_type="application/json"), 405)
    assert body["code"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_422_in_the_shape(city, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=city.dora).token}"}
    body = shaped(
        client.post("/api/v1/cases/1/handle", b"y\x01", content_type="application/json", **auth),
        422,
    )
    assert body["code"] == "invalid"


@pytest.mark.parametrize("body", ['"AAA"', "[1, 2]", "42", "null"])
def test_a_bare_json_value_is_refused_where_an_object_is_expected(city, client, body):
    from yizhan.points.models import Wish

    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=city.alice).token}"}
    response = client.post("/api/v1/points/wishes", body, content_type="application/json", **auth)
    shaped(response, 422)
    assert not Wish.objects.exists()


def test_a_nul_character_is_named_by_its_field(city, client):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=city.alice).token}"}
    response = client.post(
        "/api/v1/points/wishes",
        '{"title": "头盔\\u0000", "details": "x", "ignored": "\\u0000"}',
        content_type="application/json",
        **auth,
    )
    body = shaped(response, 422)
    assert [d["field"] for d in body["detail"]] == ["title"]
    assert "空字符" in body["detail"][0]["message"]


def test_over_long_text_is_refused_with_a_field_message_not_cut(city, client):
    from yizhan.cases.demo import seed_reference_data

    seed_reference_data()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=city.alice).token}"}
    response = client.post(
        "/api/v1/cases",
        {"category": "wage_arrears", "description": "长" * 10_000},
        content_type="application/json",
        **auth,
    )
    body = shaped(response, 422)
    assert body["detail"][0]["field"] == "description"


def test_the_document_says_what_the_services_require(db, client):
    doc = client.get("/api/v1/openapi.json").json()
    redeem = doc["paths"]["/api/v1/points/redemptions"]["post"]
    schema_ref = redeem["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][schema_ref.rsplit("/", 1)[-1]]
    assert "idempotency_key" in schema["required"]
    assert schema["properties"]["idempotency_key"]["minLength"] == 1
    # Every string an operation takes excludes NUL, as the edges enforce.
    title = doc["components"]["schemas"]["WishIn"]["properties"]["title"]
    assert title["pattern"] == "^[^\\u0000]*$"


def test_a_crash_under_the_api_answers_in_the_shape(db, client, settings):
    from django.http import HttpResponseServerError

    from yizhan.core.middleware import ApiErrorShapeMiddleware

    middleware = ApiErrorShapeMiddleware(lambda request: HttpResponseServerError(b"<h1>boom</h1>"))
    request = type("R", (), {"path": "/api/v1/anything"})()
    response = middleware(request)
    assert response.status_code == 500
    import json

    assert set(json.loads(response.content)) == {"message", "code", "detail"}


def test_a_nul_in_a_form_field_is_named_and_an_ignored_extra_stays_harmless(city, client):
    from tests.reports.conftest import IN_A, make_jpeg
    from yizhan.reports.defaults import ensure
    from yizhan.reports.models import Category

    ensure(Category)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=city.alice).token}"}
    data = {"category": "exposed-wire", "lat": IN_A[0], "lng": IN_A[1], "idempotency_key": "k1"}
    named = client.post(
        "/api/v1/reports", {**data, "description": "电线\x00", "photos": make_jpeg()}, **auth
    )
    assert [d["field"] for d in shaped(named, 422)["detail"]] == ["description"]
    extra = client.post(
        "/api/v1/reports", {**data, "x-note": "\x00", "photos": make_jpeg()}, **auth
    )
    assert extra.status_code == 201, extra.content
