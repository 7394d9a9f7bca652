import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core import geo

# Reference values published with the widely used coordtransform library for (116.404, 39.915).
REF = (116.404, 39.915)


def close(a, b, tol=1e-9):
    return all(math.isclose(x, y, abs_tol=tol) for x, y in zip(a, b, strict=True))


def test_wgs84_to_gcj02_matches_reference_point():
    assert close(geo.wgs84_to_gcj02(*REF), (116.41024449916938, 39.91640428150164))


def test_gcj02_to_bd09_matches_reference_point():
    assert close(geo.gcj02_to_bd09(*REF), (116.41036949371029, 39.92133699351021))


def test_bd09_to_gcj02_matches_reference_point():
    assert close(geo.bd09_to_gcj02(*REF), (116.39762729119315, 39.90865673957631))


def test_gcj02_to_wgs84_is_closer_than_the_one_step_approximation():
    # The one-step inverse gives (116.39775550083061, 39.91359571849836); ours iterates.
    back = geo.gcj02_to_wgs84(*REF)
    assert close(back, (116.39775550083061, 39.91359571849836), tol=2e-5)
    assert close(geo.wgs84_to_gcj02(*back), REF, tol=1e-9)


def test_points_outside_china_are_not_shifted():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(-74.0, 40.7) == (-74.0, 40.7)


@given(st.floats(73.7, 134.7), st.floats(18.2, 53.5))
def test_gcj02_round_trip_is_within_a_millimetre(lng, lat):
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lng, lat))
    assert geo.haversine_m(lat, lng, back[1], back[0]) < 0.001


@given(st.floats(73.7, 134.7), st.floats(18.2, 53.5))
def test_bd09_round_trip_is_within_a_centimetre(lng, lat):
    back = geo.bd09_to_wgs84(*geo.wgs84_to_bd09(lng, lat))
    assert geo.haversine_m(lat, lng, back[1], back[0]) < 0.01


def test_lanzhou_shift_is_a_few_hundred_metres():
    lng, lat = 103.834, 36.061  # Zhongshan bridge, Lanzhou
    glng, glat = geo.wgs84_to_gcj02(lng, lat)
    assert 100 < geo.haversine_m(lat, lng, glat, glng) < 700


def test_haversine_one_degree_of_latitude():
    assert math.isclose(geo.haversine_m(36.0, 103.8, 37.0, 103.8), 111_195, rel_tol=1e-3)


def test_to_wgs84_rejects_unknown_system():
    with pytest.raises(ValueError, match="unknown coordinate system"):
        geo.to_wgs84(103.8, 36.0, "epsg3857")


@pytest.mark.parametrize(
    ("lat", "lng", "field"), [(91, 103, "lat"), (36, 181, "lng"), (float("nan"), 1, "lat")]
)
def test_validate_lat_lng_names_the_field(lat, lng, field):
    with pytest.raises(ValueError, match=f"^{field} must be"):
        geo.validate_lat_lng(lat, lng)
