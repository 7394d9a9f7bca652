"""Money and rates as integers: amounts in fen (分), commission in basis points (1 bp = 0.01 %).

Nothing here uses a float. Yuan typed by people or read from statements are parsed as
decimals; a commission is compared with a cap by cross-multiplying integers, so 25.00 % of
a ¥33.33 fare is never "a little above" 25 % because of binary rounding.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

BP = 10_000
FEN_MAX = 10**11  # ¥1,000,000,000.00: beyond any real order, and inside a 64-bit column


class AmountError(ValueError):
    """The text is not an amount in yuan with at most two decimals."""


_PLAIN = re.compile(r"^(\d{1,11})(?:\.(\d{1,2}))?$")


def yuan_to_fen(value) -> int:
    """'12.5', '¥1,234.56', 12.5 (an Excel cell), Decimal('3') → fen. Refuses negative,
    NaN, infinite, more than two decimals in text, and absurdly large amounts."""
    if isinstance(value, str) and (m := _PLAIN.match(value)):
        # The common case in a statement, in integers only.
        whole, cents = m.groups()
        fen = int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)
        if fen > FEN_MAX:
            raise AmountError("too large")
        return fen
    if isinstance(value, bool) or value is None:
        raise AmountError("empty")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # A spreadsheet cell: its decimal repr, rounded to the fen (formulas leave 12.4999…).
        amount = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        for mark in ("¥", "￥", "元", "RMB"):
            text = text.replace(mark, "")
        text = text.strip()
        if not text:
            raise AmountError("empty")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise AmountError("not a number") from None
        if amount.is_finite() and amount.as_tuple().exponent < -2:
            raise AmountError("more than two decimals")
    if not amount.is_finite():
        raise AmountError("not a number")
    if amount < 0:
        raise AmountError("negative")
    fen = int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
    if fen > FEN_MAX:
        raise AmountError("too large")
    return fen


def rate_bp(*, fare_fen: int, payout_fen: int) -> int:
    """The platform's share of the fare in basis points, rounded down."""
    return (fare_fen - payout_fen) * BP // fare_fen


def above_cap(*, fare_fen: int, commission_fen: int, cap_bp: int) -> bool:
    """commission / fare > cap, decided exactly in integers."""
    return commission_fen * BP > cap_bp * fare_fen


def percent(bp: int | None) -> str:
    """Basis points as a percentage with one decimal, rounded half up: 3199 → '32.0%'."""
    if bp is None:
        return "—"
    tenths = (bp + 5) // 10
    return f"{tenths // 10}.{tenths % 10}%"


def yuan(fen: int | None) -> str:
    """Fen as yuan with two decimals and thousands separators: 123456 → '¥1,234.56'."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def percent_to_bp(value) -> int:
    """'25', '25.5', '25.55 %' → basis points; raises AmountError for anything else (the
    range check is the caller's, so the message can say 0–100 %)."""
    text = str(value if value is not None else "").strip().rstrip("%％").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise AmountError("not a number") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise AmountError("not a percentage with at most two decimals")
    bp = amount * 100
    if abs(bp) > 10**9:
        raise AmountError("too large")
    return int(bp)
