"""Registry adapters: yes/no answers about lists of ID numbers, never the records behind them.

One interface, three implementations:

- `LocalAdapter` answers from Yizhan's own data through blind indexes: is this ID number a
  registered worker, a member of a volunteer team, a member of organisation X?
- `CsvAdapter` answers from a department's list delivered as a CSV file (the demo's residence
  permits): a column `id_hash` of keyed hashes (HMAC-SHA256 with the registry's matching key),
  or a column `id_number` hashed when the file is read and then forgotten.
- `HttpAdapter` asks a department's registry over HTTP. ID numbers travel only as keyed hashes;
  every request is signed (HMAC-SHA256 over method, path, timestamp, nonce and the body's
  SHA-256) and so is the answer (over the request's nonce and the answer's SHA-256), so neither
  side accepts a forged, replayed or altered message.

The wire format of the HTTP registry (also in docs/MEMBERSHIP.md):

    POST <url>   Content-Type: application/json
    X-Registry-Key: <key id>   X-Registry-Timestamp: <unix seconds>   X-Registry-Nonce: <hex>
    X-Registry-Signature: hex(HMAC-SHA256(secret, "POST\\n<path>\\n<timestamp>\\n<nonce>\\n<sha256(body)>"))
    {"question": "...", "hashes": ["<hex>", ...], "purpose": "...", "legal_basis": "..."}

    200  X-Registry-Signature: hex(HMAC-SHA256(secret, "RESPONSE\\n<nonce>\\n<sha256(body)>"))
    {"answers": [true, false, ...]}       # one per hash, in order
"""

import csv
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import Conflict

REGISTERED_WORKER = "registered_worker"
VOLUNTEER = "volunteer"
MEMBER_OF = "member_of"
LOCAL_QUESTIONS = {
    REGISTERED_WORKER: _("Is this ID number a registered worker?"),
    VOLUNTEER: _("Is this ID number a member of a volunteer team?"),
    MEMBER_OF: _("Is this ID number a member of the organisation below?"),
}
CHUNK = 900  # below SQLite's limit on query parameters
HTTP_BATCH = 5000
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class RegistryUnavailable(Conflict):
    code = "registry_unavailable"
    default_message = _("The registry did not answer properly. Try again later.")


