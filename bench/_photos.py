"""Real-like phone photos for the benchmarks, made with Pillow: a scene of its own per seed
(sky and ground, buildings, a hazard in the foreground, sensor noise), so perceptual hashes
differ as real photos' do; EXIF as a phone writes it (make, model, time, orientation, GPS).
"""

import datetime as dt
import io
import random

import numpy as np
from PIL import Image, ImageDraw

# EXIF orientations a phone writes: upright, upside down, rotated for a portrait shot.
ORIENTATIONS = (1, 6, 3, 8)


def _dms(value: float) -> tuple:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def phone_photo(
    seed: int,
    *,
    lat: float,
    lng: float,
    orientation: int = 1,
    size: tuple[int, int] = (4032, 3024),
    quality: int = 90,
) -> bytes:
    """A JPEG of `size` (12 MP by default) as a phone stores it: pixels in sensor order and
    an EXIF orientation that says how to turn them, GPS where it was taken."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.3, 0.6))
    sky = (rng.randint(90, 200), rng.randint(140, 220), rng.randint(190, 255))
    ground = (rng.randint(60, 140), rng.randint(60, 130), rng.randint(50, 120))
    for y in range(0, horizon, 8):  # a sky brightening towards the horizon
        shade = y / max(horizon, 1)
        draw.rectangle(
            [0, y, width, y + 8], fill=tuple(int(c * (0.75 + 0.25 * shade)) for c in sky)
        )
    draw.rectangle([0, horizon, width, height], fill=ground)
    for _ in range(rng.randint(4, 9)):  # buildings on the horizon
        x = rng.randint(0, width)
        w, h = rng.randint(width // 12, width // 4), rng.randint(height // 8, horizon)
        tone = rng.randint(80, 210)
        draw.rectangle([x, horizon - h, x + w, horizon], fill=(tone, tone - 10, tone - 20))
        for wy in range(horizon - h + 20, horizon - 20, 60):  # windows
            for wx in range(x + 15, x + w - 15, 50):
                if rng.random() < 0.6:
                    draw.rectangle([wx, wy, wx + 22, wy + 30], fill=(40, 50, 70))
    for _ in range(rng.randint(2, 5)):  # the hazard: a hole, rubbish, a cable, a cover
        cx, cy = rng.randint(0, width), rng.randint(horizon, height)
        r = rng.randint(height // 20, height // 6)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        shape = rng.choice(["ellipse", "polygon", "line"])
        if shape == "ellipse":
            draw.ellipse([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=colour)
        elif shape == "polygon":
            draw.polygon(
                [(cx + rng.randint(-r, r), cy + rng.randint(-r, r)) for _ in range(6)], fill=colour
            )
        else:
            draw.line(
                [(cx - r, cy), (cx + r, cy + rng.randint(-r, r))], fill=colour, width=r // 8 or 1
            )
    noise = np.random.default_rng(seed).integers(-10, 11, (height, width, 3), dtype=np.int16)
    pixels = np.clip(np.asarray(image, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    # What the sensor recorded, and the tag that says how to turn it upright.
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)
    elif orientation == 3:
        image = image.transpose(Image.Transpose.ROTATE_180)
    elif orientation == 8:
        image = image.transpose(Image.Transpose.ROTATE_270)
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # make
    exif[0x0110] = "Redmi Note 12"  # model
    exif[0x0112] = orientation
    exif[0x0132] = (dt.datetime(2026, 11, 29, 9, 0) + dt.timedelta(minutes=seed)).strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
    gps[3], gps[4] = ("E" if lng >= 0 else "W"), _dms(lng)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()
