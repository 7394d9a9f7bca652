"""Report fixtures: real photos made with Pillow (JPEG with and without GPS EXIF, HEIC)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from tests.conftest import make_user
from yizhan.accounts.models import WorkerProfile
from yizhan.reports.defaults import ensure
from yizhan.reports.models import Category


def make_jpeg(
    *, size=(1200, 900), seed=1, gps=None, name="photo.jpg", orientation=None, fmt="JPEG"
):
    """A distinct picture per seed (so perceptual hashes differ), optionally with GPS EXIF."""
    image = Image.new("RGB", size, (40 + seed * 37 % 200, 90, 140))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x = (seed * 97 + i * 131) % size[0]
        y = (seed * 53 + i * 71) % size[1]
        draw.rectangle(
            [x, y, x + size[0] // 5, y + size[1] // 7],
            fill=((seed * 29 + i * 50) % 255, (i * 40) % 255, (seed * 11) % 255),
        )
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        lat, lng = gps
        ifd = exif.get_ifd(0x8825)
        ifd.update({1: "N", 2: _dms(lat), 3: "E", 4: _dms(lng)})
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    content_type = {
        "JPEG": "image/jpeg",
        "PNG": "image/png",
        "WEBP": "image/webp",
        "HEIF": "image/heic",
    }[fmt]
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def _dms(value):
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = round((minutes_float - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


@pytest.fixture(autouse=True)
def _default_categories(db):
    """The data migration's categories (a browser test's flush may have removed them)."""
    ensure(Category)


@pytest.fixture
def photo():
    return make_jpeg


@pytest.fixture
def wire(db):
    return Category.objects.get(code="exposed-wire")


@pytest.fixture
def street_light(db):
    return Category.objects.get(code="street-light")


@pytest.fixture
def bob(city):
    """A second rider, who saw the same hazard as Alice."""
    user = make_user("13800000002", "李小山")
    WorkerProfile.objects.create(
        user=user,
        kind=WorkerProfile.Kind.DELIVERY_RIDER,
        platform=city.platform,
        home_district=city.district,
        consent_version="2026-11",
        consent_at=timezone.now(),
    )
    return user


@pytest.fixture
def wire_reward(city):
    """The city's points rule for exposed wires: 12 points a verified report."""
    from yizhan.points import services as points

    return points.rule_create(
        by=city.adam,
        code="report-exposed-wire",
        name="随手拍·电线裸露",
        source="report_verified",
        category="exposed-wire",
        points=12,
    )


# Points inside the test city's communities (see tests/conftest.py)
IN_A = (36.02, 103.82)
IN_B = (36.07, 103.82)
OUTSIDE = (36.105, 103.82)  # inside the city (its margin for GPS drift), in no community
FAR_AWAY = (36.50, 103.82)  # 45 km north of the test city: not in it