def chunks(items: Sequence, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def match_hash(match_key: str, id_number: str) -> str:
    """The keyed hash an ID number travels as to a registry that shares `match_key`."""
    return hmac.new(match_key.encode(), id_number.encode(), hashlib.sha256).hexdigest()


class Adapter(Protocol):
    def answer(
        self, *, question: str, id_numbers: list[str], indexes: list[str], organisation=None
    ) -> list[bool]:
        """One yes/no per ID number, in order. `indexes` are Yizhan's blind indexes of the
        same numbers (computed once by the caller)."""


# --- Yizhan's own records ---------------------------------------------------------------


class LocalAdapter:
    def answer(self, *, question, id_numbers, indexes, organisation=None) -> list[bool]:
        from yizhan.accounts import selectors as accounts
        from yizhan.membership.models import HELD_STATES, Family, Membership

        found: set[str] = set()
        if question == REGISTERED_WORKER:
            for batch in chunks(indexes, CHUNK):
                found |= accounts.registered_id_indexes(batch)
        else:
            held = Membership.objects.filter(state__in=HELD_STATES)
            if question == VOLUNTEER:
                held = held.filter(family=Family.TEAM)
            else:
                held = held.filter(organisation__path__startswith=organisation.path)
            for batch in chunks(indexes, CHUNK):
                found |= set(held.filter(id_index__in=batch).values_list("id_index", flat=True))
        return [index in found for index in indexes]


# --- a department's CSV file ------------------------------------------------------------

_csv_cache: dict[tuple, frozenset] = {}


def _csv_path(path: str) -> Path:
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path(settings.PROJECT_DIR) / candidate
    return candidate


class CsvAdapter:
    def __init__(self, registry):
        self.registry = registry

    def _hashes(self) -> frozenset:
        path = _csv_path(self.registry.csv_path)
        key = self.registry.match_key
        try:
            stat = path.stat()
        except OSError:
            raise RegistryUnavailable(
                _("The registry file of %(name)s is missing.") % {"name": self.registry.name}
            ) from None
        cache_key = (
            str(path),
            stat.st_mtime_ns,
            stat.st_size,
            hashlib.sha256(key.encode()).digest(),
        )
        cached = _csv_cache.get(cache_key)
        if cached is not None:
            return cached
        hashes = set()
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row.get("id_hash"):
                    hashes.add(row["id_hash"].strip().lower())
                elif row.get("id_number"):
                    hashes.add(match_hash(key, row["id_number"].strip().upper()))
        _csv_cache.clear()  # one file per registry is plenty to keep
        _csv_cache[cache_key] = frozenset(hashes)
        return _csv_cache[cache_key]

    def answer(self, *, question, id_numbers, indexes, organisation=None) -> list[bool]:
        if not self.registry.match_key:
            raise RegistryUnavailable()
        known = self._hashes()
        key = self.registry.match_key
        return [match_hash(key, number) in known for number in id_numbers]


# --- a department's registry over HTTP --------------------------------------------------


def sign_request(secret: str, *, method: str, path: str, timestamp: str, nonce: str, body: bytes):
    message = "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign_response(secret: str, *, nonce: str, body: bytes) -> str:
    message = "\n".join(["RESPONSE", nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


class HttpAdapter:
    def __init__(self, registry, *, purpose: str = "", legal_basis: str = ""):
        self.registry = registry
        self.purpose = purpose
        self.legal_basis = legal_basis

    def _post(self, question: str, hashes: list[str]) -> list[bool]:
        registry = self.registry
        body = json.dumps(
            {
                "question": question,
                "hashes": hashes,
                "purpose": self.purpose,
                "legal_basis": self.legal_basis,
            },
            ensure_ascii=False,
        ).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        path = urlsplit(registry.url).path or "/"
        headers = {
            "Content-Type": "application/json",
            "X-Registry-Key": registry.key_id,
            "X-Registry-Timestamp": timestamp,
            "X-Registry-Nonce": nonce,
            "X-Registry-Signature": sign_request(
                registry.secret,
                method="POST",
                path=path,
                timestamp=timestamp,
                nonce=nonce,
                body=body,
            ),
        }
        if urlsplit(registry.url).scheme not in ("http", "https"):
            raise RegistryUnavailable()
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            registry.url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=registry.timeout_seconds) as response:  # noqa: S310 - the administrator's configured registry URL
                payload = response.read(MAX_ANSWER_BYTES + 1)
                signature = response.headers.get("X-Registry-Signature", "")
        except (urllib.error.URLError, TimeoutError, OSError):
            raise RegistryUnavailable() from None
        expected = sign_response(registry.secret, nonce=nonce, body=payload)
        if len(payload) > MAX_ANSWER_BYTES or not hmac.compare_digest(signature, expected):
            raise RegistryUnavailable(
                _("The registry's answer was not signed with the shared key.")
            )
        try:
            answers = json.loads(payload)["answers"]
        except (ValueError, KeyError, TypeError):
            raise RegistryUnavailable() from None
        if not isinstance(answers, list) or len(answers) != len(hashes):
            raise RegistryUnavailable()
        if not all(isinstance(a, bool) for a in answers):
            raise RegistryUnavailable()
        return answers

    def answer(self, *, question, id_numbers, indexes, organisation=None) -> list[bool]:
        registry = self.registry
        if not (registry.url and registry.secret and registry.match_key):
            raise RegistryUnavailable()
        hashes = [match_hash(registry.match_key, number) for number in id_numbers]
        answers: list[bool] = []
        for batch in chunks(hashes, HTTP_BATCH):
            answers += self._post(registry.question, batch)
        return answers


def adapter_for(registry, *, purpose: str = "", legal_basis: str = "") -> Adapter:
    """The adapter that speaks to `registry` (None: Yizhan's own records)."""
    if registry is None or registry.kind == "local":
        return LocalAdapter()
    if registry.kind == "csv":
        return CsvAdapter(registry)
    return HttpAdapter(registry, purpose=purpose, legal_basis=legal_basis)
