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

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
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


def _claim(*, user, scope: str, key: str, fingerprint: str, stored: tuple) -> int | None:
    """Claim the key: INSERT … ON CONFLICT DO NOTHING RETURNING id. The claim's id, or None
    when the key is taken — by an earlier request, or by a duplicate still running, which
    the unique index makes this statement wait for until it commits (or rolls back, and the
    claim is ours)."""
    table, quote = IdempotencyRecord._meta.db_table, connection.ops.quote_name
    response = IdempotencyRecord._meta.get_field("response").get_db_prep_save(stored[1], connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, scope, {quote('key')}, fingerprint, status_code,"
            f" response, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            f" ON CONFLICT (user_id, scope, {quote('key')}) DO NOTHING RETURNING id",
            [
                user.pk,
                scope,
                key,
                fingerprint,
                stored[0],
                response,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def run_once(
    *,
    user,
    scope: str,
    key: str,
    request_data,
    action: Callable[[], tuple[int, dict]],
    promised: tuple[int, dict] | None = None,
) -> Outcome:
    """Run `action` (returning status code and JSON-ready body) once per key; replay after.

    One statement before the work: the claim (`_claim`); a key used before is read and
    replayed instead. `promised`: the status and body the action will return, when the
    caller knows them before the work (a redemption draws its pick-up code first). The claim
    is stored with them and, when the action returns them, nothing is written after it: its
    last statement — a redemption's hot rows — is followed only by the COMMIT, which such an
    action may even send itself when this transaction is the outermost. Should the action
    return something else, the record is corrected (one more statement)."""
    key = clean_key(key)
    fingerprint = _fingerprint(request_data)
    stored = promised or (0, {})
    with transaction.atomic():
        claim = _claim(user=user, scope=scope, key=key, fingerprint=fingerprint, stored=stored)
        if claim is None:
            return _replay(
                IdempotencyRecord.objects.get(user=user, scope=scope, key=key), fingerprint
            )
        status_code, response = action()
        if (status_code, response) != stored:
            IdempotencyRecord.objects.filter(pk=claim).update(
                status_code=status_code, response=response
            )
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
