"""Filters for amounts and rates kept as integers: fen, basis points, minutes."""

from django import template

from yizhan.transparency import money

register = template.Library()


@register.filter
def pct(bp):
    """Basis points as a percentage: 3200 → 32.0%."""
    return money.percent(bp)


@register.filter
def yuan(fen):
    return money.yuan(fen)


@register.filter
def hours(minutes):
    """Minutes as hours with one decimal: 570 → 9.5 h (the unit is in the template)."""
    if minutes is None:
        return "—"
    tenths = (minutes * 10 + 30) // 60
    return f"{tenths // 10}.{tenths % 10}"
