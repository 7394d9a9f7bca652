"""The pinyin reading aid (拼音助读): whole words, readings chosen by context, drawn as
<ruby> when a page is rendered and never stored in the text.

The pipeline, for any text:
1. `clean` removes inline annotations a writer typed (`兑换(duìhuàn)`, `新(xīn)(xīn)`,
   `快递员(yuán)`): a bracketed group is dropped only when its letters spell a reading of the
   Han characters just before it, so `(WHO)` or `(一)` stay. Nothing is ever doubled.
2. `words` segments with jieba (its own Tokenizer, not the global one) taught our phrase
   dictionary and the city dictionary (兰州, 皋兰, 七里河 …), then reads each word: our
   dictionaries first (also inside longer words), then pypinyin's phrases, then a few
   context rules for one-character words (得, 地, 还, 重, 长, 觉, 为, 只, surnames).
3. `ruby` / `ruby_html` draw one <ruby> per word with a <rt> per character (every character,
   or only those outside the first tier of 通用规范汉字表); `inline` writes `词(cí)`.

Results are cached per text version (a hash of the text, the mode and the dictionaries'
version), in process for short strings and in Django's cache for article bodies.
"""

import hashlib
import html
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

VERSION = "1"  # bump when the output of the annotator changes for the same dictionaries
DATA = Path(__file__).resolve().parent / "data"
ALL, RARE = "all", "rare"
MODES = (ALL, RARE)
MAX_TEXT = 200_000  # characters; longer input is refused by the callers before it gets here

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RE = re.compile(f"[{_HAN}]")
_RUNS_RE = re.compile(f"([{_HAN}]+)")
# A bracketed group that may be an inline annotation: letters (with tone marks), tone
# digits, spaces, apostrophes and hyphens; ASCII or full-width brackets.
_GROUP_RE = re.compile(r"[ \t\u3000]*[(（]([^()（）\n]{1,60})[)）]")
_PINYIN_CHARS_RE = re.compile(r"^[a-zü:'’\- 1-5·]+$")
_VOWEL_START = ("a", "o", "e")


# --- Dictionaries ----------------------------------------------------------------------------


def _read_table(name: str) -> dict[str, tuple[str, ...]]:
    """A `word<TAB>syllables` file; syllables separated by spaces, one per character."""
    table: dict[str, tuple[str, ...]] = {}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, readings = line.partition("\t")
        syllables = tuple(readings.split())
        word = word.strip()
        if len(syllables) != len(word):
            raise ValueError(f"{name}: {word!r} has {len(word)} characters but {syllables}")
        table[word] = syllables
    return table


@lru_cache(maxsize=1)
def common_characters() -> frozenset[str]:
    """The 3,500 characters of the first tier of 通用规范汉字表 (2013)."""
    text = (DATA / "common_chars_tier1.txt").read_text(encoding="utf-8")
    return frozenset(
        "".join(line.strip() for line in text.splitlines() if not line.startswith("#"))
    )


@lru_cache(maxsize=1)
def dictionary() -> dict[str, tuple[str, ...]]:
    """Our phrase dictionary, then the city dictionary (which wins)."""
    return {**_read_table("phrases.tsv"), **_read_table("city_words.tsv")}


@lru_cache(maxsize=1)
def dictionary_version() -> str:
    blob = "".join(
        (DATA / name).read_text(encoding="utf-8") for name in ("phrases.tsv", "city_words.tsv")
    )
    return hashlib.sha256((VERSION + blob).encode()).hexdigest()[:12]


_tokenizer = None
_tokenizer_lock = threading.Lock()


