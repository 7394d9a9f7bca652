"""News and notices: the writers, one function per use case.

An article's life: draft → in review → published (or scheduled, then published by the
periodic job) → withdrawn; a reviewer may send it back to draft. Every step is a row in
`ArticleEvent`. Comments: posted (pending or, where the article allows, published at once),
approved or rejected with a reason, reported, deleted by their author, erased with them.
"""

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core import events
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from yizhan.core.images import ImageRejected, process_photo
from yizhan.core.notifications import notify
from yizhan.core.pii import blind_index
from yizhan.news import permissions, render, search
from yizhan.news.models import (
    Article,
    ArticleEvent,
    ArticleView,
    Category,
    Comment,
    CommentReport,
    ReaderProfile,
    SensitiveWord,
)

Status = Article.Status
TITLE_MAX, SUMMARY_MAX, BODY_MAX = 120, 300, 50_000
COMMENT_MAX, REASON_MAX = 500, 200
NICKNAME_MIN, NICKNAME_MAX = 2, 16
# Rate limits, per author: a burst and a day; reports per reporter a day.
COMMENT_BURST = (3, 60)  # (comments, seconds)
COMMENTS_PER_DAY = 30
REPORTS_PER_DAY = 20
REPORTS_TO_HIDE = 3  # distinct readers' reports that take a published comment back to review
RESERVED_NICKNAMES = ("管理员", "官方", "客服", "驿站", "admin", "系统")


# --- Validation helpers --------------------------------------------------------------------


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Clean, bounded text; the clear message for the field when it is not."""
    text = render.strip_control(str(value or "")).strip()
    if required and not text:
        raise Invalid(field=field, message=_("This field is required."))
    if len(text) > max_length:
        raise Invalid(
            field=field,
            message=_("At most %(n)d characters (this has %(m)d).")
            % {"n": max_length, "m": len(text)},
        )
    return text


def _category(code) -> Category:
    category = Category.objects.filter(code=str(code or "")[:30]).first()
    if category is None:
        raise Invalid(
            field="category",
            message=_("There is no category “%(code)s”. Choose one of: %(codes)s.")
            % {
                "code": str(code or "")[:30],
                "codes": ", ".join(Category.objects.values_list("code", flat=True)),
            },
        )
    return category


def _locked_article(article_id) -> Article:
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    if article is None:
        raise NotFound()
    return article


def _require_edit(by, article: Article) -> None:
    if not permissions.can_edit(by, article):
        raise NotAllowed(_("Only the city or this article's district may change it."))


def _history(article: Article, action: str, by, note: str = "") -> None:
    ArticleEvent.objects.create(article=article, action=action, actor=by, note=note[:300])


def _reindex(article: Article) -> None:
    if search.is_deferred():
        article.search_text = ""  # indexed at the next search (search.index_pending)
        return
    article.search_text = search.document(
        title=article.title,
        summary=article.summary,
        body=article.body,
        category=article.category.name,
    )


def _save_cover(article: Article, cover) -> None:
    try:
        photo = process_photo(cover, max_side=1280)
    except ImageRejected as exc:
        raise Invalid(field="cover", message=str(exc)) from None
    article.cover.save(
        f"{timezone.now():%Y%m%d%H%M%S}-{article.pk}.jpg", ContentFile(photo.content), save=False
    )


def _district_id(by, district_id) -> int | None:
    district_id = int(district_id) if district_id else None
    if not permissions.can_publish_in(by, district_id):
        if district_id is None:
            raise NotAllowed(_("Only the city publishes city-wide articles; choose your district."))
        raise NotAllowed(_("You may publish only for your own district."))
    return district_id


# --- Articles --------------------------------------------------------------------------------


@transaction.atomic
def article_create(
    *,
    by,
    title: str,
    category: str,
    body: str,
    summary: str = "",
    district_id: int | None = None,
    comment_policy: str = Article.CommentPolicy.PREMODERATED,
    publish_at: dt.datetime | None = None,
    cover=None,
) -> Article:
    """A new draft (草稿)."""
    if not permissions.is_editor(by):
        raise NotAllowed()
    article = Article(
        title=_text(title, field="title", max_length=TITLE_MAX),
        summary=_text(summary, field="summary", max_length=SUMMARY_MAX, required=False),
        body=_text(body, field="body", max_length=BODY_MAX),
        category=_category(category),
        district_id=_district_id(by, district_id),
        comment_policy=_policy(comment_policy),
        publish_at=publish_at,
        created_by=by,
    )
    _reindex(article)
    article.save()
    if cover:
        _save_cover(article, cover)
        article.save(update_fields=["cover"])
    _history(article, "created", by)
    return article


def _policy(value) -> str:
    if value not in Article.CommentPolicy.values:
        raise Invalid(field="comment_policy", message=_("Choose how comments are reviewed."))
    return value


@transaction.atomic
def article_update(
    *,
    by,
    article_id: int,
    title: str,
    category: str,
    body: str,
    summary: str = "",
    district_id: int | None = None,
    comment_policy: str = Article.CommentPolicy.PREMODERATED,
    publish_at: dt.datetime | None = None,
    cover=None,
) -> Article:
    """Change an article. A published one keeps its place; its text version goes up, so
    every cached rendering (and pinyin) is made again."""
    article = _locked_article(article_id)
    _require_edit(by, article)
    if article.status == Status.WITHDRAWN:
        raise Conflict(_("A withdrawn article cannot be edited."))
    changed_text = (title, body, summary) != (article.title, article.body, article.summary)
    article.title = _text(title, field="title", max_length=TITLE_MAX)
    article.summary = _text(summary, field="summary", max_length=SUMMARY_MAX, required=False)
    article.body = _text(body, field="body", max_length=BODY_MAX)
    article.category = _category(category)
    article.district_id = _district_id(by, district_id)
    article.comment_policy = _policy(comment_policy)
    if article.status in (Status.DRAFT, Status.IN_REVIEW):
        article.publish_at = publish_at
    if cover:
        _save_cover(article, cover)
    if changed_text:
        article.version = F("version") + 1
    _reindex(article)
    article.save()
    article.refresh_from_db()
    _history(article, "edited", by)
    return article


@transaction.atomic
def article_submit(*, by, article_id: int) -> Article:
    """Draft → in review (送审)."""
    article = _locked_article(article_id)
    _require_edit(by, article)
    if article.status != Status.DRAFT:
        raise Conflict(_("Only a draft can be sent for review."))
    article.status = Status.IN_REVIEW
    article.save(update_fields=["status", "updated_at"])
    _history(article, "submitted", by)
    return article


@transaction.atomic
def article_return(*, by, article_id: int, reason: str) -> Article:
    """In review → draft, with the reviewer's reason (退回修改)."""
    article = _locked_article(article_id)
    _require_edit(by, article)
    reason = _text(reason, field="reason", max_length=REASON_MAX)
    if article.status != Status.IN_REVIEW:
        raise Conflict(_("Only an article in review can be sent back."))
    article.status = Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    _history(article, "returned", by, reason)
    if article.created_by_id and article.created_by_id != by.pk:
        notify(
            user=article.created_by,
            message=_("“%(title)s” came back from review: %(reason)s"),
            params={"title": article.title, "reason": reason},
            url=f"/news/console/{article.pk}/",
            verb="news",
        )
    return article


