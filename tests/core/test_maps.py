"""Basemap providers and their datums, the directions links, the CSP for tile servers."""

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from yizhan.core import maps
from yizhan.core.directions import directions, nav_links
from yizhan.core.geo import wgs84_to_bd09, wgs84_to_gcj02


def test_offline_is_the_default_and_draws_in_wgs84():
    config = maps.provider_layers(provider="offline")
    assert config == {"datum": "wgs84", "layers": []}


def test_tianditu_needs_a_key_and_draws_in_wgs84():
    with pytest.raises(maps.MapConfigError, match="KEY"):
        maps.provider_layers(provider="tianditu")
    config = maps.provider_layers(provider="tianditu", tianditu_key="k123")
    assert config["datum"] == "wgs84"
    base, labels = config["layers"]
    assert "LAYER=vec" in base["url"] and "LAYER=cva" in labels["url"]
    assert "tk=k123" in base["url"] and "{z}" in base["url"] and base["subdomains"] == "01234567"


def test_amap_tiles_are_gcj02():
    config = maps.provider_layers(provider="amap")
    assert config["datum"] == "gcj02" and "autonavi.com" in config["layers"][0]["url"]


@pytest.mark.parametrize(
    ("url", "crs", "ok"),
    [
        ("https://tiles.example.cn/{z}/{x}/{y}.png", "wgs84", True),
        (
            "https://a.example.cn/{z}/{x}/{y}.png https://b.example.cn/{z}/{x}/{y}.png",
            "gcj02",
            True,
        ),
        ("https://tiles.example.cn/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", "wgs84", True),
        ("https://tiles.example.cn/tile.png", "wgs84", False),
        ("ftp://x/{z}/{x}/{y}", "wgs84", False),
        ("https://tiles.example.cn/{z}/{x}/{y}.png", "bd09", False),
        ("", "wgs84", False),
    ],
)
def test_any_xyz_or_wmts_url_with_its_datum(url, crs, ok):
    if ok:
        config = maps.provider_layers(provider="custom", tile_url=url, tile_crs=crs)
        assert config["datum"] == crs and len(config["layers"]) == len(url.split())
    else:
        with pytest.raises(maps.MapConfigError):
            maps.provider_layers(provider="custom", tile_url=url, tile_crs=crs)


def test_a_broken_provider_is_said_at_start_up():
    with override_settings(MAP_PROVIDER="tianditu", MAP_TIANDITU_KEY=""):
        assert "yizhan.E004" in [e.id for e in run_checks()]
    assert "yizhan.E004" not in [e.id for e in run_checks()]


@pytest.mark.django_db
def test_the_pages_allow_the_providers_tile_servers_and_no_others(client):
    offline = client.get("/login/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in offline
    with override_settings(MAP_PROVIDER="amap"):
        csp = client.get("/login/")["Content-Security-Policy"]
    assert "https://webrd01.is.autonavi.com" in csp and "https://webrd04.is.autonavi.com" in csp


def test_directions_convert_to_each_apps_datum():
    lat, lng = 36.0611, 103.8343
    links = directions(name="东方红广场", lat=lat, lng=lng)
    glng, glat = wgs84_to_gcj02(lng, lat)
    blng, blat = wgs84_to_bd09(lng, lat)
    assert f"to={glng:.6f},{glat:.6f}," in links["amap_walk"]
    assert f"location={blat:.6f},{blng:.6f}" in links["baidu_walk"]
    assert f"tocoord={glat:.6f},{glng:.6f}" in links["tencent_ride"]
    assert "type=bike" in links["tencent_ride"] and "mode=ride" in links["amap_ride"]


def test_nav_links_give_one_button_per_app():
    apps = [app for app, _label, _url in nav_links(name="x", lat=36.06, lng=103.83)]
    assert apps == ["amap", "baidu", "tencent"]
    with pytest.raises(ValueError):
        nav_links(name="x", lat=36.06, lng=103.83, mode="fly")


@pytest.mark.django_db
def test_pages_are_compressed_when_the_phone_asks_and_files_are_not(client):
    import gzip

    page = client.get("/stations/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip" and b"<html" in gzip.decompress(page.content)
    assert "Content-Encoding" not in client.get("/stations/")  # not asked: not compressed
    icon = client.get("/static/yizhan/favicon.svg", HTTP_ACCEPT_ENCODING="gzip")
    assert icon.get("Content-Encoding") in (None, "gzip")  # WhiteNoise's own choice
