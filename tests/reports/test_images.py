import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from tests.reports.conftest import make_jpeg
from yizhan.core.images import ImageRejected, phash_distance, process_photo


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_jpeg_is_resized_upright_and_stripped_of_exif():
    result = process_photo(make_jpeg(size=(2000, 1500), orientation=6, gps=(36.06, 103.834)))
    image = Image.open(io.BytesIO(result.content))
    assert (image.width, image.height) == (1200, 1600)  # rotated upright, longest side 1600
    assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in result.content
    assert result.gps == pytest.approx((36.06, 103.834), abs=1e-4)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_other_phone_formats_are_accepted_by_content(fmt):
    upload = make_jpeg(fmt=fmt, name="no-extension")
    result = process_photo(upload)
    assert result.source_format == fmt
    assert Image.open(io.BytesIO(result.content)).format == "JPEG"


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name():
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a photo" * 50, content_type="image/jpeg")
    with pytest.raises(ImageRejected, match="not a photo"):
        process_photo(fake)


def test_a_truncated_jpeg_is_refused():
    data = make_jpeg().read()
    with pytest.raises(ImageRejected, match="damaged"):
        process_photo(SimpleUploadedFile("cut.jpg", data[: len(data) // 3]))


def test_a_100_megapixel_image_is_refused_without_decoding_it():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # small file, huge picture
    assert len(out.getvalue()) < 2_000_000
    with pytest.raises(ImageRejected, match="too many pixels"):
        process_photo(SimpleUploadedFile("bomb.png", out.getvalue()))


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 5_000
    with pytest.raises(ImageRejected, match="larger than"):
        process_photo(make_jpeg(size=(1600, 1200)))


def test_the_same_photo_sent_again_has_a_near_identical_hash():
    original = make_jpeg(seed=3)
    first = process_photo(original)
    original.seek(0)
    smaller = io.BytesIO()
    Image.open(original).resize((900, 675)).save(smaller, "JPEG", quality=60)  # a re-sent copy
    again = process_photo(SimpleUploadedFile("copy.jpg", smaller.getvalue()))
    other = process_photo(make_jpeg(seed=9))
    assert phash_distance(first.phash, again.phash) <= 6
    assert phash_distance(first.phash, other.phash) > 6
