"""Photos from phones: accepted by content (JPEG, PNG, WebP, HEIC), size-limited, safe
against decompression bombs, turned upright, resized for storage, EXIF removed.

`process_photo` returns clean JPEG bytes plus what we learnt on the way: the photo's GPS
position (offered to the reporter, never stored with the photo) and a perceptual hash that
finds the same picture sent again.
"""

import io
import warnings
from dataclasses import dataclass
from fractions import Fraction

import imagehash
import pillow_heif
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()
warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we refuse such images ourselves

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Pillow itself refuses anything over twice this; we refuse earlier, from the header alone.
Image.MAX_IMAGE_PIXELS = 60_000_000


class ImageRejected(ValueError):
    """The upload is not a photo we can take; the message says why, for the user."""


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes
    width: int
    height: int
    phash: str
    source_format: str
    gps: tuple[float, float] | None  # (lat, lng) WGS-84 from EXIF, if the phone wrote one


def _max_bytes() -> int:
    return getattr(settings, "PHOTO_MAX_BYTES", 12 * 1024 * 1024)


def _max_pixels() -> int:
    return getattr(settings, "PHOTO_MAX_PIXELS", 50_000_000)


def _read_limited(upload) -> bytes:
    limit = _max_bytes()
    if getattr(upload, "size", None) and upload.size > limit:
        raise ImageRejected(_("The photo is larger than %(mb)d MB.") % {"mb": limit // 2**20})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImageRejected(_("The photo is larger than %(mb)d MB.") % {"mb": limit // 2**20})
    if not data:
        raise ImageRejected(_("The photo is empty."))
    return data


def _dms_to_degrees(dms, ref) -> float:
    degrees = sum(float(Fraction(v).limit_denominator()) / 60**i for i, v in enumerate(dms))
    return -degrees if ref in ("S", "W") else degrees


def gps_from_exif(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(0x8825)
        if not gps or 2 not in gps or 4 not in gps:
            return None
        lat = _dms_to_degrees(gps[2], gps.get(1, "N"))
        lng = _dms_to_degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None
    return lat, lng


def _too_many_pixels() -> ImageRejected:
    return ImageRejected(
        _("The photo has too many pixels (%(mp)d megapixels at most).")
        % {"mp": _max_pixels() // 1_000_000}
    )


def process_photo(upload, *, max_side: int = 1600) -> ProcessedPhoto:
    data = _read_limited(upload)
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)  # reads the header only
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageRejected(
            _("This file is not a photo we accept (JPEG, PNG, WebP or HEIC).")
        ) from None
    source_format = image.format
    if image.width * image.height > _max_pixels():
        raise _too_many_pixels()
    if source_format == "JPEG":
        # Let libjpeg decode a 12 MP photo at 1/2 or 1/4 scale when that still covers max_side.
        image.draft("RGB", (max_side, max_side))
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ImageRejected(
            _("The photo is damaged or incomplete; please take it again.")
        ) from None
    gps = gps_from_exif(image)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    # reducing_gap: a fast integer reduce first, then a quality resample of the small remainder.
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if image.mode != "RGB":
        image = image.convert("RGB")
    # Nothing of the phone's metadata is written: no exif= argument, and the info the decoder
    # kept (EXIF, XMP, ICC, comments) is dropped before saving.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82)
    return ProcessedPhoto(
        content=out.getvalue(),
        width=image.width,
        height=image.height,
        phash=str(imagehash.phash(image)),
        source_format=source_format,
        gps=gps,
    )


def phash_distance(a: str, b: str) -> int:
    return imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b)
