"""The demo city's one published password and its hash, shared by every app's seeder.

Hashing is deliberately slow (PBKDF2, about a quarter of a second a call); each seeder hashing
the same password again cost `yizhan demo-load` more than a second. One hash per process,
with a salt of its own, is what the 3,000 demo workers have always shared.
"""

from functools import lru_cache

from django.contrib.auth.hashers import make_password

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - the demo city's published password


@lru_cache(maxsize=1)
def demo_password_hash() -> str:
    """`DEMO_PASSWORD` hashed once per process (with the hasher configured then)."""
    return make_password(DEMO_PASSWORD)
