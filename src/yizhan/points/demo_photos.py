"""Product photos for the demo catalogue, drawn with Pillow: the same picture for the same
item on every machine (no random, no font, no network), so a demo looks finished without
shipping image files. A soft studio background and a flat drawing of the thing."""

import hashlib
import io

from PIL import Image, ImageDraw, ImageFilter

SIZE = 600

# Background, drawing colour and accent per item; anything else gets colours from its name.
PALETTE = {
    "helmet": ((255, 236, 214), (230, 90, 40), (40, 40, 48)),
    "raincoat": ((222, 238, 255), (35, 110, 200), (250, 210, 60)),
    "meal": ((255, 244, 222), (200, 40, 50), (250, 180, 60)),
    "cup": ((232, 246, 240), (40, 140, 110), (70, 70, 80)),
    "sleeves": ((240, 236, 255), (110, 90, 200), (240, 240, 250)),
}


def _colours(kind: str, name: str):
    if kind in PALETTE:
        return PALETTE[kind]
    digest = hashlib.sha256(name.encode()).digest()
    return (
        (240, 240, 236),
        (digest[0] // 2 + 60, digest[1] // 2 + 40, digest[2] // 2 + 60),
        (
            60,
            60,
            70,
        ),
    )


def _helmet(d, main, accent):
    d.chord((130, 150, 470, 470), 180, 360, fill=main)
    d.rectangle((110, 300, 490, 330), fill=main)
    d.rounded_rectangle((180, 300, 430, 360), 20, fill=accent)
    for x in (220, 300, 380):
        d.line((x, 170, x, 290), fill=(255, 255, 255), width=10)


def _raincoat(d, main, accent):
    d.polygon(
        [
            (220, 130),
            (380, 130),
            (470, 230),
            (430, 260),
            (410, 480),
            (190, 480),
            (170, 260),
            (130, 230),
        ],
        fill=main,
    )
    d.ellipse((250, 100, 350, 170), fill=main)
    d.rectangle((292, 170, 308, 480), fill=(255, 255, 255))
    d.rectangle((190, 400, 410, 425), fill=accent)


def _meal(d, main, accent):
    d.rounded_rectangle((90, 170, 510, 430), 28, fill=main)
    d.ellipse((70, 270, 110, 330), fill=(255, 255, 255))
    d.ellipse((490, 270, 530, 330), fill=(255, 255, 255))
    d.chord((200, 200, 400, 400), 0, 180, fill=accent)
    d.line((230, 220, 300, 300), fill=(255, 255, 255), width=8)
    d.line((260, 210, 320, 295), fill=(255, 255, 255), width=8)


def _cup(d, main, accent):
    d.rounded_rectangle((210, 150, 390, 490), 30, fill=main)
    d.rounded_rectangle((200, 110, 400, 170), 16, fill=accent)
    d.rectangle((210, 300, 390, 330), fill=(255, 255, 255))


def _sleeves(d, main, accent):
    for x in (160, 330):
        d.rounded_rectangle((x, 130, x + 110, 480), 40, fill=main)
        d.rectangle((x, 440, x + 110, 460), fill=accent)
        d.rectangle((x, 150, x + 110, 170), fill=accent)


def _gift(d, main, accent):
    d.rectangle((150, 230, 450, 480), fill=main)
    d.rectangle((130, 180, 470, 240), fill=main)
    d.rectangle((280, 180, 320, 480), fill=accent)
    d.ellipse((220, 120, 300, 190), outline=accent, width=14)
    d.ellipse((300, 120, 380, 190), outline=accent, width=14)


DRAW = {
    "helmet": _helmet,
    "raincoat": _raincoat,
    "meal": _meal,
    "cup": _cup,
    "sleeves": _sleeves,
}


def product_photo(name: str, *, kind: str = "") -> bytes:
    """A PNG of a catalogue item: `kind` picks the drawing (helmet, raincoat, meal, cup,
    sleeves; anything else a gift box), `name` the colours of an unknown kind."""
    background, main, accent = _colours(kind, name)
    image = Image.new("RGB", (SIZE, SIZE), background)
    glow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(glow).ellipse((80, 60, 520, 500), fill=90)
    image.paste((255, 255, 255), mask=glow.filter(ImageFilter.GaussianBlur(60)))
    shadow = Image.new("L", (SIZE, SIZE), 0)
    ImageDraw.Draw(shadow).ellipse((150, 480, 450, 530), fill=70)
    image.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(12)))
    DRAW.get(kind, _gift)(ImageDraw.Draw(image), main, accent)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