def _go_live(article: Article, *, now) -> None:
    article.status = Status.PUBLISHED
    article.published_at = now
    article.save(update_fields=["status", "published_at", "updated_at"])
    events.publish(
        "news.published",
        article_id=article.pk,
        district_id=article.district_id,
        category=article.category.code,
    )


@transaction.atomic
def article_publish(*, by, article_id: int) -> Article:
    """In review → published now, or scheduled for `publish_at` (审核发布). With
    NEWS_FOUR_EYES on, the approver must be someone other than the author."""
    article = _locked_article(article_id)
    _require_edit(by, article)
    if article.status != Status.IN_REVIEW:
        raise Conflict(_("Only an article in review can be published."))
    if getattr(settings, "NEWS_FOUR_EYES", False) and article.created_by_id == by.pk:
        raise NotAllowed(_("Another editor must approve what you wrote."))
    now = timezone.now()
    if article.publish_at and article.publish_at > now:
        article.status = Status.SCHEDULED
        article.save(update_fields=["status", "updated_at"])
        _history(
            article, "scheduled", by, f"{timezone.localtime(article.publish_at):%Y-%m-%d %H:%M}"
        )
    else:
        _go_live(article, now=now)
        _history(article, "published", by)
    return article


def publish_due(*, now=None) -> int:
    """Publish the scheduled articles whose time has come (the periodic job, every minute).
    Each is claimed with a conditional update, so two workers never publish one twice."""
    now = now or timezone.now()
    done = 0
    due = Article.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
    for article_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Article.objects.filter(pk=article_id, status=Status.SCHEDULED).update(
                status=Status.PUBLISHED, published_at=F("publish_at")
            )
            if not claimed:
                continue
            article = Article.objects.select_related("category").get(pk=article_id)
            events.publish(
                "news.published",
                article_id=article.pk,
                district_id=article.district_id,
                category=article.category.code,
            )
            _history(article, "published", None, "scheduled")
            done += 1
    return done


