"""A station's name is shown on the map as text: a name holding markup is not run as HTML."""

from yizhan.stations.models import Station

NAME = '<img src=x onerror="window.__xss=1">甲工会驿站'


def test_station_names_in_map_tooltips_are_text(city, page):
    Station.objects.filter(pk=city.station.pk).update(name=NAME)
    page.goto(f"/stations/{city.station.code}/")
    page.wait_for_function("() => window.YZ && YZ.maps.length > 0")
    page.wait_for_timeout(500)  # the network's layer arrives after the map
    page.evaluate(
        """() => YZ.maps.forEach(map => map.eachLayer(layer => {
            if (layer.getTooltip && layer.getTooltip()) layer.openTooltip();
        }))"""
    )
    page.wait_for_selector(".leaflet-tooltip")
    texts = page.locator(".leaflet-tooltip").all_inner_texts()
    assert any(NAME in t for t in texts), texts
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("() => window.__xss") is None
