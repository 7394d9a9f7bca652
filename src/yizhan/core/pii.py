"""Personal data at rest: encrypted with rotatable Fernet keys, found through a keyed hash.

- `EncryptedTextField` stores a Fernet token; the first key in YIZHAN_PII_KEYS encrypts,
  every key decrypts, so keys rotate by prepending a new one and running `yizhan pii-rotate`.
- `blind_index(value)` is an HMAC of the normalised value: equal inputs give equal hashes,
  so a column of them enforces uniqueness and answers lookups without decrypting anything.
- `mask_*` give what a screen shows to anyone but the person themselves.
"""

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_as_fernet_key(k)) for k in keys])


def _as_fernet_key(key: str) -> bytes:
    raw = key.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    raise ValueError("each YIZHAN_PII_KEYS entry must be a Fernet key (32 url-safe base64 bytes)")


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # a key was removed before every row was rotated
        raise ValueError("personal data cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the current primary key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(value: str) -> str:
    normalised = "".join(value.split()).upper()
    key = settings.PII_HASH_KEY.encode("utf-8")
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def name_index(name: str | None) -> str:
    """A blind index of a person's full name (spaces ignored), so staff find 王小川 by typing
    the whole name without decrypting anyone. Empty for no name."""
    name = "".join((name or "").split())
    return blind_index(f"NAME:{name}") if name else ""


def mask_index(prefix: str, suffix: str) -> str:
    """A blind index of what a masked mobile shows (138****1234: the first three and last four
    digits): the mask staff read on a screen finds the account, without decrypting anyone.
    Many numbers share a mask; the index answers all of them."""
    return blind_index(f"MASK:{prefix}:{suffix}")


def mobile_mask_index(mobile: str | None) -> str:
    mobile = "".join((mobile or "").split())
    return mask_index(mobile[:3], mobile[-4:]) if len(mobile) >= 7 else ""


class EncryptedTextField(models.TextField):
    """A text column whose content is a Fernet token; Python sees the plain text."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# A mainland mobile number as people write it (spaces or dashes allowed), and a resident ID.
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def mask_text(text: str | None, *, names=(), replacement: str | None = None) -> str:
    """Free text (a note, a list of parties) with the personal data in it masked: every
    mobile and ID number, and each of `names`. With `replacement`, they are replaced by it
    instead of masked (a withheld identity leaves no trace, not even a surname)."""
    if not text:
        return text or ""

    def hide(mask):
        return (lambda m: replacement) if replacement is not None else (lambda m: mask(m.group()))

    text = _MOBILE_IN_TEXT.sub(hide(lambda s: mask_mobile(re.sub(r"\D", "", s)[-11:])), text)
    text = _ID_IN_TEXT.sub(hide(mask_id_number), text)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(name, replacement if replacement is not None else mask_name(name))
    return text
