"""Maps in a real browser, at a phone's size (390x844):

- a grid officer opens a report and sees the map with the pin, the place in words and the
  way there in three map apps;
- a rider reports a hazard with JavaScript off: a community from the list and the spot in words;
- each basemap provider draws a WGS-84 point at the pixel its datum puts it (AMap: GCJ-02,
  about 220 m away from the raw numbers in Lanzhou), and a tap on an AMap map is stored as the
  WGS-84 point under the finger.

Tiles never leave the machine: every tile request is answered here with a blank PNG (and
counted, so the test knows which tiles the map asked for).
"""

import base64
import math
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.reports.conftest import make_jpeg
from tests.stations.conftest import add_station
from yizhan.core.geo import wgs84_to_gcj02
from yizhan.places import services as places
from yizhan.reports import services
from yizhan.reports.models import Category, Report
from yizhan.stations import selectors as station_selectors

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
SPOT = (36.0210, 103.8210)  # in community A, 140 m from station S1
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def fresh_station_index():
    """The live server's process keeps a station index: never another test's."""
    station_selectors.invalidate_index()
    yield
    station_selectors.invalidate_index()


def world_pixel(lat: float, lng: float, zoom: float) -> tuple[float, float]:
    """Web Mercator (EPSG:3857) pixel of a point at a zoom, as every XYZ tile grid counts."""
    size = 256 * 2**zoom
    sin = math.sin(math.radians(lat))
    x = (lng + 180) / 360 * size
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * size
    return x, y


