"""Safe client retries, two ways.

`create_once`: when the created row itself carries the key under a unique constraint (a
report's or a case's (creator, client key)), a retry or a race finds the first row.

`run_once`: for any other request, a create request carrying an idempotency key runs once per
(user, scope, key); a retry — a double tap, a timed-out phone resending — gets the first
response back instead of doing the work again.

    outcome = idempotency.run_once(
        user=request.user, scope="points.redemption_create", key=key,
        request_data={"item": 3, "station": 7}, action=lambda: (201, {"code": "..."}),
    )

The key is claimed (a unique row) in the same transaction as the work, before the work:
a concurrent duplicate waits on the unique index until the first commits, then reads its
response. If `action` raises, nothing is kept, so the client may retry the same key.
Reusing a key for a different request raises `IdempotencyKeyReused`.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import Conflict, Invalid

from yizhan.core.models import IdempotencyRecord

KEY_MAX_LENGTH = 100
T = TypeVar("T")


class IdempotencyKeyReused(Conflict):
    """The key was first used with a different request."""

    default_message = _("This idempotency key was already used for a different request.")


class IdempotencyKeyInvalid(Invalid):
    """The key is empty, too long or not printable ASCII."""

    default_message = _("The idempotency key must be 1 to 100 printable ASCII characters.")

    def __init__(self, key=None):
        super().__init__(field="idempotency_key", message=self.default_message)


@dataclass(frozen=True)
class Outcome:
    status_code: int
    response: dict
    replayed: bool


def clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise IdempotencyKeyInvalid(key)
    return key


def _fingerprint(request_data) -> str:
    blob = json.dumps(request_data, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Outcome:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Outcome(record.status_code, record.response, replayed=True)


def run_once(
    *, user, scope: str, key: str, request_data, action: Callable[[], tuple[int, dict]]
) -> Outcome:
    """Run `action` (returning status code and JSON-ready body) once per key; replay after."""
    key = clean_key(key)
    fingerprint = _fingerprint(request_data)
    lookup = {"user": user, "scope": scope, "key": key}
    existing = IdempotencyRecord.objects.filter(**lookup).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(fingerprint=fingerprint, **lookup)
            status_code, response = action()
            record.status_code, record.response = status_code, response
            record.save(update_fields=["status_code", "response"])
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(**lookup).first()
        if existing is None:  # the conflict came from the work itself, not from the key
            raise
        return _replay(existing, fingerprint)
    return Outcome(status_code, response, replayed=False)


def create_once(*, model, lookup: dict, create: Callable[[], T]) -> tuple[T, bool]:
    """Return (object, created). `create` must set the lookup fields on what it creates, and
    the model must hold them under a unique constraint."""
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = model.objects.filter(**lookup).first()
        if existing is None:
            raise
        return existing, False
