"""Property-based API fuzzing from our own OpenAPI schema (schemathesis): EVERY operation, reads
and writes, with every check schemathesis has, as a worker, as a staff member (a dispatcher)
and anonymously. Zero server errors, and zero answers the document does not describe
(status codes, content types, bodies, headers).

One deliberate setting: a request the schema allows may still be refused with 422 when a rule
the schema cannot express says no (a category code that does not exist, a mobile number that
is not one, a spot outside the city). `shape_refused_by_the_schema_layer` then makes sure such
a 422 never comes from the schema layer itself: what the document says is well formed, the
parser and the validators accept.

Slow-ish (a bounded number of examples per operation): marked `fuzz`, so `make test` runs it
in a pytest process of its own.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from yizhan.wsgi import application

pytestmark = pytest.mark.fuzz

CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
"""
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
load_all_checks()
ALL_CHECKS = CHECKS.get_all()

# What pydantic and our edges say when a request does not fit its schema.
SCHEMA_LAYER_MESSAGES = (
    "Input should",
    "Field required",
    "String should",
    "List should",
    "Extra inputs",
    "Value error",
    "JSON",
    "NUL",
    "空字符",
    "must be a JSON object",
    "请求正文",
)


def _binary_fields(case) -> set[str]:
    """Multipart fields that are files: Django's parser drops a zero-byte upload before
    ninja sees it, so "required" is all it can say of an empty file (not a contract gap)."""
    body = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    properties = body.get("multipart/form-data", {}).get("schema", {}).get("properties", {})
    return {
        name
        for name, schema in properties.items()
        if schema.get("format") == "binary" or schema.get("items", {}).get("format") == "binary"
    }


@schemathesis.check
def shape_refused_by_the_schema_layer(ctx, response, case):
    """A request generated to fit the document is never refused for its shape."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    body = json.loads(response.content or b"{}")
    files = _binary_fields(case)
    details = [
        d
        for d in body.get("detail", [])
        if not (d.get("field", "").split(".")[0] in files and d.get("message") == "Field required")
    ]
    if not details:
        return None
    messages = [d.get("message", "") for d in details]
    clash = [m for m in messages if any(s in m for s in SCHEMA_LAYER_MESSAGES)]
    if clash:
        raise AssertionError(f"a schema-valid request was refused by the schema layer: {clash}")
    return None


@pytest.fixture
def fuzz_city(city):
    """As Django's own test client does: the app must not close the test's connection at the
    end of each request (on PostgreSQL that would end the test transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield city
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "worker", "dispatcher"])
def caller(request, fuzz_city):
    """Who calls: no credentials, a worker's bearer token, or a dispatcher's."""
    from yizhan.accounts.services import api_token_issue

    user = {"anonymous": None, "worker": fuzz_city.alice, "dispatcher": fuzz_city.dora}[
        request.param
    ]
    # The WSGI transport does not inflate gzip (TextGZipMiddleware compresses JSON for phones).
    headers = {"Accept-Encoding": "identity"}
    if user is not None:
        headers["Authorization"] = f"Bearer {api_token_issue(user=user).token}"
    return headers


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_every_operation_keeps_its_contract(case, caller):
    case.call_and_validate(headers=caller, checks=[*ALL_CHECKS, shape_refused_by_the_schema_layer])
