"""Course certificates (结业证书) as PDF: fpdf2 with a Chinese TrueType font from the system
(Debian's fonts-wqy-zenhei; no font file in the repository), the holder's name, the course
and its hours, a verification code and a QR code of the public verify page.

The text is Chinese with an English line under each part (the same message ids, rendered in
both languages), and it is real text in the PDF, so it can be searched, copied and read
back by a screen reader or a test.
"""

import io
import logging
import subprocess
from functools import lru_cache
from pathlib import Path

import segno
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yizhan.training import conf

logging.getLogger("fontTools").setLevel(logging.ERROR)  # "BDF table not subset": harmless
RED = (200, 16, 46)
INK = (29, 29, 31)
MUTED = (107, 107, 112)


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def font_path() -> Path:
    """A Chinese font: the configured one, a known Debian path, or whatever fontconfig has."""
    candidates = [Path(conf.CERTIFICATE_FONT)] if conf.CERTIFICATE_FONT else []
    candidates += conf.FONT_CANDIDATES
    for path in candidates:
        if path.is_file():
            return path
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    for line in listed.splitlines():
        path = Path(line.split(":")[0].strip())
        if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.is_file():
            return path
    raise FontMissing(
        "No Chinese font for certificates: install fonts-wqy-zenhei "
        "or set YIZHAN_TRAINING_CERTIFICATE_FONT"
    )


TITLE = gettext_noop("Certificate of completion")
BODY = gettext_noop(
    "This certifies that %(holder)s completed the course “%(course)s” (%(hours)s hours) on %(day)s."
)
CODE = gettext_noop("Verification code")
CHECK = gettext_noop("Check this certificate at")


def _in(language: str, message: str, params: dict | None = None) -> str:
    with translation.override(language):
        text = _(message)
    return text % params if params else text


def _both(message: str, params_zh: dict | None = None, params_en: dict | None = None):
    return _in("zh-hans", message, params_zh), _in("en", message, params_en or params_zh)


def _qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=2)
    out.seek(0)
    return out


def certificate_pdf(
    *,
    holder: str,
    course: str,
    hours: float,
    completed_at,
    organiser: str,
    code: str,
    verify_url: str,
) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"结业证书 {code}")
    pdf.set_creator("Yizhan")
    pdf.add_page()
    font = font_path()
    pdf.add_font("cjk", "", str(font), collection_font_number=0)
    # Frame
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, 269, 182)
    # Title
    title_zh, title_en = _both(TITLE)
    pdf.set_text_color(*RED)
    pdf.set_font("cjk", size=34)
    pdf.set_xy(14, 32)
    pdf.cell(269, 16, title_zh, align="C")
    pdf.set_font("cjk", size=13)
    pdf.set_xy(14, 50)
    pdf.cell(269, 8, title_en, align="C")
    # Body
    day = timezone.localtime(completed_at).date()
    day_zh = f"{day.year}年{day.month}月{day.day}日"
    params = {"holder": holder, "course": course, "hours": f"{hours:g}"}
    body_zh, body_en = _both(BODY, {**params, "day": day_zh}, {**params, "day": day.isoformat()})
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=18)
    pdf.set_xy(34, 80)
    pdf.multi_cell(229, 11, body_zh, align="C")
    pdf.set_text_color(*MUTED)
    pdf.set_font("cjk", size=11)
    pdf.set_x(34)
    pdf.multi_cell(229, 6, body_en, align="C")
    # Organiser and date
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=14)
    pdf.set_xy(150, 140)
    pdf.cell(110, 8, organiser, align="R")
    pdf.set_xy(150, 149)
    pdf.cell(110, 8, day_zh, align="R")
    # Verification
    label_zh, label_en = _both(CODE)
    check_zh, check_en = _both(CHECK)
    pdf.set_font("cjk", size=12)
    pdf.set_xy(28, 150)
    pdf.cell(110, 7, f"{label_zh} / {label_en}: {code}")
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(28, 158)
    pdf.cell(110, 5, f"{check_zh} / {check_en}:")
    pdf.set_xy(28, 163)
    pdf.cell(140, 5, verify_url)
    pdf.image(_qr_png(verify_url), x=245, y=160, w=30, h=30)
    return bytes(pdf.output())


def render_for(enrolment, *, verify_url: str) -> bytes:
    from yizhan.training import selectors

    activity = enrolment.activity
    return certificate_pdf(
        holder=enrolment.worker.name or enrolment.worker.masked_mobile,
        course=activity.title,
        hours=selectors.course_hours(activity),
        completed_at=enrolment.completed_at,
        organiser=selectors.organiser_label(activity),
        code=enrolment.display_certificate_code,
        verify_url=verify_url,
    )
