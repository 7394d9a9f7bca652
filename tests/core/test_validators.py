import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.validators import id_check_char, validate_id_number, validate_mobile


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13812341234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("0086-19912341234", "19912341234"),
    ],
)
def test_valid_mobiles_are_normalised(raw, clean):
    assert validate_mobile(raw) == clean


@pytest.mark.parametrize(
    "raw", ["", "1381234123", "138123412345", "12812341234", "2381234123a", "abc"]
)
def test_invalid_mobiles_are_refused(raw):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(raw)
    assert exc.value.code == "invalid_mobile"


def test_gb11643_reference_number_is_valid():
    # The example in GB 11643-1999: 11010519491231002X
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "checksum"),
        ("11010519491331002X", "birth_date"),
        ("91010519491231002X", "region"),
        ("1101051949123100", "invalid_id_format"),
        ("11010520991231002X", "birth_date"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(number, code):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number, today=dt.date(2026, 11, 29))
    assert exc.value.code == code


@given(
    region=st.sampled_from(["620102", "620103", "110105", "440305"]),
    born=st.dates(dt.date(1940, 1, 1), dt.date(2008, 12, 31)),
    seq=st.integers(0, 999),
    wrong=st.integers(1, 10),
)
def test_every_number_with_the_right_check_char_passes_and_any_other_fails(
    region, born, seq, wrong
):
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    good = first17 + id_check_char(first17)
    assert validate_id_number(good) == good
    chars = "10X98765432"
    bad = first17 + chars[(chars.index(good[-1]) + wrong) % 11]
    with pytest.raises(ValidationError):
        validate_id_number(bad)
