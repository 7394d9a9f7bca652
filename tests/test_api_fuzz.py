"""Property-based API fuzzing from our own OpenAPI schema (schemathesis): whatever the query
strings and path parameters, no read endpoint answers with a server error."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from yizhan.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(method="GET")


@pytest.fixture
def fuzz_city(city):
    """As Django's own test client does: the app must not close the test's connection at the
    end of each request (on PostgreSQL that would end the test transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield city
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_read_endpoints_never_answer_500(case, fuzz_city):
    case.call_and_validate(checks=[not_a_server_error])
