"""The station photo form goes through the one photo pipeline (core.images): refused above
the byte and pixel limits before anything is decoded; a good photo is re-encoded without
its metadata."""

import io
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from yizhan.stations.models import StationPhoto


def png(width, height, mode="1") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height)).save(buf, "PNG")
    return buf.getvalue()


def send(login, city, data: bytes, name="p.png"):
    return login(city.kim).post(
        f"/staff/stations/{city.station.code}/photos/",
        {"image": SimpleUploadedFile(name, data), "caption": "门口"},
        follow=True,
    )


def test_a_120_megapixel_png_is_refused_without_being_decoded(city, login):
    bomb = png(11_000, 11_000)  # a few hundred kB on disk, 120 megapixels
    tracemalloc.start()
    response = send(login, city, bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "像素过多" in response.content.decode()
    assert peak < 60 * 2**20  # decoding it would take hundreds of MB
    assert not StationPhoto.objects.exists()


def test_a_55_megapixel_photo_is_refused(city, login):
    response = send(login, city, png(7_500, 7_400))
    assert "像素过多" in response.content.decode()
    assert not StationPhoto.objects.exists()


def test_a_file_over_the_byte_limit_is_refused(city, login):
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (13 * 2**20)
    response = send(login, city, big)
    assert "MB" in response.content.decode()
    assert not StationPhoto.objects.exists()


def test_a_good_photo_is_kept_re_encoded_without_metadata(city, login):
    buf = io.BytesIO()
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"
    image.save(buf, "JPEG", exif=exif)
    response = send(login, city, buf.getvalue(), name="p.jpg")
    assert response.status_code == 200
    photo = StationPhoto.objects.get()
    with Image.open(photo.image.path) as kept:
        assert max(kept.size) == 1600 and not kept.getexif()
