"""Named locks for short critical sections that must not interleave across processes (as
pretix's `services/locking.py`): check a counter, then record an attempt.

On PostgreSQL a transaction-scoped advisory lock per name (`pg_advisory_xact_lock`), taken in
a fixed order so two callers never deadlock. On SQLite every transaction already begins
IMMEDIATE (settings), which holds the database's write lock until commit: the section is
serialised without anything more.
"""

import hashlib

from django.db import connection, transaction


def _key(name: str) -> int:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock(*names: str) -> None:
    """Hold the named locks until the surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locking.lock() needs a transaction (transaction.atomic)")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({_key(n) for n in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
