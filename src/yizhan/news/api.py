"""News endpoints at /api/v1/news: reading (public), commenting (workers), publishing and
moderating (the city and districts), and the pinyin reading aid as a service.

Refusals are the house's error shape (401/403/404/409/422/429), never a 500."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.html import escape
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from yizhan.accounts.permissions import token_or_session
from yizhan.core.errors import Unauthenticated
from yizhan.core.paging import window
from yizhan.core.schema import ERRORS, READ_ERRORS, DbId, SmallCount
from yizhan.news import permissions, reading, selectors, services
from yizhan.news.models import Article, Comment

router = Router(tags=["news"])


def _no_nul(value: str) -> str:
    if value is not None and "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


class NewsCategoryOut(Schema):
    code: str
    name: str


class ArticleSummaryOut(Schema):
    id: int
    title: str
    summary: str
    category: str
    district: str | None = Field(description="Publishing district; null: the city")
    pinned: bool
    published_at: dt.datetime | None
    view_count: int
    cover_url: str | None


class ArticleOut(ArticleSummaryOut):
    body_markdown: str
    body_html: str = Field(description="Sanitised HTML; with <ruby> pinyin when asked")
    title_html: str = Field(description="The title as HTML, with <ruby> when asked")
    comment_policy: str
    comment_count: int
    status: str
    version: int


class CommentOut(Schema):
    id: int
    nickname: str
    body: str
    status: str
    parent_id: int | None
    reply_to_id: int | None
    created_at: dt.datetime


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=2000)
    nickname: str | None = Field(None, max_length=40)
    parent_id: DbId | None = None
    idempotency_key: str | None = Field(None, max_length=100)

    _nul = field_validator("body", "nickname", "idempotency_key")(_no_nul)


class ReportIn(Schema):
    reason: str = Field(description="abuse, privacy, false, advert or other", max_length=20)


class ArticleIn(Schema):
    title: str = Field(max_length=200)
    category: str = Field(max_length=30, description="A code from GET /news/categories")
    body: str = Field(max_length=60_000, description="Markdown")
    summary: str = Field("", max_length=600)
    district_id: DbId | None = Field(None, description="null: city-wide (city only)")
    comment_policy: str = Field("premoderated", max_length=20)
    publish_at: dt.datetime | None = None

    _nul = field_validator("title", "category", "body", "summary", "comment_policy")(_no_nul)


class NewsReasonIn(Schema):
    reason: str = Field(max_length=400)

    _nul = field_validator("reason")(_no_nul)


class PinIn(Schema):
    pinned: bool


class ListQuery(Schema):
    q: str = Field("", max_length=50, description="Words, pinyin or initials")
    category: str = Field("", max_length=30)
    page: SmallCount = 1

    _nul = field_validator("q", "category")(_no_nul)


class PinyinQuery(Schema):
    text: str = Field(min_length=1, max_length=5000)
    mode: str = Field("all", pattern="^(all|rare)$")

    _nul = field_validator("text")(_no_nul)


class PinyinOut(Schema):
    text: str = Field(description="Inline annotations cleaned away")
    inline: str = Field(description="Word-level pinyin after each word: 兑换(duìhuàn)")
    html: str = Field(description="<ruby> HTML")


class ArticleQuery(Schema):
    pinyin: str = Field("off", pattern="^(off|all|rare)$")


def _summary(article: Article) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "category": article.category.code,
        "district": article.district.name if article.district_id else None,
        "pinned": article.pinned,
        "published_at": article.published_at,
        "view_count": article.view_count,
        "cover_url": article.cover.url if article.cover else None,
    }


def _detail(article: Article, pinyin: str) -> dict:
    return {
        **_summary(article),
        "body_markdown": article.body,
        "body_html": str(selectors.article_html(article, pinyin=pinyin)),
        "title_html": str(selectors.pinyin_ruby(article.title, mode=pinyin))
        if pinyin != "off"
        else escape(article.title),
        "comment_policy": article.comment_policy,
        "comment_count": selectors.published_comment_count(article),
        "status": article.status,
        "version": article.version,
    }


def _comment(comment: Comment) -> dict:
    return {
        "id": comment.pk,
        "nickname": comment.nickname,
        "body": comment.body,
        "status": comment.status,
        "parent_id": comment.parent_id,
        "reply_to_id": comment.reply_to_id,
        "created_at": comment.created_at,
    }


def _user(request):
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        raise Unauthenticated()
    return user


def _editor(request):
    user = _user(request)
    if not permissions.is_editor(user):
        raise PermissionDenied
    return user


# --- Reading ---------------------------------------------------------------------------------


@router.get("/categories", response=list[NewsCategoryOut], summary="The news categories")
def categories(request):
    return [{"code": c.code, "name": str(c.label)} for c in selectors.categories()]


@router.get(
    "/articles",
    response={200: list[ArticleSummaryOut], **READ_ERRORS},
    summary="Published articles, pinned first; search by words, pinyin or initials",
)
def article_list(request, filters: Query[ListQuery]):
    qs = selectors.article_list(query=filters.q, category=filters.category)
    page = window(qs.select_related("district"), min(filters.page or 1, 10_000), per_page=20)
    return [_summary(a) for a in page]


@router.get(
    "/articles/{article_id}",
    response={200: ArticleOut, **READ_ERRORS},
    summary="One published article (counts one view per person or device a day)",
)
def article_detail(request, article_id: DbId, options: Query[ArticleQuery]):
    article = selectors.article_for_reader(article_id=article_id)
    user = getattr(request, "user", None)
    device = (
        f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"
    )
    if services.article_view(
        article_id=article.pk, viewer=services.viewer_key(user=user, device=device)
    ):
        article.view_count += 1
    return _detail(article, options.pinyin)


@router.get(
    "/articles/{article_id}/comments",
    response={200: list[CommentOut], **READ_ERRORS},
    summary="Published comments of an article, replies after their comment",
)
def comment_list(request, article_id: DbId):
    article = selectors.article_for_reader(article_id=article_id)
    out = []
    for top in selectors.comments_for_reader(article):
        out.append(_comment(top))
        out += [_comment(r) for r in top.shown_replies]
    return out


@router.get(
    "/pinyin",
    response={200: PinyinOut, **READ_ERRORS},
    summary="The reading aid: clean inline pinyin, then annotate whole words",
)
def pinyin(request, query: Query[PinyinQuery]):
    return {
        "text": reading.clean(query.text),
        "inline": reading.inline(query.text),
        "html": str(reading.ruby(query.text, query.mode)),
    }


# --- Commenting ------------------------------------------------------------------------------


@router.post(
    "/articles/{article_id}/comments",
    response={201: CommentOut, **ERRORS},
    auth=token_or_session,
    summary="Comment (workers). Retrying with the same idempotency key (body field or "
    "`Idempotency-Key` header) returns the first comment.",
)
def comment_create(request, article_id: DbId, payload: CommentIn):
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")[:100]
    comment, _created = services.comment_post(
        author=_user(request),
        article_id=article_id,
        body=payload.body,
        nickname=payload.nickname,
        parent_id=payload.parent_id,
        client_key=key,
    )
    return Status(201, _comment(comment))


@router.delete(
    "/comments/{comment_id}",
    response={204: None, **ERRORS},
    auth=token_or_session,
    summary="Delete your own comment",
)
def comment_delete(request, comment_id: DbId):
    services.comment_delete_own(by=_user(request), comment_id=comment_id)
    return Status(204, None)


@router.post(
    "/comments/{comment_id}/report",
    response={200: dict, **ERRORS},
    auth=token_or_session,
    summary="Report a comment (once per reader)",
)
def comment_report(request, comment_id: DbId, payload: ReportIn):
    first = services.comment_report(by=_user(request), comment_id=comment_id, reason=payload.reason)
    return {"reported": True, "first_time": first}


# --- Publishing ------------------------------------------------------------------------------


@router.post(
    "/articles",
    response={201: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Write a draft (city administrators; district officers for their district)",
)
def article_create(request, payload: ArticleIn):
    article = services.article_create(by=_editor(request), **payload.dict())
    return Status(201, _detail(article, "off"))


@router.put(
    "/articles/{article_id}",
    response={200: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Change an article",
)
def article_update(request, article_id: DbId, payload: ArticleIn):
    by = _editor(request)
    selectors.console_article(by, article_id=article_id)
    article = services.article_update(by=by, article_id=article_id, **payload.dict())
    return _detail(article, "off")


def _step(request, article_id, service, **kwargs):
    by = _editor(request)
    selectors.console_article(by, article_id=article_id)
    return _detail(service(by=by, article_id=article_id, **kwargs), "off")


@router.post(
    "/articles/{article_id}/submit",
    response={200: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Send a draft for review",
)
def article_submit(request, article_id: DbId):
    return _step(request, article_id, services.article_submit)


@router.post(
    "/articles/{article_id}/publish",
    response={200: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Approve: publish now, or schedule for publish_at",
)
def article_publish(request, article_id: DbId):
    return _step(request, article_id, services.article_publish)


@router.post(
    "/articles/{article_id}/return",
    response={200: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Send back to the author with a reason",
)
def article_return(request, article_id: DbId, payload: NewsReasonIn):
    return _step(request, article_id, services.article_return, reason=payload.reason)


@router.post(
    "/articles/{article_id}/withdraw",
    response={200: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Withdraw a published article",
)
def article_withdraw(request, article_id: DbId, payload: NewsReasonIn):
    return _step(request, article_id, services.article_withdraw, reason=payload.reason)


@router.post(
    "/articles/{article_id}/pin",
    response={200: ArticleOut, **ERRORS},
    auth=token_or_session,
    summary="Pin or unpin",
)
def article_pin(request, article_id: DbId, payload: PinIn):
    return _step(request, article_id, services.article_pin, pinned=payload.pinned)


# --- Moderating ------------------------------------------------------------------------------


@router.get(
    "/moderation",
    response={200: list[CommentOut], **READ_ERRORS},
    auth=token_or_session,
    summary="Comments waiting for review in your scope, oldest first",
)
def moderation(request, page: SmallCount = 1):
    queue = selectors.moderation_queue(_editor(request))
    return [_comment(c) for c in window(queue, min(page or 1, 10_000), per_page=50)]


@router.post(
    "/comments/{comment_id}/approve",
    response={200: CommentOut, **ERRORS},
    auth=token_or_session,
    summary="Approve a waiting comment",
)
def comment_approve(request, comment_id: DbId):
    return _comment(services.comment_approve(by=_editor(request), comment_id=comment_id))


@router.post(
    "/comments/{comment_id}/reject",
    response={200: CommentOut, **ERRORS},
    auth=token_or_session,
    summary="Reject a waiting comment with a reason",
)
def comment_reject(request, comment_id: DbId, payload: NewsReasonIn):
    return _comment(
        services.comment_reject(by=_editor(request), comment_id=comment_id, reason=payload.reason)
    )