@transaction.atomic
def article_withdraw(*, by, article_id: int, reason: str) -> Article:
    """Published or scheduled → withdrawn (撤回): no longer shown, comments closed."""
    article = _locked_article(article_id)
    _require_edit(by, article)
    reason = _text(reason, field="reason", max_length=REASON_MAX)
    if article.status not in (Status.PUBLISHED, Status.SCHEDULED):
        raise Conflict(_("Only a published or scheduled article can be withdrawn."))
    article.status = Status.WITHDRAWN
    article.pinned = False
    article.save(update_fields=["status", "pinned", "updated_at"])
    _history(article, "withdrawn", by, reason)
    return article


@transaction.atomic
def article_pin(*, by, article_id: int, pinned: bool) -> Article:
    """Pin to the top of the list (置顶), or unpin."""
    article = _locked_article(article_id)
    _require_edit(by, article)
    if pinned and article.status not in (Status.PUBLISHED, Status.SCHEDULED):
        raise Conflict(_("Only a published or scheduled article can be pinned."))
    article.pinned = bool(pinned)
    article.save(update_fields=["pinned", "updated_at"])
    _history(article, "pinned" if pinned else "unpinned", by)
    return article


# --- Views and readers -----------------------------------------------------------------------


def viewer_key(*, user=None, device: str = "") -> str:
    """The hashed identity a view is counted under: the person, else the device."""
    if getattr(user, "is_authenticated", False):
        return blind_index(f"news-user-{user.pk}")
    return blind_index(f"news-device-{device[:200]}")


def article_view(*, article_id: int, viewer: str) -> bool:
    """Count a view once per viewer and day (Asia/Shanghai). True when it counted."""
    day = timezone.localdate()
    try:
        with transaction.atomic():
            ArticleView.objects.create(article_id=article_id, viewer=viewer, day=day)
            Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
    except IntegrityError:
        return False
    return True


def purge_old_views(*, keep_days: int = 2) -> int:
    """The per-day rows are needed only today; the count stays on the article."""
    cutoff = timezone.localdate() - dt.timedelta(days=keep_days)
    deleted, _rows = ArticleView.objects.filter(day__lt=cutoff).delete()
    return deleted


def _nickname(value: str) -> str:
    nickname = _text(value, field="nickname", max_length=NICKNAME_MAX)
    if len(nickname) < NICKNAME_MIN:
        raise Invalid(field="nickname", message=_("A nickname has 2 to 16 characters."))
    folded = _fold(nickname)
    if any(word.lower() in folded for word in RESERVED_NICKNAMES) or sensitive_hits(nickname):
        raise Invalid(field="nickname", message=_("Please choose another nickname."))
    return nickname


@transaction.atomic
def reader_set(*, user, pinyin: str | None = None, nickname: str | None = None) -> ReaderProfile:
    """Remember a logged-in reader's pinyin toggle and nickname."""
    profile, _created = ReaderProfile.objects.select_for_update().get_or_create(user=user)
    if pinyin is not None:
        if pinyin not in ReaderProfile.Pinyin.values:
            raise Invalid(field="pinyin", message=_("Choose off, all or rare."))
        profile.pinyin = pinyin
    if nickname is not None:
        profile.nickname = _nickname(nickname)
    profile.save()
    return profile


# --- Sensitive words -------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\*\-_\.·|/\\,，。、~～!！?？]+")


def _fold(text: str) -> str:
    """What a sensitive word is looked for in: full-width folded, lower case, separators
    between characters removed (so 傻*瓜 and 傻 瓜 are caught)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).lower())


def sensitive_hits(text: str) -> dict[str, list[str]]:
    """{"block": [...], "flag": [...]} for the words of the city's list found in `text`."""
    folded = _fold(text)
    hits: dict[str, list[str]] = {}
    for word, action in SensitiveWord.objects.values_list("word", "action"):
        if _fold(word) and _fold(word) in folded:
            hits.setdefault(action, []).append(word)
    return hits


@transaction.atomic
def sensitive_word_add(*, by, word: str, action: str) -> SensitiveWord:
    if not permissions.can_manage_words(by):
        raise NotAllowed()
    word = _text(word, field="word", max_length=30)
    if action not in SensitiveWord.Action.values:
        raise Invalid(field="action", message=_("Choose hold for review or refuse."))
    if SensitiveWord.objects.filter(word=word).exists():
        raise Conflict(_("This word is already on the list."))
    return SensitiveWord.objects.create(word=word, action=action, created_by=by)