def save(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, mobile):
    page.goto("/login/")
    page.get_by_label("手机号").fill(mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/$"))


@pytest.fixture
def report(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        places.landmarks_import_csv(text="code,name,lat,lng\nL1,中山桥,36.0300,103.8300\n")
    return services.report_submit(
        reporter=city.alice,
        category=Category.objects.get(code="exposed-wire"),
        lat=SPOT[0],
        lng=SPOT[1],
        photos=[make_jpeg(seed=81)],
        address="甲路 12 号北门",
        description="电线垂到头顶",
    ).report


@pytest.fixture
def tiles(page):
    """Answer every tile request with a blank PNG; the list of asked URLs."""
    asked = []

    def answer(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=PNG)

    page.route(re.compile(r"https://[^/]*(tianditu|autonavi|tiles\.example)[^/]*/.*"), answer)
    return asked


def test_grid_officer_sees_the_map_the_place_and_the_way_there(report, page, tiles):
    log_in(page, "13900000003")
    page.goto("/staff/reports/")
    page.wait_for_function("() => window.YZ && YZ.maps.length && YZ.maps[0]._loaded")
    page.wait_for_selector(".queue-map canvas")
    assert "城关区 › 西街道 › 甲社区" in page.locator(".queue").inner_text()
    save(page, "maps-officer-queue")
    page.get_by_role("link", name=re.compile(f"#{report.pk} ")).click()
    page.wait_for_selector(".report-map .yz-pin")
    location = page.locator(".location")
    text = location.inner_text()
    assert "城关区 › 西街道 › 甲社区" in text
    assert "甲工会驿站附近（140 米）" in text and "甲路 12 号北门" in text
    assert location.locator(".yz-pin").is_visible()
    assert location.locator(".yz-near").inner_text() == "甲工会驿站"  # the named place, on the map
    amap = location.get_by_role("link", name="高德地图")
    glng, glat = wgs84_to_gcj02(SPOT[1], SPOT[0])
    assert f"{glng:.6f},{glat:.6f}" in amap.get_attribute("href")
    assert (
        location.get_by_role("link", name="百度地图")
        .get_attribute("href")
        .startswith("https://api.map.baidu.com/")
    )
    assert location.get_by_role("link", name="腾讯地图").is_visible()
    # Leaflet's own words are Chinese.
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "放大"
    assert "离线底图" in page.locator(".leaflet-control-attribution").inner_text()
    location.scroll_into_view_if_needed()
    save(page, "maps-officer-report")


def test_rider_reports_a_hazard_with_javascript_off(
    city, browser, live_server, tmp_path, transactional_db
):
    context = browser.new_context(
        **PHONE, locale="zh-CN", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, "13800000001")
    page.goto("/reports/new/")
    assert not page.locator("#locate-me").is_visible()  # no button that cannot work
    assert not page.locator("#pick-map").is_visible()
    page.get_by_label("是什么问题？").select_option("exposed-wire")
    photo = tmp_path / "wire.jpg"
    photo.write_bytes(make_jpeg(seed=82).read())
    page.get_by_label("照片", exact=True).set_input_files(str(photo))
    page.get_by_label("或选择所在社区").select_option("620102001002")
    page.get_by_label("详细地址或具体位置（可不填）").fill("乙社区 3 号楼东侧")
    save(page, "maps-rider-report-nojs")
    page.get_by_role("button", name="发送").click()
    page.wait_for_url(re.compile(r"/reports/\d+/(\?sent=1)?$"))
    report = Report.objects.get()
    assert report.community == city.community_b and report.address == "乙社区 3 号楼东侧"
    assert "城关区 › 西街道 › 乙社区" in page.locator(".location").inner_text()
    save(page, "maps-rider-report-nojs-sent")
    # The finder without JavaScript: the community from the list, then the list.
    page.goto("/stations/")
    page.get_by_label("区县或社区").select_option("c620102001001")
    page.get_by_role("button", name="搜索").click()
    assert "离甲社区最近的" in page.locator(".results-title").inner_text()
    assert "甲工会驿站" in page.locator(".station-item").first.inner_text()
    context.close()


PROVIDERS = {
    "offline": ({"MAP_PROVIDER": "offline"}, "wgs84"),
    "tianditu": ({"MAP_PROVIDER": "tianditu", "MAP_TIANDITU_KEY": "test-key"}, "wgs84"),
    "amap": ({"MAP_PROVIDER": "amap"}, "gcj02"),
    "custom-gcj02": (
        {
            "MAP_PROVIDER": "custom",
            "MAP_TILE_URL": "https://tiles.example.cn/{z}/{x}/{y}.png",
            "MAP_TILE_CRS": "gcj02",
        },
        "gcj02",
    ),
}


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_each_provider_draws_the_point_where_its_datum_puts_it(
    provider, report, page, tiles, settings
):
    overrides, datum = PROVIDERS[provider]
    for name, value in overrides.items():
        setattr(settings, name, value)
    log_in(page, "13900000003")
    page.goto(f"/reports/{report.pk}/")
    page.wait_for_selector(".report-map .yz-pin")
    drawn = page.evaluate(
        """() => {
        const map = YZ.maps[0];
        let pin = null;
        map.eachLayer(l => { if (l.options.icon && l.options.icon.options.className === 'yz-pin') pin = l; });
        const p = map.project(pin.getLatLng(), 18);
        const z = Math.round(map.getZoom());
        const c = map.project(map.getCenter(), z);
        return {x: p.x, y: p.y, zoom: z, tile: [Math.floor(c.x / 256), Math.floor(c.y / 256)]};
    }"""
    )
    if datum == "gcj02":
        lng, lat = wgs84_to_gcj02(SPOT[1], SPOT[0])
    else:
        lat, lng = SPOT
    x, y = world_pixel(lat, lng, 18)
    assert abs(drawn["x"] - x) < 0.5 and abs(drawn["y"] - y) < 0.5
    raw_x, raw_y = world_pixel(SPOT[0], SPOT[1], 18)
    shift = math.hypot(x - raw_x, y - raw_y) * 0.597 * math.cos(math.radians(SPOT[0]))
    assert (shift > 150) == (datum == "gcj02")  # GCJ-02 moves Lanzhou ~220 m; WGS-84 none
    if provider == "offline":
        assert not tiles
    else:
        z, (tx, ty) = drawn["zoom"], drawn["tile"]
        wanted = {
            "tianditu": f"TILEMATRIX={z}&TILEROW={ty}&TILECOL={tx}&tk=test-key",
            "amap": f"x={tx}&y={ty}&z={z}",
            "custom-gcj02": f"/{z}/{tx}/{ty}.png",
        }[provider]
        assert any(wanted in url for url in tiles), (wanted, tiles[:4])
    save(page, f"maps-provider-{provider}")


def test_a_tap_on_an_amap_map_is_stored_as_the_wgs84_point_under_the_finger(
    city, page, tiles, settings
):
    settings.MAP_PROVIDER = "amap"
    page.context.grant_permissions([])
    log_in(page, "13800000001")
    page.goto("/reports/new/")
    page.wait_for_function("() => window.YZ && YZ.maps.length && YZ.maps[0]._loaded")
    glng, glat = wgs84_to_gcj02(SPOT[1], SPOT[0])
    page.locator("#pick-map").scroll_into_view_if_needed()
    point = page.evaluate(
        """([lat, lng]) => {
        const map = YZ.maps[0];
        map.setView([lat, lng], 17, {animate: false});
        const p = map.latLngToContainerPoint([lat, lng]);
        return [p.x, p.y];
    }""",
        [glat, glng],
    )
    page.locator("#pick-map").click(position={"x": point[0], "y": point[1]})
    page.wait_for_function("() => document.querySelector('[name=lat]').value !== ''")
    lat = float(page.locator("[name=lat]").input_value())
    lng = float(page.locator("[name=lng]").input_value())
    assert page.locator("[name=crs]").input_value() == "wgs84"
    # One screen pixel at zoom 17 is about 1 m: the stored point is the WGS-84 spot.
    assert abs(lat - SPOT[0]) < 2e-5 and abs(lng - SPOT[1]) < 2e-5


def test_the_finder_and_the_public_map(city, report, page, tiles, settings):
    for n in range(40):  # more than the list's page: the rest are the map's layer
        add_station(f"M{n}", lat=36.01 + n * 0.001, lng=103.81 + (n % 7) * 0.002)
    settings.MAP_CLUSTER_ABOVE = 10  # a city's network at a small scale: clustered at once
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto("/stations/")
    page.wait_for_function(
        "() => document.getElementById('station-map').dataset.stations !== undefined"
    )
    # The city's whole network is drawn clustered from the first view, the plug-in having
    # come inside Leaflet's own file: no request after the scripts ran.
    page.wait_for_function("() => document.getElementById('station-map').dataset.clustered === '1'")
    assert not [url for url in asked if "markercluster" in url.lower()], asked
    assert page.locator("#locate-me").is_visible()  # the script showed it: it works here
    save(page, "maps-finder")
    page.goto("/reports/public/")
    page.wait_for_selector(".public-map canvas")
    assert "城关区 › 西街道 › 甲社区" in page.locator(".list").inner_text()
    save(page, "maps-public")
