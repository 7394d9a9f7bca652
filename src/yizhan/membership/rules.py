"""Small pure rules of the membership app: working-day deadlines, QR tokens, card numbers,
the key that links a membership to a person without naming them."""

import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

from django.conf import settings

from yizhan.core.pii import blind_index
from yizhan.core.workdays import add_working_days, calendar_known
from yizhan.membership.models import NUMBER_PREFIX

LOCAL = ZoneInfo(settings.TIME_ZONE)
# Consent text version for union and party membership (shown on the join page).
CONSENT_VERSION = "2026-11-m1"


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 on `day` in Asia/Shanghai."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL)


def due_after(start: dt.datetime, working_days: int) -> dt.datetime:
    """The end of the `working_days`-th working day after the day `start` falls on: a check-in
    on the eve of the National Day holiday waits until after it (core.workdays)."""
    return end_of_day(add_working_days(local_date(start), working_days))


def rests_on_guess(moment: dt.datetime | None) -> bool:
    """A deadline in a year whose holidays nobody has announced (a weekday guess)."""
    return moment is not None and not calendar_known(local_date(moment).year)


def person_index(user_id: int) -> str:
    """The keyed hash that finds a person's memberships; useless without the PII hash key."""
    return blind_index(f"member:{int(user_id)}")


def _token(purpose: str, value: str, length: int = 16) -> str:
    key = hashlib.sha256(f"yizhan.membership.{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:length]


def join_token(org_code: str) -> str:
    """The secret in an organisation's join QR: proves the scan happened at its poster."""
    return _token("join", org_code)


def card_token(number: str) -> str:
    """The secret in a membership card's QR: a card number alone proves nothing."""
    return _token("card", number, 20)


def tokens_match(given: str, expected: str) -> bool:
    return hmac.compare_digest((given or "").encode(), expected.encode())


def format_number(family: str, year: int, serial: int) -> str:
    return f"{NUMBER_PREFIX[family]}{year}{serial:06d}"