@transaction.atomic
def sensitive_word_remove(*, by, word_id: int) -> None:
    if not permissions.can_manage_words(by):
        raise NotAllowed()
    SensitiveWord.objects.filter(pk=word_id).delete()


# --- Comments --------------------------------------------------------------------------------


def _visible_article(article_id) -> Article:
    article = (
        Article.objects.select_related("category")
        .filter(pk=article_id, status=Status.PUBLISHED)
        .first()
    )
    if article is None:
        raise NotFound()
    return article


def _throttle_comments(author) -> None:
    now = timezone.now()
    count, seconds = COMMENT_BURST
    recent = Comment.objects.filter(
        author=author, created_at__gte=now - dt.timedelta(seconds=seconds)
    ).count()
    if recent >= count:
        raise Throttled(
            _("You are commenting very fast. Please wait a minute."), retry_after=seconds
        )
    today = Comment.objects.filter(author=author, created_at__gte=now - dt.timedelta(days=1))
    if today.count() >= COMMENTS_PER_DAY:
        raise Throttled(_("That is enough comments for today. Thank you!"), retry_after=3600)


def comment_post(
    *,
    author,
    article_id: int,
    body: str,
    nickname: str | None = None,
    parent_id: int | None = None,
    client_key: str = "",
) -> tuple[Comment, bool]:
    """Post a comment (or a reply); returns (comment, created). A retry with the same
    client key returns the first comment."""
    if not permissions.can_comment(author):
        raise NotAllowed(_("Log in as a worker to comment."))
    client_key = render.strip_control(client_key or "").strip()[:100]
    if client_key:
        existing = Comment.objects.filter(author=author, client_key=client_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return _comment_create(author, article_id, body, nickname, parent_id, client_key), True
    except IntegrityError:
        existing = Comment.objects.filter(author=author, client_key=client_key).first()
        if existing is None or not client_key:
            raise
        return existing, False


def _comment_create(author, article_id, body, nickname, parent_id, client_key) -> Comment:
    raw = str(body or "")
    if len(raw) > COMMENT_MAX * 4:
        raise Invalid(
            field="body",
            message=_("A comment has at most %(n)d characters.") % {"n": COMMENT_MAX},
        )
    text = _text(render.comment_text(raw), field="body", max_length=COMMENT_MAX)
    article = _visible_article(article_id)
    if article.comment_policy == Article.CommentPolicy.CLOSED:
        raise Conflict(_("Comments are closed for this article."))
    profile, _created = ReaderProfile.objects.select_for_update().get_or_create(user=author)
    if nickname:
        profile.nickname = _nickname(nickname)
        profile.save(update_fields=["nickname", "updated_at"])
    if not profile.nickname:
        raise Invalid(field="nickname", message=_("Choose a nickname to comment under."))
    parent = reply_to = None
    if parent_id:
        reply_to = Comment.objects.filter(
            pk=parent_id, article=article, status=Comment.Status.PUBLISHED
        ).first()
        if reply_to is None:
            raise Invalid(field="parent", message=_("The comment you reply to is not there."))
        parent = reply_to.parent or reply_to  # one level deep: replies hang off the top
    _throttle_comments(author)
    hits = sensitive_hits(text)
    if hits.get(SensitiveWord.Action.BLOCK):
        raise Invalid(
            field="body",
            message=_("Your comment contains words that are not allowed here: %(words)s")
            % {"words": "、".join(hits[SensitiveWord.Action.BLOCK])},
        )
    flagged = hits.get(SensitiveWord.Action.FLAG, [])
    at_once = article.comment_policy == Article.CommentPolicy.OPEN and not flagged
    return Comment.objects.create(
        article=article,
        author=author,
        nickname=profile.nickname,
        body=text,
        parent=parent,
        reply_to=reply_to,
        status=Comment.Status.PUBLISHED if at_once else Comment.Status.PENDING,
        flagged_words="、".join(flagged)[:200],
        client_key=client_key,
    )


def _locked_comment(comment_id) -> Comment:
    comment = (
        Comment.objects.select_for_update().select_related("article").filter(pk=comment_id).first()
    )
    if comment is None:
        raise NotFound()
    return comment


@transaction.atomic
def comment_delete_own(*, by, comment_id: int) -> Comment:
    """The author takes their comment back; replies under it stay, under a placeholder."""
    comment = _locked_comment(comment_id)
    if comment.author_id != getattr(by, "pk", None):
        raise NotFound()
    if comment.status in (Comment.Status.DELETED, Comment.Status.ERASED):
        return comment
    comment.status = Comment.Status.DELETED
    comment.body = ""
    comment.save(update_fields=["status", "body"])
    return comment


@transaction.atomic
def comment_report(*, by, comment_id: int, reason: str) -> bool:
    """Report a published comment; at REPORTS_TO_HIDE readers it goes back to review.
    Returns False when this reader had reported it already."""
    if not getattr(by, "is_authenticated", False):
        raise NotAllowed()
    comment = _locked_comment(comment_id)
    if comment.status != Comment.Status.PUBLISHED or comment.article.status != Status.PUBLISHED:
        raise NotFound()
    if reason not in CommentReport.Reason.values:
        raise Invalid(field="reason", message=_("Choose why you report this comment."))
    if comment.author_id == by.pk:
        raise Conflict(_("You cannot report your own comment."))
    since = timezone.now() - dt.timedelta(days=1)
    if CommentReport.objects.filter(reporter=by, created_at__gte=since).count() >= REPORTS_PER_DAY:
        raise Throttled(_("That is enough reports for today. Thank you!"), retry_after=3600)
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, reporter=by, reason=reason)
    except IntegrityError:
        return False
    comment.report_count = F("report_count") + 1
    comment.save(update_fields=["report_count"])
    comment.refresh_from_db(fields=["report_count"])
    if comment.report_count >= REPORTS_TO_HIDE:
        comment.status = Comment.Status.PENDING
        comment.save(update_fields=["status"])
    return True


