"""News and notices: the readers. Also the reading aid for other apps:

    from yizhan.news import selectors
    selectors.pinyin_ruby("七里河区工会驿站", mode="rare")   # SafeString with <ruby>

and in templates `{% load pinyin %}{{ station.name|pinyin_ruby }}` or
`{% reading_aid station.name %}` (follows the reader's own toggle).
"""

from django.db.models import Count, Prefetch, Q
from django.utils.safestring import mark_safe

from yizhan.core.errors import NotFound
from yizhan.news import permissions, reading, render, search
from yizhan.news.models import (
    Article,
    ArticleEvent,
    Category,
    Comment,
    CommentReport,
    ReaderProfile,
    SensitiveWord,
)

Status = Article.Status
PINYIN_COOKIE = "news_pinyin"
PINYIN_MODES = ("off", reading.ALL, reading.RARE)


def categories():
    return Category.objects.all()


def published():
    return Article.objects.filter(status=Status.PUBLISHED).select_related("category")


def article_list(*, query: str = "", category: str = "", district_id: int | None = None):
    """Published articles, pinned first, newest first; filtered and searched."""
    qs = published()
    if category:
        qs = qs.filter(category__code=category)
    if district_id:
        qs = qs.filter(Q(district_id=district_id) | Q(district__isnull=True))
    if query:
        qs = search.filter_queryset(qs, query)
    return qs.order_by("-pinned", "-published_at", "-id")


def article_for_reader(*, article_id: int) -> Article:
    article = published().filter(pk=article_id).first()
    if article is None:
        raise NotFound()
    return article


def related(article: Article, *, limit: int = 3) -> list[Article]:
    """Same category first, then the newest of the rest."""
    same = list(
        published()
        .filter(category_id=article.category_id)
        .exclude(pk=article.pk)
        .order_by("-published_at")[:limit]
    )
    if len(same) < limit:
        same += list(
            published()
            .exclude(pk__in=[article.pk, *[a.pk for a in same]])
            .order_by("-published_at")[: limit - len(same)]
        )
    return same


def body_html(article: Article) -> str:
    """The sanitised body, cached per text version (the key is the text's own hash)."""
    from django.core.cache import cache

    key = reading.cache_key("body", article.body, "md")
    found = cache.get(key)
    if found is None:
        found = render.markdown_to_html(article.body)
        cache.set(key, found, timeout=7 * 24 * 3600)
    return found


def article_html(article: Article, *, pinyin: str = "off") -> str:
    """The body as safe HTML, with <ruby> pinyin when the reader asked for it."""
    html = body_html(article)
    if pinyin in (reading.ALL, reading.RARE):
        html, _cached = reading.ruby_html_cached(html, pinyin)
    return mark_safe(html)  # noqa: S308 - sanitised by nh3, ruby built from escaped text


def speech_text(article: Article) -> str:
    """What read-aloud speaks: title and body as plain text, inline pinyin cleaned away."""
    return reading.clean(f"{article.title}。{render.plain_text(article.body)}")


def pinyin_ruby(text: str, *, mode: str = reading.ALL):
    """Any text (a station's name, a title) as escaped HTML with <ruby> pinyin."""
    return reading.ruby(text, mode)


def pinyin_inline(text: str) -> str:
    """`兑换积分` → `兑换(duìhuàn)积分(jīfēn)`."""
    return reading.inline(text)


def reader_pinyin(request) -> str:
    """The reader's pinyin toggle: their profile when logged in, else the cookie."""
    user = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        cached = getattr(request, "_news_pinyin", None)
        if cached is None:
            profile = ReaderProfile.objects.filter(user=user).only("pinyin").first()
            cached = profile.pinyin if profile else request.COOKIES.get(PINYIN_COOKIE, "off")
            request._news_pinyin = cached
        return cached if cached in PINYIN_MODES else "off"
    value = request.COOKIES.get(PINYIN_COOKIE, "off")
    return value if value in PINYIN_MODES else "off"


def reader_profile(user) -> ReaderProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return ReaderProfile.objects.filter(user=user).first()


def comments_for_reader(article: Article, *, user=None) -> list[Comment]:
    """Top-level comments a reader sees, each with `.shown_replies`. The reader also sees
    their own comments waiting for review; a deleted comment with replies stays as a
    placeholder."""
    mine = Q(author=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    shown = Q(status=Comment.Status.PUBLISHED) | (mine & Q(status=Comment.Status.PENDING))
    replies = Comment.objects.filter(shown).select_related("reply_to").order_by("created_at")
    tops = (
        Comment.objects.filter(article=article, parent__isnull=True)
        .filter(
            shown
            | Q(
                status__in=[Comment.Status.DELETED, Comment.Status.ERASED],
                replies__status=Comment.Status.PUBLISHED,
            )
        )
        .distinct()
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
        .order_by("-created_at")
    )
    return list(tops)


def published_comment_count(article: Article) -> int:
    return Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED).count()


# --- Staff -----------------------------------------------------------------------------------


def console_articles(user, *, status: str = ""):
    """The articles an editor may work on: all for the city, their district's for a district."""
    qs = Article.objects.select_related("category", "district").order_by("-updated_at", "-id")
    if not permissions.is_city_editor(user):
        qs = qs.filter(district_id__in=permissions.district_ids(user))
    if status:
        qs = qs.filter(status=status)
    return qs


def console_article(user, *, article_id: int) -> Article:
    article = console_articles(user).filter(pk=article_id).first()
    if article is None:
        raise NotFound()
    return article


def article_history(article: Article):
    return ArticleEvent.objects.filter(article=article).select_related("actor")


def moderation_queue(user, *, reported_only: bool = False):
    """Comments waiting for a moderator, oldest first, within the moderator's scope."""
    qs = (
        Comment.objects.filter(status=Comment.Status.PENDING)
        .select_related("article", "author", "reply_to")
        .annotate(reports_n=Count("reports"))
        .order_by("created_at", "id")
    )
    if not permissions.is_city_editor(user):
        qs = qs.filter(article__district_id__in=permissions.district_ids(user))
    if reported_only:
        qs = qs.filter(report_count__gt=0)
    return qs


def moderation_comment(user, *, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("article", "author").filter(pk=comment_id).first()
    if comment is None or not permissions.can_moderate_article(user, comment.article):
        raise NotFound()
    return comment


def report_reasons(comment: Comment) -> list[str]:
    return [str(r.get_reason_display()) for r in CommentReport.objects.filter(comment=comment)]


def sensitive_words():
    return SensitiveWord.objects.all()
