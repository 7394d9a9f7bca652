"""News and notices (资讯): articles and their history, views, readers' preferences,
comments with reports, and the city's sensitive-word list."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A section of the news: notices, news, how-to guides, policy explainers."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        """The name in the reader's language for the starting categories, else the name."""
        return CATEGORY_LABELS.get(self.code, self.name)


CATEGORY_LABELS = {
    "notice": _("Notices"),
    "news": _("News"),
    "guide": _("How-to guides"),
    "policy": _("Policy explained"),
}


class Article(models.Model):
    """An article by the city (district empty) or by one district. The body is Markdown;
    it is rendered and sanitised on the way out, and pinyin is added only when shown."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class CommentPolicy(models.TextChoices):
        PREMODERATED = "premoderated", _("Comments appear after review")
        OPEN = "open", _("Comments appear at once, reviewed afterwards")
        CLOSED = "closed", _("No comments")

    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    district = models.ForeignKey(
        "places.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("Empty: published by the city."),
    )
    cover = models.ImageField(_("cover image"), upload_to="news/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    comment_policy = models.CharField(
        _("comments"),
        max_length=14,
        choices=CommentPolicy.choices,
        default=CommentPolicy.PREMODERATED,
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("text version"), default=1)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    # Words (jieba, search mode), pinyin and initials of the title: what search looks in.
    # PostgreSQL indexes to_tsvector('simple', search_text) with GIN (migration 0002).
    search_text = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "-pinned", "-published_at"], name="news_art_list"),
            models.Index(fields=["status", "publish_at"], name="news_art_due"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleEvent(models.Model):
    """One row per step in an article's life: who, when, what and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.article_id} {self.action}"


class ArticleView(models.Model):
    """A reader saw an article on a day (Asia/Shanghai). `viewer` is a keyed hash of the
    user id or the anonymous device, so the table links no one; the unique row is what
    makes a view count once per person (or device) per day."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    viewer = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "viewer", "day"], name="news_view_once")
        ]
        indexes = [models.Index(fields=["day"], name="news_view_day")]

    def __str__(self):
        return f"{self.article_id} {self.day}"


class ReaderProfile(models.Model):
    """What a logged-in reader chose: the nickname shown on comments, the pinyin toggle."""

    class Pinyin(models.TextChoices):
        OFF = "off", _("No pinyin")
        ALL = "all", _("Pinyin over every character")
        RARE = "rare", _("Pinyin over less common characters")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_reader"
    )
    nickname = models.CharField(_("nickname"), max_length=16, blank=True)
    pinyin = models.CharField(max_length=4, choices=Pinyin.choices, default=Pinyin.OFF)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.nickname or "-"


class Comment(models.Model):
    """A reader's comment, shown under a nickname; the author behind it is known to the
    moderators (后台实名、前台自愿). Replies are one level deep: `parent` is always a
    top-level comment, `reply_to` the comment answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        DELETED = "deleted", _("Deleted by its author")
        ERASED = "erased", _("Erased with its author's data")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="news_comments",
    )
    nickname = models.CharField(_("nickname"), max_length=16)
    body = models.TextField(_("comment"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    flagged_words = models.CharField(max_length=200, blank=True)
    reject_reason = models.CharField(max_length=200, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    client_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_key"],
                condition=~Q(client_key=""),
                name="news_comment_once",
            )
        ]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="news_cmt_article"),
            models.Index(fields=["status", "created_at"], name="news_cmt_queue"),
            models.Index(fields=["author", "created_at"], name="news_cmt_author"),
        ]

    def __str__(self):
        return f"{self.nickname}: {self.body[:20]}"


class CommentReport(models.Model):
    """A reader reports a comment; each reader once per comment."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Abuse or personal attack")
        PRIVACY = "privacy", _("Reveals someone's personal information")
        FALSE = "false", _("False or misleading")
        ADVERT = "advert", _("Advertising or spam")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="news_report_once")
        ]

    def __str__(self):
        return f"{self.comment_id} {self.reason}"


class SensitiveWord(models.Model):
    """The city's list: a comment with a `block` word is refused; one with a `flag` word
    waits for a moderator even where comments appear at once."""

    class Action(models.TextChoices):
        FLAG = "flag", _("Hold for review")
        BLOCK = "block", _("Refuse")

    word = models.CharField(_("word"), max_length=30, unique=True)
    action = models.CharField(_("action"), max_length=5, choices=Action.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word
