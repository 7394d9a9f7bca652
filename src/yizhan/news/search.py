"""Chinese full-text search: words from jieba (search mode) plus the title's pinyin and
initials, kept in `Article.search_text`. PostgreSQL matches them with a GIN-indexed
to_tsvector('simple', search_text) and prefix queries; SQLite falls back to LIKE per word.

An article saved inside `deferred()` is kept with an empty `search_text` (no article's words
are ever empty: it has a title) and indexed by `index_pending()` when the index is next read.
The demo loader saves its articles that way: building the segmenter takes most of a second,
which the first search pays anyway (it cuts the query with the same segmenter).
"""

import contextvars
import re
from contextlib import contextmanager

from django.db import connection
from django.db.models import BooleanField, F, Func, Q

from yizhan.news import reading, render

_TOKEN_RE = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_QUERY = 50


def _tokens(text: str) -> list[str]:
    found = []
    for word in reading.tokenizer().cut_for_search(text.lower()):
        found += _TOKEN_RE.findall(word)
    return found


def _pinyin_forms(title: str) -> list[str]:
    """Toneless pinyin and initials from every syllable of the title on (up to 12 syllables
    each), so a prefix query finds any part of it: 九月培训日历 → jiuyuepeixunrili, jypxrl,
    …, peixunrili, pxrl, …, rili, rl. Readings come from the reading aid (words, context)."""
    syllables = []
    for word in reading.words(reading.clean(title)):
        for r in word.readings or ():
            plain = reading.strip_tones(r or "")
            if plain.isascii() and plain.isalpha():
                syllables.append(plain)
    syllables = syllables[:120]
    forms = []
    for start in range(len(syllables)):
        run = syllables[start : start + 12]
        forms.append("".join(run))
        forms.append("".join(s[0] for s in run))
    return forms


def document(*, title: str, summary: str, body: str, category: str) -> str:
    seen: dict[str, None] = {}
    text = " ".join([title, summary, render.plain_text(body), category])
    for token in [*_tokens(text), *_pinyin_forms(title)]:
        if token and len(token) <= 60:
            seen.setdefault(token, None)
    return " ".join(seen)


_deferred = contextvars.ContextVar("news_search_deferred", default=False)


@contextmanager
def deferred():
    """Articles saved inside are indexed at the next search instead of now."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def is_deferred() -> bool:
    return _deferred.get()


def index_pending() -> int:
    """Index the articles saved inside `deferred()` (an empty `search_text`); returns how many.
    Each is written only if still pending, so two searches at once write the same words once."""
    from yizhan.news.models import Article

    pending = list(Article.objects.filter(search_text="").select_related("category"))
    for article in pending:
        words = document(
            title=article.title,
            summary=article.summary,
            body=article.body,
            category=article.category.name,
        )
        Article.objects.filter(pk=article.pk, search_text="").update(search_text=words)
    return len(pending)


def query_tokens(query: str) -> list[str]:
    query = render.strip_control(query or "").strip().lower()[:MAX_QUERY]
    if query.replace(" ", "").isascii():
        # pinyin typed with or without spaces: "pei xun", "peixun", "px"
        return _TOKEN_RE.findall(query.replace(" ", ""))[:1]
    return list(dict.fromkeys(_tokens(query)))[:8]


class _Matches(Func):
    """to_tsvector('simple', search_text) @@ to_tsquery('simple', …): the index's expression."""

    output_field = BooleanField()
    template = "to_tsvector('simple'::regconfig, %(expressions)s) @@ to_tsquery('simple'::regconfig, %(query)s)"

    def __init__(self, expression, query: str):
        super().__init__(expression, output_field=BooleanField())
        self.query = query

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, query="%s", **extra)
        return sql, [*params, self.query]


def filter_queryset(queryset, query: str):
    """Articles whose words match every word of `query` (as a prefix: 日 finds 日历)."""
    tokens = query_tokens(query)
    if not tokens:
        return queryset.none() if (query or "").strip() else queryset
    index_pending()
    if connection.vendor == "postgresql":
        # Tokens hold only [0-9a-z] and Han characters, so quoting them is enough.
        tsquery = " & ".join(f"'{token}':*" for token in tokens)
        return queryset.filter(_Matches(F("search_text"), tsquery))
    condition = Q()
    for token in tokens:
        condition &= Q(search_text__contains=token)
    return queryset.filter(condition)