def tokenizer():
    """jieba's segmenter with our words added; built once per process (about a second)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for word in dictionary():
                    if len(word) > 1:
                        tk.add_word(word, freq=max(tk.suggest_freq(word), 200_000))
                _tokenizer = tk
    return _tokenizer


# --- Readings --------------------------------------------------------------------------------

# One-character words whose reading depends on their neighbours. Multi-character words are
# read from the dictionaries; these are the particles, verbs and surnames that stand alone.
_NUMERALS = set("一二两三四五六七八九十几每半这那")
_TITLES = {"先生", "女士", "师傅", "老师", "同志", "大姐", "大哥", "某", "总", "经理", "主任"}
_PLACE_BEFORE_DI = {"各", "等", "本", "外", "此", "该", "异", "原", "内", "省", "市", "县", "两"}
_PLACE_AFTER_DI = {"上", "下", "里", "面", "区", "方", "处", "点", "铁", "图", "址", "形"}
_DIGITS_HAN = "一二三四五六七八九十百千万"
_SURNAMES = {"曾": "zēng", "单": "shàn", "解": "xiè", "仇": "qiú", "查": "zhā", "朴": "piáo"}


def _context_reading(
    word: str, prev: str, nxt: str, *, then: str = "", after_yi: bool = False
) -> str | None:
    """The reading of a one-character word that stands alone (between `prev` and `nxt`,
    `then` after that), or None for the default."""
    first = nxt[:1]
    if word == "得":
        counted = first.isdigit() or first in _DIGITS_HAN or nxt == "到"
        got = nxt == "了" and (then[:1].isdigit() or then[:1] in _DIGITS_HAN)
        return "dé" if counted or got else "de"
    if word == "地":
        return "dì" if prev in _PLACE_BEFORE_DI or nxt in _PLACE_AFTER_DI else "de"
    if word == "还":
        return "huán" if nxt[:1] in set("钱款贷债书账清本") or nxt in {"给", "回"} else "hái"
    if word == "重":
        return "chóng" if first and first in "来做写申修建启开装办填考提审选返演逢温整" else "zhòng"
    if word == "长":
        return "zhǎng" if first and first in "大高出满" else "cháng"
    if word == "觉":
        return "jiào" if prev in {"睡", "午", "一", "好"} else "jué"
    if word == "为":
        return "wéi" if after_yi or prev in {"被", "评", "视", "称", "改", "转", "选"} else "wèi"
    if word == "只":
        return "zhī" if prev in _NUMERALS or prev[-1:].isdigit() else "zhǐ"
    if word == "数":
        return "shǔ" if first in ("一", "着") else None
    if word == "量":
        return "liáng" if nxt in {"体温", "血压", "尺寸", "身高"} else None
    if word in _SURNAMES and (nxt in _TITLES or first == "某"):
        return _SURNAMES[word]
    return None


# A character's reading when pypinyin finds it in none of its phrases, where pypinyin's
# default is the rarer one in public texts (长效机制, 很长: cháng; 队长 is a known phrase).
_CHAR_FALLBACK = {"长": "cháng"}


def _pypinyin(run: str) -> list[str | None]:
    from pypinyin import Style, pinyin
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.seg.mmseg import seg

    out: list[str | None] = []
    for item in pinyin(run, style=Style.TONE, errors=lambda chars: [None] * len(chars)):
        out.append(item[0] or None if item else None)
    if any(char in _CHAR_FALLBACK for char in run):
        at = 0
        for chunk in seg.cut(run):
            if len(chunk) == 1 and chunk in _CHAR_FALLBACK or chunk not in PHRASES_DICT:
                for offset, char in enumerate(chunk):
                    if char in _CHAR_FALLBACK and at + offset < len(out):
                        out[at + offset] = _CHAR_FALLBACK[char]
            at += len(chunk)
    return out


def _word_readings(word: str) -> list[str | None]:
    """One reading per character of a run of Han characters; our dictionary first, also for
    the parts of a longer word (longest match from the left), pypinyin for the rest."""
    table = dictionary()
    if word in table:
        return list(table[word])
    longest = min(len(word), 8)
    readings: list[str | None] = []
    rest_start = i = 0
    while i < len(word):
        for size in range(min(longest, len(word) - i), 1, -1):
            chunk = word[i : i + size]
            if chunk in table:
                if rest_start < i:
                    readings += _pypinyin(word[rest_start:i])
                readings += list(table[chunk])
                i += size
                rest_start = i
                break
        else:
            i += 1
    if rest_start < len(word):
        readings += _pypinyin(word[rest_start:])
    return readings


@dataclass(frozen=True)
class Word:
    text: str
    readings: tuple[str | None, ...] | None  # one per character for Han words; None otherwise

    @property
    def is_han(self) -> bool:
        return self.readings is not None


def words(text: str) -> list[Word]:
    """Segment `text` (already cleaned) into words, each Han word with its readings."""
    pieces: list[str] = []
    for part in _RUNS_RE.split(text):
        if not part:
            continue
        if HAN_RE.match(part):
            pieces += tokenizer().lcut(part, HMM=True)
        else:
            pieces.append(part)
    out: list[Word] = []
    since_yi = 99  # words since 以 in this clause: 以人民为中心 reads 为 as wéi
    for index, piece in enumerate(pieces):
        if not HAN_RE.match(piece):
            out.append(Word(piece, None))
            if any(c in piece for c in "，。；！？,.;!?"):
                since_yi = 99
            continue
        prev = pieces[index - 1] if index else ""
        nxt = pieces[index + 1] if index + 1 < len(pieces) else ""
        then = pieces[index + 2] if index + 2 < len(pieces) else ""
        single = None
        if len(piece) == 1:
            single = _context_reading(piece, prev, nxt, then=then, after_yi=since_yi <= 4)
        readings = (single,) if single else tuple(_word_readings(piece))
        out.append(Word(piece, readings))
        since_yi = 0 if piece == "以" else since_yi + 1
    return out


# --- Cleaning inline annotations -------------------------------------------------------------


def strip_tones(text: str) -> str:
    text = text.lower().replace("ü", "v").replace("u:", "v")
    for marked in "ǖǘǚǜ":
        text = text.replace(marked, "v")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s'’\-1-5·]", "", plain)


@lru_cache(maxsize=8192)
def _possible(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    found = set(pinyin(char, style=Style.NORMAL, heteronym=True)[0])
    for table_word, readings in dictionary().items():
        if char in table_word:
            found.add(strip_tones(readings[table_word.index(char)]))
    found |= {r.replace("v", "u") for r in found}
    return frozenset(r for r in found if r)


def _spells(letters: str, chars: str) -> bool:
    """Do `letters` spell one reading of each of `chars`, in order, and nothing else?"""
    if not chars:
        return not letters
    return any(
        letters.startswith(r) and _spells(letters[len(r) :], chars[1:]) for r in _possible(chars[0])
    )


def _is_annotation(group: str, before: str) -> bool:
    content = group.strip().lower()
    if not content or not _PINYIN_CHARS_RE.match(_fold_marks(content)):
        return False
    letters = strip_tones(content)
    if not letters or not letters.isascii() or not letters.isalpha():
        return False
    run = ""
    for char in reversed(before):
        if not HAN_RE.match(char):
            break
        run = char + run
        if len(run) >= 12:
            break
    return any(_spells(letters, run[-k:]) for k in range(1, len(run) + 1))


def _fold_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("ü", "u"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clean(text: str) -> str:
    """Remove inline pinyin typed after Han characters (`兑换(duìhuàn)` → `兑换`), however
    often repeated; leave every other bracket alone."""
    if "(" not in text and "（" not in text:
        return text
    out: list[str] = []
    tail = ""  # the last characters written, to find the Han run before a group
    position = 0
    for match in _GROUP_RE.finditer(text):
        kept = text[position : match.start()]
        out.append(kept)
        tail = (tail + kept)[-16:]
        if not _is_annotation(match.group(1), tail):
            out.append(match.group(0))
            tail = (tail + match.group(0))[-16:]
        position = match.end()
    out.append(text[position:])
    return "".join(out)


# --- Rendering -------------------------------------------------------------------------------


def _join_syllables(syllables: list[str]) -> str:
    """Word-level pinyin written together, with an apostrophe before a/o/e (西安 xī'ān)."""
    text = ""
    for s in syllables:
        if text and _fold_marks(s)[:1] in _VOWEL_START:
            text += "'"
        text += s
    return text


def inline(text: str) -> str:
    """`银行行长` → `银行(yínháng)行长(hángzhǎng)`: word-level pinyin after each word."""
    parts = []
    for word in words(clean(text)):
        parts.append(word.text)
        if word.is_han and all(word.readings):
            parts.append(f"({_join_syllables(list(word.readings))})")
    return "".join(parts)


def _ruby_word(word: Word, mode: str, rare: frozenset[str]) -> str:
    chunks: list[str] = []
    open_ruby = False
    for char, reading in zip(word.text, word.readings or (), strict=False):
        wanted = reading and (mode == ALL or char not in rare)
        if wanted:
            if not open_ruby:
                chunks.append('<ruby class="py">')
                open_ruby = True
            chunks.append(
                f'{html.escape(char)}<rp>(</rp><rt aria-hidden="true">{reading}</rt><rp>)</rp>'
            )
        else:
            if open_ruby:
                chunks.append("</ruby>")
                open_ruby = False
            chunks.append(html.escape(char))
    if open_ruby:
        chunks.append("</ruby>")
    return "".join(chunks)


def _ruby_text(text: str, mode: str) -> str:
    common = common_characters()
    out = []
    for word in words(clean(text)):
        out.append(_ruby_word(word, mode, common) if word.is_han else html.escape(word.text))
    return "".join(out)


@lru_cache(maxsize=4096)
def _ruby_short(text: str, mode: str, version: str) -> str:
    return _ruby_text(text, mode)


def ruby(text: str, mode: str = ALL) -> SafeString:
    """Plain text (a title, a station name) → escaped HTML with <ruby> over its words."""
    mode = mode if mode in MODES else ALL
    if not text or not HAN_RE.search(text):
        return mark_safe(html.escape(text or ""))  # noqa: S308 - escaped just now
    if len(text) <= 200:
        return mark_safe(_ruby_short(text, mode, dictionary_version()))  # noqa: S308
    return mark_safe(_ruby_text(text, mode))  # noqa: S308 - built from escaped pieces


class _RubyRewriter(HTMLParser):
    """Annotate the text of (already sanitised) HTML; leave tags, code and existing <ruby>."""

    SKIP = {"ruby", "rt", "rp", "code", "pre", "script", "style"}
    VOID = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "col", "area"}

    def __init__(self, mode: str):
        super().__init__(convert_charrefs=True)
        self.mode = mode
        self.out: list[str] = []
        self.skipping = 0
        self.pending: list[str] = []

    def _flush(self):
        if self.pending:
            text = "".join(self.pending)
            self.pending = []
            if self.skipping or not HAN_RE.search(text):
                self.out.append(html.escape(text, quote=False))
            else:
                self.out.append(_ruby_text(text, self.mode))

    def handle_starttag(self, tag, attrs):
        self._flush()
        rendered = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' if value is not None else f" {name}"
            for name, value in attrs
        )
        self.out.append(f"<{tag}{rendered}>")
        if tag in self.SKIP:
            self.skipping += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_endtag(self, tag):
        self._flush()
        if tag in self.VOID:
            return
        self.out.append(f"</{tag}>")
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        self.pending.append(data)

    def result(self) -> str:
        self._flush()
        return "".join(self.out)


def ruby_html(fragment: str, mode: str = ALL) -> str:
    """Sanitised HTML → the same HTML with <ruby> over the words of its text."""
    rewriter = _RubyRewriter(mode if mode in MODES else ALL)
    rewriter.feed(fragment)
    rewriter.close()
    return rewriter.result()


def cache_key(kind: str, text: str, mode: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return f"news:py:{kind}:{mode}:{dictionary_version()}:{digest}"


def ruby_html_cached(fragment: str, mode: str = ALL) -> tuple[str, bool]:
    """`ruby_html` through Django's cache, keyed by the text's hash: (html, was_cached)."""
    key = cache_key("html", fragment, mode)
    found = cache.get(key)
    if found is not None:
        return found, True
    result = ruby_html(fragment, mode)
    cache.set(key, result, timeout=7 * 24 * 3600)
    return result, False
