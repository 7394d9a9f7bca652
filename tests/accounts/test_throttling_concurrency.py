"""Twenty wrong passwords for one account from one client, all at the same moment: exactly
five are checked, the others are refused before the password is looked at. PostgreSQL only
(real concurrency; SQLite serialises writers anyway)."""

import pytest
from django.db import connection

from tests.cases.test_concurrency import _race
from yizhan.accounts import services
from yizhan.accounts.models import LoginFailure
from yizhan.core.errors import Throttled

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


class FakeRequest:
    META = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.mark.django_db(transaction=True)
def test_the_lockout_lets_exactly_five_guesses_through_under_concurrency(city):
    results = _race(
        20,
        lambda i: services.login_with_password(
            request=FakeRequest(), mobile="13800000001", password=f"wrong-{i}"
        ),
    )
    checked = [r for kind, r in results if kind == "ok"]
    refused = [r for kind, r in results if kind == "error"]
    assert len(checked) == 5 and all(user is None for user in checked)
    assert len(refused) == 15 and all(isinstance(e, Throttled) for e in refused)
    assert LoginFailure.objects.filter(key__startswith="p:").count() == 5