def _moderated(by, comment_id) -> Comment:
    comment = _locked_comment(comment_id)
    if not permissions.can_moderate_article(by, comment.article):
        raise NotAllowed(_("You may moderate only comments under your district's articles."))
    return comment


@transaction.atomic
def comment_approve(*, by, comment_id: int) -> Comment:
    """Approve a waiting comment (or keep a reported one): it appears under the article."""
    comment = _moderated(by, comment_id)
    if comment.status != Comment.Status.PENDING:
        raise Conflict(_("This comment was already dealt with."))
    comment.status = Comment.Status.PUBLISHED
    comment.moderated_by, comment.moderated_at = by, timezone.now()
    comment.save(update_fields=["status", "moderated_by", "moderated_at"])
    comment.reports.all().delete()
    Comment.objects.filter(pk=comment.pk).update(report_count=0)
    if comment.author_id:
        notify(
            user=comment.author,
            message=_("Your comment on “%(title)s” is now visible."),
            params={"title": comment.article.title},
            url=f"/news/{comment.article_id}/#comment-{comment.pk}",
            verb="news",
        )
    return comment


@transaction.atomic
def comment_reject(*, by, comment_id: int, reason: str) -> Comment:
    """Reject a waiting comment with a reason the author is told."""
    comment = _moderated(by, comment_id)
    reason = _text(reason, field="reason", max_length=REASON_MAX)
    if comment.status != Comment.Status.PENDING:
        raise Conflict(_("This comment was already dealt with."))
    comment.status = Comment.Status.REJECTED
    comment.reject_reason = reason
    comment.moderated_by, comment.moderated_at = by, timezone.now()
    comment.save(update_fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    if comment.author_id:
        notify(
            user=comment.author,
            message=_("Your comment on “%(title)s” was not published: %(reason)s"),
            params={"title": comment.article.title, "reason": reason},
            url=f"/news/{comment.article_id}/",
            verb="news",
        )
    return comment


# --- A person's data -------------------------------------------------------------------------


def export_for(user) -> dict:
    profile = ReaderProfile.objects.filter(user=user).first()
    return {
        "nickname": profile.nickname if profile else "",
        "pinyin": profile.pinyin if profile else "off",
        "comments": [
            {
                "article": c.article.title,
                "body": c.body,
                "nickname": c.nickname,
                "status": c.status,
                "created_at": c.created_at.isoformat(),
            }
            for c in Comment.objects.filter(author=user).select_related("article")
        ],
        "reports": CommentReport.objects.filter(reporter=user).count(),
    }


def erase_for(user) -> int:
    """Erase what news holds about a person: their comments' text and nickname (a reply
    by someone else stays, under "deleted"), their reports, views and preferences."""
    touched = Comment.objects.filter(author=user).update(
        author=None, body="", nickname="", client_key="", status=Comment.Status.ERASED
    )
    touched += CommentReport.objects.filter(reporter=user).delete()[0]
    touched += ArticleView.objects.filter(viewer=viewer_key(user=user)).delete()[0]
    touched += ReaderProfile.objects.filter(user=user).delete()[0]
    return touched
