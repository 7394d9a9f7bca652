"""Names as people type them: pinyin initials (兰州 → "lz") and full pinyin ("lanzhou"), so a
rider with a Latin keyboard, or in a hurry, finds a place by a few letters.

pypinyin is imported when a name is first read, not with this module: its phrase dictionary
takes a fifth of a second to load, and every process that loads the places app (each
command, each worker) would pay it whether it reads a name or not."""

import functools
import unicodedata


def normalise(text: str) -> str:
    """Full-width letters and digits folded, lower case, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


@functools.lru_cache(maxsize=20_000)
def readings(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name, lower case, other characters kept as they are."""
    from pypinyin import Style, lazy_pinyin

    name = normalise(name)
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    full = "".join(lazy_pinyin(name, errors="default"))
    return initials.lower(), full.lower()


def is_latin(query: str) -> bool:
    return bool(query) and query.isascii() and query.isalnum()
