"""Real concurrency on PostgreSQL: threads released together, each with its own database
connection, as separate app processes would be."""

import threading

import pytest
from django.db import connection, connections

# Module marks for a concurrency suite: PostgreSQL only (SQLite has no row locks), and
# transactions that really commit, so the threads see each other's rows.
POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def at_once(n, fn, *, timeout=60):
    """Run fn(0..n-1) in n threads released together; return each result or exception."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
