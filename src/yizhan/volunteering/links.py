"""Driving and riding directions in AMap (GCJ-02) and Baidu (BD-09) from a WGS-84 point,
as the station pages do: we store WGS-84 and convert here, at the edge."""

from urllib.parse import urlencode

from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02


def amap(*, name: str, lat: float, lng: float, mode: str = "car") -> str:
    glng, glat = wgs84_to_gcj02(lng, lat)
    params = {"to": f"{glng:.6f},{glat:.6f},{name}", "mode": mode, "policy": "1"}
    params.update({"coordinate": "gaode", "callnative": "1", "src": "yizhan"})
    return "https://uri.amap.com/navigation?" + urlencode(params, safe=",")


def baidu(*, name: str, lat: float, lng: float) -> str:
    blng, blat = wgs84_to_bd09(lng, lat)
    params = {
        "location": f"{blat:.6f},{blng:.6f}",
        "title": name,
        "content": name,
        "coord_type": "bd09ll",
        "output": "html",
        "src": "webapp.yizhan.volunteering",
    }
    return "https://api.map.baidu.com/marker?" + urlencode(params, safe=",")


def directions(*, name: str, lat: float, lng: float, riding: bool = False) -> dict[str, str]:
    return {
        "amap": amap(name=name, lat=lat, lng=lng, mode="ride" if riding else "car"),
        "baidu": baidu(name=name, lat=lat, lng=lng),
    }
