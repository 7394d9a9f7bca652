"""Validators for mainland identifiers: mobile numbers and resident ID numbers (GB 11643-1999)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86/0086 prefix; the result may still be invalid."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> str:
    mobile = normalise_mobile(value)
    if not _MOBILE_RE.match(mobile):
        raise ValidationError(
            _("Enter a valid mainland mobile number: 11 digits starting with 13-19."),
            code="invalid_mobile",
        )
    return mobile


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Validate an 18-character resident ID number; returns it normalised (upper-case X)."""
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            _("A resident ID number has 17 digits followed by a digit or X."),
            code="invalid_id_format",
        )
    if number[0] not in "12345678":
        raise ValidationError(_("The region code of this ID number is not valid."), code="region")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The date of birth in this ID number is not a real date."), code="birth_date"
        ) from None
    today = today or dt.date.today()
    if born > today or born.year < 1900:
        raise ValidationError(
            _("The date of birth in this ID number is not possible."), code="birth_date"
        )
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number's check digit is wrong; please check the number."),
            code="checksum",
        )
    return number


BIGINT_MAX = 2**63 - 1


def as_db_id(value) -> int | None:
    """An id from a query string or a form (`"42"`), or None when it cannot be one: digits
    only, and no larger than a database id can be (a bigger number is no id, not a 500)."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= BIGINT_MAX else None
