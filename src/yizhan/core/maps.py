"""Basemaps: which tile provider the maps draw on, in which datum, and the data layers other
apps register (the offline basemap of districts and communities, from `places`).

Providers (docs/OPERATIONS.md, "Maps"):
- ``offline`` (the default): no tiles at all; the map draws the city's districts, the
  community grid with names at street zoom, and the markers on a plain background.
- ``tianditu``: 天地图, the government basemap (vector + Chinese labels). CGCS2000, which is
  WGS-84 to within centimetres, so nothing is shifted. Needs a key (YIZHAN_MAP_TIANDITU_KEY).
- ``amap``: 高德 tiles. GCJ-02: every overlay, click and drawn point is shifted in the browser
  (app.js) — the stored coordinate stays WGS-84.
- ``custom``: any XYZ or WMTS (KVP, GoogleMapsCompatible matrix set) URL template, several
  separated by spaces (a base and a label layer); YIZHAN_MAP_TILE_CRS says its datum.

The config is computed once per settings and handed to the page with `json_script`.
"""

import functools
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

DATUMS = ("wgs84", "gcj02")
PROVIDERS = ("offline", "tianditu", "amap", "custom")
TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
AMAP = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
CITY_CENTRE = (36.0611, 103.8343)  # Lanzhou, 东方红广场 (WGS-84)


class MapConfigError(ValueError):
    pass


def provider_layers(
    *,
    provider: str,
    tile_url: str = "",
    tile_crs: str = "wgs84",
    attribution: str = "",
    subdomains: str = "",
    max_zoom: int = 18,
    tianditu_key: str = "",
) -> dict:
    """The tile layers and datum of a provider; MapConfigError names what is missing."""
    if provider not in PROVIDERS:
        raise MapConfigError(f"unknown map provider {provider!r}; expected one of {PROVIDERS}")
    if provider == "offline":
        return {"datum": "wgs84", "layers": []}
    if provider == "tianditu":
        if not tianditu_key:
            raise MapConfigError("the tianditu provider needs YIZHAN_MAP_TIANDITU_KEY")
        credit = attribution or "© 天地图"
        layers = [
            {"url": TIANDITU.format(s="{s}", layer=layer, key=tianditu_key)}
            for layer in ("vec", "cva")
        ]
        for layer in layers:
            layer.update(subdomains="01234567", maxZoom=min(max_zoom, 18), attribution="")
        layers[0]["attribution"] = credit
        return {"datum": "wgs84", "layers": layers}
    if provider == "amap":
        credit = attribution or "© 高德地图"
        layer = {"url": AMAP, "subdomains": "1234", "maxZoom": min(max_zoom, 18)}
        return {"datum": "gcj02", "layers": [{**layer, "attribution": credit}]}
    urls = tile_url.split()
    if not urls:
        raise MapConfigError("the custom provider needs YIZHAN_MAP_TILE_URL")
    if tile_crs not in DATUMS:
        raise MapConfigError(f"YIZHAN_MAP_TILE_CRS must be one of {DATUMS}, not {tile_crs!r}")
    for url in urls:
        if not url.startswith(("https://", "http://", "/")) or not all(
            part in url for part in ("{z}", "{x}", "{y}")
        ):
            raise MapConfigError(f"a tile URL needs http(s) and {{z}}, {{x}}, {{y}}: {url!r}")
    layers = [
        {
            "url": url,
            "subdomains": subdomains or "abc",
            "maxZoom": max_zoom,
            "attribution": attribution if i == 0 else "",
        }
        for i, url in enumerate(urls)
    ]
    return {"datum": tile_crs, "layers": layers}


@functools.cache
def _configured(provider, tile_url, tile_crs, attribution, subdomains, max_zoom, key) -> dict:
    return provider_layers(
        provider=provider,
        tile_url=tile_url,
        tile_crs=tile_crs,
        attribution=attribution,
        subdomains=subdomains,
        max_zoom=max_zoom,
        tianditu_key=key,
    )


def configured() -> dict:
    """The provider the settings choose (checked at start-up by `core.checks`)."""
    return _configured(
        settings.MAP_PROVIDER,
        settings.MAP_TILE_URL,
        settings.MAP_TILE_CRS,
        settings.MAP_TILE_ATTRIBUTION,
        settings.MAP_TILE_SUBDOMAINS,
        settings.MAP_TILE_MAX_ZOOM,
        settings.MAP_TIANDITU_KEY,
    )


def tile_origins() -> list[str]:
    """Where tiles come from, for the Content-Security-Policy's img-src."""
    try:
        layers = configured()["layers"]
    except MapConfigError:
        return []
    origins = []
    for layer in layers:
        url = layer["url"]
        if not url.startswith("http"):
            continue
        origin = "/".join(url.split("/")[:3])
        if "{s}" in origin:
            subs = layer.get("subdomains") or "abc"
            hosts = [origin.replace("{s}", s) for s in subs]
        else:
            hosts = [origin]
        origins += [h for h in hosts if h not in origins]
    return origins


# --- data layers other apps contribute (the offline basemap) ---------------------------

_layer_sources: list[Callable[[], dict]] = []
_cache_lock = threading.Lock()
_cache = {"at": 0.0, "value": None}
_CHECK_EVERY_SECONDS = 5.0


def register_layers(source: Callable[[], dict]) -> None:
    """An app adds basemap data layers: `source()` returns {name: url} (versioned URLs)."""
    if source not in _layer_sources:
        _layer_sources.append(source)


def _data_layers() -> dict:
    now = time.monotonic()
    with _cache_lock:
        if _cache["value"] is not None and now - _cache["at"] < _CHECK_EVERY_SECONDS:
            return _cache["value"]
    value = {}
    for source in _layer_sources:
        value.update(source())
    with _cache_lock:
        _cache.update(at=now, value=value)
    return value


def forget_data_layers() -> None:
    with _cache_lock:
        _cache.update(at=0.0, value=None)


def page_config() -> dict:
    """Everything app.js needs to draw a map, in the reader's language."""
    try:
        provider = configured()
    except MapConfigError:
        provider = {"datum": "wgs84", "layers": []}  # a broken setting still draws the city
    return {
        "provider": settings.MAP_PROVIDER if provider["layers"] else "offline",
        "datum": provider["datum"],
        "layers": provider["layers"],
        "data": _data_layers(),
        "centre": list(CITY_CENTRE),
        "cluster_above": settings.MAP_CLUSTER_ABOVE,
        "text": {
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
            "close": _("Close"),
            "prefix": _("Map: Leaflet"),
            "offline": _("Offline basemap"),
            "you": _("You are here"),
            "spot": _("The reported spot"),
        },
    }
