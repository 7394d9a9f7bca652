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
