"""Walking and riding directions in the map apps riders use. AMap takes GCJ-02, Baidu
BD-09; we store WGS-84 and convert here, at the edge."""

from urllib.parse import urlencode

from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02

AMAP_MODES = {"walk": "walk", "ride": "ride"}
BAIDU_MODES = {"walk": "walking", "ride": "riding"}


def amap_url(*, name: str, lat: float, lng: float, mode: str = "walk", origin=None) -> str:
    """AMap's URI API (opens the app when installed, the web map otherwise)."""
    glng, glat = wgs84_to_gcj02(lng, lat)
    params = {"to": f"{glng:.6f},{glat:.6f},{name}", "mode": AMAP_MODES[mode], "policy": "1"}
    if origin is not None:
        olng, olat = wgs84_to_gcj02(origin[1], origin[0])
        params["from"] = f"{olng:.6f},{olat:.6f},我的位置"
    params.update({"coordinate": "gaode", "callnative": "1", "src": "yizhan"})
    return "https://uri.amap.com/navigation?" + urlencode(params, safe=",")


def baidu_url(*, name: str, lat: float, lng: float, mode: str = "walk", origin=None) -> str:
    """Baidu's web directions from `origin` (lat, lng), or its marker page without one."""
    blng, blat = wgs84_to_bd09(lng, lat)
    common = {"coord_type": "bd09ll", "output": "html", "src": "webapp.yizhan.stations"}
    if origin is None:
        params = {"location": f"{blat:.6f},{blng:.6f}", "title": name, "content": name, **common}
        return "https://api.map.baidu.com/marker?" + urlencode(params, safe=",")
    olng, olat = wgs84_to_bd09(origin[1], origin[0])
    params = {
        "origin": f"latlng:{olat:.6f},{olng:.6f}|name:我的位置",
        "destination": f"latlng:{blat:.6f},{blng:.6f}|name:{name}",
        "mode": BAIDU_MODES[mode],
        "region": "兰州",
        **common,
    }
    return "https://api.map.baidu.com/direction?" + urlencode(params, safe=",:|")


def directions(*, name: str, lat: float, lng: float, origin=None) -> dict[str, str]:
    return {
        f"{app}_{mode}": fn(name=name, lat=lat, lng=lng, mode=mode, origin=origin)
        for app, fn in (("amap", amap_url), ("baidu", baidu_url))
        for mode in ("walk", "ride")
    }
