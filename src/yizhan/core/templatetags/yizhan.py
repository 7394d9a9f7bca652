from django import template

from yizhan.core import pii

register = template.Library()


@register.filter
def mask_name(value):
    return pii.mask_name(value)


@register.filter
def mask_mobile(value):
    return pii.mask_mobile(value)


@register.filter
def mask_id(value):
    return pii.mask_id_number(value)


@register.simple_tag
def icon(name, label=""):
    """An icon from the local Tabler sprite (see scripts/build_icons.py). Decorative unless
    given a label, which screen readers then read."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    href = static("vendor/icons/sprite.svg")
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}"><use href="{}#{}"></use></svg>',
            label,
            href,
            name,
        )
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        href,
        name,
    )


@register.filter(expects_localtime=True)
def stamp(value, fmt="Y-m-d H:i"):
    """A date or time as `<time>` (kept on one line by the stylesheet: a phone never breaks
    "2026-05-01 10:30" after a hyphen). Safe inside `blocktrans ... with`."""
    from django.template.defaultfilters import date
    from django.utils.html import format_html

    if not value:
        return ""
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), date(value, fmt))
