"""Pluggable SMS sending. Production names its gateway's backend in YIZHAN_SMS_BACKEND (a
class with `send(*, mobile, message)`); deploy check yizhan.E003 refuses the two below there
unless YIZHAN_SMS_LOG_BACKEND_ALLOWED says it is a staging system without SMS.

- `OutboxSmsBackend` (the demo's and the tests' default) keeps each text, encrypted like all
  personal data, in a one-day outbox: the demo's "texts sent" page and the tests read codes
  there, never from a log.
- `LogSmsBackend` only logs.

Both log one line per text with the number masked and every run of digits that could be a
code redacted: a log file is read by more people than an outbox, and kept longer.
"""

import logging
import re

from django.conf import settings
from django.utils.module_loading import import_string

from yizhan.core.pii import mask_mobile

logger = logging.getLogger("yizhan.sms")
OUTBOX_HOURS = 24
_DIGITS = re.compile(r"\d{4,}")


def redact(message: str) -> str:
    """The text with every run of four or more digits (codes, numbers) blanked out."""
    return _DIGITS.sub(lambda m: "*" * len(m.group()), message)


def log_line(mobile: str, message: str) -> None:
    logger.info("SMS to %s: %s", mask_mobile(mobile), redact(message))


class LogSmsBackend:
    def send(self, *, mobile: str, message: str) -> None:
        log_line(mobile, message)


class OutboxSmsBackend:
    def send(self, *, mobile: str, message: str) -> None:
        import datetime as dt

        from django.utils import timezone

        from yizhan.core.models import SmsMessage

        SmsMessage.objects.create(mobile=mobile, text=message)
        SmsMessage.objects.filter(
            sent_at__lt=timezone.now() - dt.timedelta(hours=OUTBOX_HOURS)
        ).delete()
        log_line(mobile, message)


def outbox(*, mobile: str | None = None, limit: int = 50) -> list:
    """The texts in the outbox, newest first (for one number if given)."""
    from yizhan.core.models import SmsMessage

    rows = list(SmsMessage.objects.order_by("-sent_at", "-id")[: max(limit, 500)])
    if mobile:
        rows = [r for r in rows if r.mobile == mobile]
    return rows[:limit]


def last_code(mobile: str) -> str | None:
    """The newest six-digit code texted to `mobile` (tests, the demo)."""
    for row in outbox(mobile=mobile):
        found = re.search(r"\b(\d{6})\b", row.text)
        if found:
            return found.group(1)
    return None


def send_sms(*, mobile: str, message: str) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(mobile=mobile, message=message)
