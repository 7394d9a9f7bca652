"""The pinyin reading aid for any template:

{% load pinyin %}
{{ station.name|pinyin_ruby }}            every character (or |pinyin_ruby:"rare")
{% pinyin_ruby station.name "rare" %}     the same as a tag
{% reading_aid station.name %}            follows the reader's own toggle (off: plain)
"""

from django import template
from django.utils.html import conditional_escape

from yizhan.news import selectors

register = template.Library()


@register.filter(name="pinyin_ruby")
def pinyin_ruby_filter(value, mode="all"):
    return selectors.pinyin_ruby(str(value or ""), mode=mode)


@register.simple_tag(name="pinyin_ruby")
def pinyin_ruby_tag(value, mode="all"):
    return selectors.pinyin_ruby(str(value or ""), mode=mode)


@register.simple_tag(takes_context=True)
def reading_aid(context, value):
    request = context.get("request")
    mode = selectors.reader_pinyin(request) if request is not None else "off"
    if mode == "off":
        return conditional_escape(value or "")
    return selectors.pinyin_ruby(str(value or ""), mode=mode)
