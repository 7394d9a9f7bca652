"""Directions to a station: the shared links of `core.directions` (AMap, Baidu, Tencent)."""

from yizhan.core.directions import amap_url, baidu_url, directions, tencent_url

__all__ = ["amap_url", "baidu_url", "directions", "tencent_url"]
