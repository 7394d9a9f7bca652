"""The offline basemap's layers: small, compressed, cached a year under a versioned URL, and
faithful to the boundaries they simplify."""

import gzip
import json

import brotli
import pytest
import shapely
from shapely.geometry import Polygon, shape

from yizhan.core import cached
from yizhan.core.maps import forget_data_layers, page_config
from yizhan.places import basemap


@pytest.fixture(autouse=True)
def fresh_caches():
    cached.forget()
    forget_data_layers()
    yield
    cached.forget()


def decode(document):
    """What app.js does: deltas back to coordinates."""
    q, areas = document["q"], {}
    for area_id, _name, _parent, _lx, _ly, polygons in document["areas"]:
        rings = []
        for polygon in polygons:
            flat = polygon[0]
            x, y, points = flat[0], flat[1], [(flat[0] / q, flat[1] / q)]
            for i in range(2, len(flat), 2):
                x, y = x + flat[i], y + flat[i + 1]
                points.append((x / q, y / q))
            rings.append(Polygon(points))
        areas[area_id] = shapely.union_all(rings)
    return areas


def test_every_page_names_the_current_layers(city, client):
    body = client.get("/").content.decode()
    urls = page_config()["data"]
    assert set(urls) == {"districts_lo", "districts_hi", "communities_lo", "communities_hi"}
    assert 'id="map-config"' in body and urls["communities_hi"] in body


@pytest.mark.parametrize("name", list(basemap.LAYERS))
def test_a_layer_is_the_boundaries_within_its_tolerance(city, name):
    level, tolerance, _q, _named = basemap.LAYERS[name]
    document = json.loads(basemap.build(name))
    areas = city.district if level == "district" else None
    originals = (
        {city.district.id: city.district}
        if areas
        else {c.id: c for c in (city.community_a, city.community_b, city.community_c)}
    )
    decoded = decode(document)
    assert set(decoded) == set(originals)
    for area_id, geom in decoded.items():
        original = shape(originals[area_id].boundary)
        assert geom.hausdorff_distance(original) <= tolerance + 2 / document["q"]


def test_layers_are_compressed_cached_a_year_and_revalidated_for_nothing(city, client):
    url = page_config()["data"]["communities_hi"]
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first.status_code == 200 and first["Content-Encoding"] == "br"
    assert "immutable" in first["Cache-Control"] and "max-age=31536000" in first["Cache-Control"]
    assert "Accept-Encoding" in first["Vary"]
    raw = brotli.decompress(first.content)
    assert json.loads(raw)["kind"] == "community"
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == raw
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    assert "Content-Encoding" not in plain and plain.content == raw
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="br")
    assert again.status_code == 304 and again.content == b""


def test_a_layer_url_of_old_data_leads_to_the_current_one(city, client):
    url = page_config()["data"]["districts_lo"]
    response = client.get(url.replace(url.split("/")[2], "0123456789ab"))
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url.replace("districts-lo", "nope")).status_code == 404


def test_the_demo_citys_layers_fit_a_slow_link(db):
    """The real districts and 720 communities: each layer, compressed, stays small."""
    from yizhan.demo.generator import CityGenerator

    CityGenerator(scale="small").build_places()
    sizes = {name: len(brotli.compress(basemap.build(name))) for name in basemap.LAYERS}
    assert sizes["districts_lo".replace("_", "-")] < 8_000
    assert sizes["communities-lo"] < 40_000
    assert sizes["communities-hi"] < 60_000
