"""The way there: directions in the map apps people carry (AMap, Baidu, Tencent).

We store WGS-84; AMap and Tencent take GCJ-02 and Baidu BD-09, so every link converts here,
at the edge. Used wherever a person must go somewhere: a station, a reported hazard, a
pick-up. `directions()` gives every app and mode; `nav_links()` the three buttons a page
shows for one mode.
"""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02

MODES = ("walk", "ride")
AMAP_MODES = {"walk": "walk", "ride": "ride"}
BAIDU_MODES = {"walk": "walking", "ride": "riding"}
TENCENT_MODES = {"walk": "walk", "ride": "bike"}
HERE = "我的位置"  # the origin's label inside the map app (a name, not our UI)


def amap_url(*, name: str, lat: float, lng: float, mode: str = "walk", origin=None) -> str:
    """AMap's URI API (opens the app when installed, the web map otherwise); GCJ-02."""
    glng, glat = wgs84_to_gcj02(lng, lat)
    params = {"to": f"{glng:.6f},{glat:.6f},{name}", "mode": AMAP_MODES[mode], "policy": "1"}
    if origin is not None:
        olng, olat = wgs84_to_gcj02(origin[1], origin[0])
        params["from"] = f"{olng:.6f},{olat:.6f},{HERE}"
    params.update({"coordinate": "gaode", "callnative": "1", "src": "yizhan"})
    return "https://uri.amap.com/navigation?" + urlencode(params, safe=",")


def baidu_url(*, name: str, lat: float, lng: float, mode: str = "walk", origin=None) -> str:
    """Baidu's web directions from `origin` (lat, lng), or its marker page without one; BD-09."""
    blng, blat = wgs84_to_bd09(lng, lat)
    common = {"coord_type": "bd09ll", "output": "html", "src": "webapp.yizhan"}
    if origin is None:
        params = {"location": f"{blat:.6f},{blng:.6f}", "title": name, "content": name, **common}
        return "https://api.map.baidu.com/marker?" + urlencode(params, safe=",")
    olng, olat = wgs84_to_bd09(origin[1], origin[0])
    params = {
        "origin": f"latlng:{olat:.6f},{olng:.6f}|name:{HERE}",
        "destination": f"latlng:{blat:.6f},{blng:.6f}|name:{name}",
        "mode": BAIDU_MODES[mode],
        "region": "兰州",
        **common,
    }
    return "https://api.map.baidu.com/direction?" + urlencode(params, safe=",:|")


def tencent_url(*, name: str, lat: float, lng: float, mode: str = "walk", origin=None) -> str:
    """Tencent's URI API route plan (GCJ-02, "lat,lng" order); from the phone's position
    unless an origin is given."""
    glng, glat = wgs84_to_gcj02(lng, lat)
    params = {"type": TENCENT_MODES[mode], "to": name, "tocoord": f"{glat:.6f},{glng:.6f}"}
    if origin is not None:
        olng, olat = wgs84_to_gcj02(origin[1], origin[0])
        params.update({"from": HERE, "fromcoord": f"{olat:.6f},{olng:.6f}"})
    params["referer"] = "yizhan"
    return "https://apis.map.qq.com/uri/v1/routeplan?" + urlencode(params, safe=",")


APPS = (
    ("amap", _("AMap"), amap_url),
    ("baidu", _("Baidu Maps"), baidu_url),
    ("tencent", _("Tencent Maps"), tencent_url),
)


def directions(*, name: str, lat: float, lng: float, origin=None) -> dict[str, str]:
    """Every app and mode: {"amap_walk": url, "amap_ride": …, "tencent_ride": …}."""
    return {
        f"{app}_{mode}": fn(name=name, lat=lat, lng=lng, mode=mode, origin=origin)
        for app, _label, fn in APPS
        for mode in MODES
    }


def nav_links(*, name: str, lat: float, lng: float, mode: str = "ride", origin=None) -> list:
    """One link per app for one mode, for a page's "navigate" buttons: [(app, label, url)]."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return [
        (app, label, fn(name=name, lat=lat, lng=lng, mode=mode, origin=origin))
        for app, label, fn in APPS
    ]
