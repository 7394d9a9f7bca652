"""Signed codes: the rotating door code of a session, a worker's personal check-in code and
the secret address of a worker's calendar feed. All are HMACs under keys derived from
SECRET_KEY, one key per purpose, compared in constant time.

The door code names a session and a time step (`DOOR_QR_STEP_SECONDS`); it is accepted in
its own step and the next one, so a code shown on the screen works for 30 to 60 s. A
photograph of it is useless a minute later, unlike a static station code.
"""

import hashlib
import hmac
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import Invalid
from yizhan.training import conf

_DOOR_RE = re.compile(r"^D(\d{1,18})\.(\d{1,12})\.([0-9a-f]{16})$")
_PERSONAL_RE = re.compile(r"^P(\d{1,18})-([0-9a-f]{12})$")
_FEED_RE = re.compile(r"^(\d{1,18})-([0-9a-f]{24})$")


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"yizhan.training.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _sign(purpose: str, message: str, length: int) -> str:
    return hmac.new(_key(purpose), message.encode(), hashlib.sha256).hexdigest()[:length]


def step_of(moment=None) -> int:
    return int((moment or timezone.now()).timestamp()) // conf.DOOR_QR_STEP_SECONDS


# --- the rotating door code -----------------------------------------------------------


def door_token(session_id: int, *, now=None) -> str:
    step = step_of(now)
    return f"D{session_id}.{step}.{_sign('door', f'{session_id}.{step}', 16)}"


def seconds_left(*, now=None) -> int:
    """How long the code now on the screen stays the newest one."""
    moment = now or timezone.now()
    return conf.DOOR_QR_STEP_SECONDS - int(moment.timestamp()) % conf.DOOR_QR_STEP_SECONDS


def read_door_token(token: str, *, now=None) -> int:
    """The session a fresh door code names; Invalid when forged or expired."""
    match = _DOOR_RE.match((token or "").strip())
    if not match:
        raise Invalid(field="token", message=_("This is not a check-in code of Yizhan."))
    session_id, step, signature = int(match[1]), int(match[2]), match[3]
    if not hmac.compare_digest(signature, _sign("door", f"{session_id}.{step}", 16)):
        raise Invalid(field="token", message=_("This is not a check-in code of Yizhan."))
    current = step_of(now)
    if step > current or current - step > 1:
        raise Invalid(
            field="token",
            message=_("This code has expired. Scan the code on the screen at the door again."),
            code="expired",
        )
    return session_id


# --- the worker's personal code -------------------------------------------------------


def personal_code(user_id: int) -> str:
    return f"P{user_id}-{_sign('personal', str(user_id), 12)}"


def read_personal_code(code: str) -> int:
    """The worker a personal code belongs to; Invalid when it is not one."""
    raw = (code or "").strip()
    if "/" in raw:  # a scanner that typed the whole address of the QR code
        raw = raw.rstrip("/").rsplit("/", 1)[-1]
    match = _PERSONAL_RE.match(raw)
    if not match or not hmac.compare_digest(match[2], _sign("personal", match[1], 12)):
        raise Invalid(field="code", message=_("This is not a worker's check-in code."))
    return int(match[1])


# --- the calendar feed ----------------------------------------------------------------


def feed_token(user_id: int) -> str:
    return f"{user_id}-{_sign('feed', str(user_id), 24)}"


def read_feed_token(token: str) -> int | None:
    match = _FEED_RE.match(token or "")
    if not match or not hmac.compare_digest(match[2], _sign("feed", match[1], 24)):
        return None
    return int(match[1])
