"""What a reader sees on a rendered page, and what must not be there.

Shared by the tests that walk the product's pages (tests/test_words.py, the staff console
checks in tests/test_staff_consoles.py):

- `visible_text(html)`: the text a reader sees or hears: no scripts, styles or attribute
  values, except those read aloud or shown (title, aria-label, placeholder, alt).
- `chinese_page_problems(html)`: English, slugs, reprs and "---------" on a page drawn in
  Chinese (zh-Hans).
- `english_page_problems(html)`: Chinese strings of the catalogues on a page drawn in English
  (names of people and places are data, and may be Chinese).
"""

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib

APPS_DIR = Path(__file__).resolve().parent.parent / "src" / "yizhan"

# Words that may stand in a Chinese page: names of brands, products and places the demo city
# uses, units and file formats. Anything else in Latin letters is an untranslated string.
ALLOWED = {
    # the product and the language switch
    "Yizhan",
    "English",
    # formats, units, standards and brands
    "API",
    "OpenAPI",
    "SMS",
    "QR",
    "km",
    "JSON",
    "PDF",
    "CSV",
    "csv",
    "Excel",
    "xlsx",
    "UTF",
    "GBK",
    "WGS",
    "GCJ",
    "AMap",
    "Leaflet",
    "OpenStreetMap",
    "contributors",  # "© OpenStreetMap contributors", the map tiles' required credit
    "WeChat",
    "Markdown",
    "Open311",  # the open standard of the hazard reports' API
    "https",  # a link's example in a placeholder
    "Fairwork",  # the research project whose principles the platform scorecard follows
    "Tools",  # Google OR-Tools, the volunteer trip planner
    "peixun",  # the example of a pinyin search in the news (培训)
}

_READ_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt", "data-picker")


_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _Text(HTMLParser):
    """Collects (language, text) parts; the language is that of the nearest element with a
    `lang` attribute ("" if none inside <body>), so text marked as another language's (the
    brand 驿站, an article written in Chinese, the language switch) is judged as such."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0
        self.main_links, self._main = [], 0
        self._langs = []  # (tag, lang) of the open elements that carry a lang

    def _lang(self):
        return self._langs[-1][1] if self._langs else ""

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "main":
            self._main += 1
        attrs = dict(attrs)
        for name in _READ_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append((attrs.get("lang") or self._lang(), attrs[name]))
        if tag == "a" and attrs.get("href") and self._main:
            self.main_links.append(attrs["href"])
        if tag not in _VOID and "lang" in attrs:
            self._langs.append((tag, (attrs["lang"] or "").lower()))
        elif tag == "code":  # a literal: a file's column names, a code to type
            self._langs.append((tag, "en"))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip -= 1
        if tag == "main":
            self._main -= 1
        if self._langs and self._langs[-1][0] == tag:
            self._langs.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append((self._lang(), data.strip()))


def text_parts(html: str, *, besides: str = "") -> list[str]:
    """The texts of the page, without those marked (lang=…) as written in `besides`."""
    parser = _Text()
    parser.feed(html)
    return [text for lang, text in parser.parts if not (besides and lang.startswith(besides))]


def visible_text(html: str) -> str:
    return " ".join(text_parts(html))


def main_links(html: str) -> list[str]:
    """The links inside <main>, in the order of the page."""
    parser = _Text()
    parser.feed(html)
    return parser.main_links


def english_words(html: str) -> set[str]:
    text = " ".join(text_parts(html, besides="en"))
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]{3,}", text))
    # Capitals only are codes (a pick-up code ABCD-EFGH, QR, GBK), not words.
    return {w for w in words if w not in ALLOWED and not w.isupper()}


# --- the catalogues -----------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _pattern(text: str) -> re.Pattern:
    pieces = _PLACEHOLDER.split(text)
    return re.compile("^" + ".+?".join(re.escape(p) for p in pieces) + "$", re.S)


@functools.cache
def catalogue() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every translated entry of every app's zh-Hans catalogue."""
    pairs = []
    for path in sorted(APPS_DIR.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(path)).translated_entries():
            if entry.msgid_plural:
                pairs.append((entry.msgid_plural, entry.msgstr_plural.get(0, "")))
            pairs.append((entry.msgid, entry.msgstr or entry.msgstr_plural.get(0, "")))
    return pairs


@functools.cache
def _english_msgids() -> list[tuple[str, re.Pattern]]:
    # Single words are left to the word check (a name such as "Lanzhou" may be a msgid too).
    return [
        (msgid, _pattern(msgid))
        for msgid, msgstr in catalogue()
        if msgid != msgstr and re.search(r"[A-Za-z]{2,}\W+[A-Za-z]{2,}", msgid)
    ]


@functools.cache
def _chinese_msgstrs() -> list[tuple[str, re.Pattern]]:
    return [(msgstr, _pattern(msgstr)) for _m, msgstr in catalogue() if _CJK.search(msgstr)]


@functools.cache
def _msgstr_set() -> frozenset:
    return frozenset(m for m, _p in _chinese_msgstrs() if not _PLACEHOLDER.search(m))


# --- what a page may not show -------------------------------------------------------------

_SLUG = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+(?![\w./@-])")
_REPRS = re.compile(r"\b(?:None|True|False)\b|<QuerySet|object at 0x|\[<|\bnan\b")
_CLI = re.compile(r"\b(?:yizhan|manage\.py|django-admin)\s+[a-z]")


def chinese_page_problems(html: str) -> list[str]:
    parts = text_parts(html, besides="en")
    text = " ".join(parts)
    problems = []
    if "---------" in html:
        problems.append("an empty choice '---------'")
    problems += [f"repr {m!r}" for m in sorted(set(_REPRS.findall(text)))]
    problems += [f"CLI hint {m.group(0)!r}" for m in _CLI.finditer(text)]
    problems += [f"slug {s!r}" for s in sorted(set(_SLUG.findall(text)))]
    msgids = _english_msgids()
    for part in parts:
        for msgid, pattern in msgids:
            if pattern.match(part) or (len(msgid) > 12 and msgid in part):
                problems.append(f"untranslated {msgid!r}")
                break
    problems += [f"English {w!r}" for w in sorted(english_words(html))]
    return problems


def english_page_problems(html: str) -> list[str]:
    problems = []
    exact = _msgstr_set()
    patterned = [(m, p) for m, p in _chinese_msgstrs() if m not in exact]
    for part in text_parts(html, besides="zh"):
        if not _CJK.search(part):
            continue
        if part in exact:
            problems.append(f"Chinese {part!r}")
            continue
        for msgstr, pattern in patterned:
            # The fixed words must be most of the text: "兑换%(name)s" is not every sentence
            # that starts with 兑换, nor is a worker's demand built from a template ours.
            fixed = len(_PLACEHOLDER.sub("", msgstr))
            if fixed * 2 >= len(part) and pattern.match(part):
                problems.append(f"Chinese {msgstr!r} in {part!r}")
                break
    return problems


def local_path(href: str) -> str | None:
    """The path of a link to a page of this site, or None (other sites, anchors, mailto)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path
