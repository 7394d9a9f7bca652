"""Coordinates: WGS-84 in the database; GCJ-02 (AMap, Tencent) and BD-09 (Baidu) at the edges.

GCJ-02 is an obfuscation of WGS-84 defined only inside mainland China; its inverse has no
closed form, so `gcj02_to_wgs84` iterates until it is exact to about a millimetre.
All functions take and return (lng, lat) in degrees, the order map SDKs use.
"""

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8  # mean radius (IUGG)

CRS_WGS84 = "wgs84"
CRS_GCJ02 = "gcj02"
CRS_BD09 = "bd09"
CRS_CHOICES = (CRS_WGS84, CRS_GCJ02, CRS_BD09)


def out_of_china(lng: float, lat: float) -> bool:
    """GCJ-02 leaves points outside this rough box unshifted (as every implementation does)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _shift_lat(lng - 105.0, lat - 35.0)
    dlng = _shift_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, *, tolerance: float = 1e-9) -> tuple[float, float]:
    """Invert the GCJ-02 shift by fixed-point iteration (converges in a handful of steps)."""
    if out_of_china(lng, lat):
        return lng, lat
    wlng, wlat = lng, lat
    for _ in range(30):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        dlng, dlat = glng - lng, glat - lat
        wlng, wlat = wlng - dlng, wlat - dlat
        if abs(dlng) < tolerance and abs(dlat) < tolerance:
            break
    return wlng, wlat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _bd09_to_gcj02_approx(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def bd09_to_gcj02(lng: float, lat: float, *, exact: bool = False) -> tuple[float, float]:
    """Baidu's published inverse (good to ~5 cm); `exact=True` refines it by iteration."""
    glng, glat = _bd09_to_gcj02_approx(lng, lat)
    if exact:
        for _ in range(10):
            blng, blat = gcj02_to_bd09(glng, glat)
            glng, glat = glng - (blng - lng), glat - (blat - lat)
    return glng, glat


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat, exact=True))


def to_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    """Bring a point given in `crs` into WGS-84 (what we store)."""
    if crs == CRS_WGS84:
        return lng, lat
    if crs == CRS_GCJ02:
        return gcj02_to_wgs84(lng, lat)
    if crs == CRS_BD09:
        return bd09_to_wgs84(lng, lat)
    raise ValueError(f"unknown coordinate system {crs!r}; expected one of {CRS_CHOICES}")


def from_wgs84(lng: float, lat: float, crs: str) -> tuple[float, float]:
    if crs == CRS_WGS84:
        return lng, lat
    if crs == CRS_GCJ02:
        return wgs84_to_gcj02(lng, lat)
    if crs == CRS_BD09:
        return wgs84_to_bd09(lng, lat)
    raise ValueError(f"unknown coordinate system {crs!r}; expected one of {CRS_CHOICES}")


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def validate_lat_lng(lat: float, lng: float) -> None:
    """Raise ValueError naming the field when a coordinate is out of range."""
    if not (isinstance(lat, int | float) and math.isfinite(lat) and -90 <= lat <= 90):
        raise ValueError("lat must be between -90 and 90")
    if not (isinstance(lng, int | float) and math.isfinite(lng) and -180 <= lng <= 180):
        raise ValueError("lng must be between -180 and 180")
