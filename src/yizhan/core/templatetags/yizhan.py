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


@register.simple_tag
def map_config():
    """The basemap provider, its datum, the offline basemap's layers and the map's words, as
    a JSON script element for app.js (one per page, in the base template)."""
    from django.templatetags.static import static
    from django.utils.html import json_script

    from yizhan.core.maps import page_config

    config = page_config()
    config["cluster"] = {
        "js": static("vendor/leaflet.markercluster/leaflet.markercluster.js"),
        "css": [
            static("vendor/leaflet.markercluster/MarkerCluster.css"),
            static("vendor/leaflet.markercluster/MarkerCluster.Default.css"),
        ],
    }
    return json_script(config, "map-config")


@register.inclusion_tag("core/_nav_links.html")
def nav_links(name, lat, lng, mode="ride"):
    """ "Navigate" buttons to a WGS-84 point in AMap, Baidu and Tencent (each in its datum)."""
    from yizhan.core.directions import nav_links as links

    if lat is None or lng is None:
        return {"links": []}
    return {"links": links(name=str(name), lat=lat, lng=lng, mode=mode), "name": name}
