"""Safe client retries: create something at most once per (owner, key).

The model carries a unique constraint over the lookup fields (e.g. creator and
idempotency key); a retry, or a race between two identical requests, finds the first
result instead of making a second one.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def create_once(*, model, lookup: dict, create: Callable[[], T]) -> tuple[T, bool]:
    """Return (object, created). `create` must set the lookup fields on what it creates."""
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
