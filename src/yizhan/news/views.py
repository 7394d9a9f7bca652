"""News pages: thin — parse, call one service or selector, render. Readers on a phone
(list, article, comments); editors and moderators on a desktop console."""

import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yizhan.core import audit
from yizhan.core.errors import YizhanError
from yizhan.core.forms import add_service_errors
from yizhan.core.paging import window
from yizhan.core.pii import blind_index, mask_mobile, mask_name
from yizhan.core.redirects import safe_target
from yizhan.news import permissions, selectors, services
from yizhan.news.forms import ArticleForm, CommentForm, ReasonForm, ReportForm, WordForm
from yizhan.news.models import Article
from yizhan.places import selectors as places

DEVICE_COOKIE = "news_device"
YEAR = 365 * 24 * 3600


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    return safe_target(request, target, fallback)


# --- Readers ---------------------------------------------------------------------------------


def list_view(request):
    query = request.GET.get("q", "")[:50]
    category = request.GET.get("category", "")[:30]
    articles = selectors.article_list(query=query, category=category)
    page = window(articles, request.GET.get("page"), per_page=15)
    return render(
        request,
        "news/list.html",
        {
            "page": page,
            "query": query,
            "category": category,
            "categories": selectors.categories(),
            "filters": {k: v for k, v in {"q": query, "category": category}.items() if v},
            "pinyin": selectors.reader_pinyin(request),
        },
    )


def _device(request) -> tuple[str, bool]:
    """The anonymous reader's device id: the cookie, or one derived from the address and
    browser (so a browser that refuses cookies still counts once a day). (id, is_new)."""
    cookie = request.COOKIES.get(DEVICE_COOKIE, "")
    if 16 <= len(cookie) <= 64 and cookie.isascii() and cookie.isalnum():
        return cookie, False
    seed = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"
    return blind_index(seed)[:32], True


def _article_page(request, article: Article, *, form=None, status=200):
    pinyin = selectors.reader_pinyin(request)
    profile = selectors.reader_profile(request.user)
    if form is None:
        form = CommentForm(initial={"key": uuid.uuid4().hex})
    comments = selectors.comments_for_reader(article, user=request.user)
    response = render(
        request,
        "news/article.html",
        {
            "article": article,
            "body": selectors.article_html(article, pinyin=pinyin),
            "title_html": selectors.pinyin_ruby(article.title, mode=pinyin)
            if pinyin != "off"
            else None,
            "pinyin": pinyin,
            "related": selectors.related(article),
            "comments": comments,
            "comment_count": selectors.published_comment_count(article),
            "form": form,
            "profile": profile,
            "can_comment": permissions.can_comment(request.user),
            "report_form": ReportForm(),
            "speech": selectors.speech_text(article),
            "is_preview": article.status != Article.Status.PUBLISHED,
        },
        status=status,
    )
    return response


def article_view(request, pk: int):
    article = selectors.article_for_reader(article_id=pk)
    device, new_device = ("", False)
    if not request.user.is_authenticated:
        device, new_device = _device(request)
    counted = services.article_view(
        article_id=article.pk, viewer=services.viewer_key(user=request.user, device=device)
    )
    if counted:
        article.view_count += 1
    response = _article_page(request, article)
    if new_device:
        response.set_cookie(DEVICE_COOKIE, device, max_age=YEAR, httponly=True, samesite="Lax")
    return response


@require_POST
def pinyin_view(request):
    mode = request.POST.get("mode", "off")
    if mode not in selectors.PINYIN_MODES:
        mode = "off"
    if request.user.is_authenticated:
        services.reader_set(user=request.user, pinyin=mode)
    response = redirect(_back(request, reverse("news:list")))
    response.set_cookie(selectors.PINYIN_COOKIE, mode, max_age=YEAR, samesite="Lax")
    return response


@require_POST
def comment_view(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("news:article", args=[pk]) + "#comment-form")
    article = selectors.article_for_reader(article_id=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment, created = services.comment_post(
                author=request.user,
                article_id=article.pk,
                body=data["body"],
                nickname=data["nickname"] or None,
                parent_id=data["parent"],
                client_key=data["key"],
            )
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            if comment.status == comment.Status.PUBLISHED:
                messages.success(request, _("Thank you! Your comment is up."))
            else:
                messages.success(
                    request,
                    _("Thank you! Your comment will appear once a moderator has read it."),
                )
            return redirect(reverse("news:article", args=[pk]) + f"#comment-{comment.pk}")
    return _article_page(request, article, form=form, status=422)


@require_POST
def comment_delete_view(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    comment = services.comment_delete_own(by=request.user, comment_id=pk)
    messages.success(request, _("Your comment was deleted."))
    return redirect(reverse("news:article", args=[comment.article_id]) + "#comments")


@require_POST
def comment_report_view(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.comment_report(by=request.user, comment_id=pk, reason=reason)
    messages.success(request, _("Thank you. A moderator will look at this comment."))
    return redirect(_back(request, reverse("news:list")))


# --- Editors ---------------------------------------------------------------------------------


def _editor(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.is_editor(request.user):
        raise PermissionDenied
    return None


def _districts_for(user):
    districts = places.district_list()
    if not permissions.is_city_editor(user):
        districts = [d for d in districts if d.pk in permissions.district_ids(user)]
    return districts


def _article_form(request, *, data=None, files=None, initial=None):
    return ArticleForm(
        data,
        files,
        initial=initial,
        categories=selectors.categories(),
        districts=_districts_for(request.user),
        city_wide=permissions.is_city_editor(request.user),
    )


def console_view(request):
    if (refused := _editor(request)) is not None:
        return refused
    status = request.GET.get("status", "")
    status = status if status in Article.Status.values else ""
    page = window(selectors.console_articles(request.user, status=status), request.GET.get("page"))
    return render(
        request,
        "news/console.html",
        {
            "page": page,
            "status": status,
            "statuses": Article.Status.choices,
            "filters": {"status": status} if status else {},
            "pending": selectors.moderation_queue(request.user).count(),
            "can_words": permissions.can_manage_words(request.user),
        },
    )


def _save_article(request, form, article=None):
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "category": data["category"],
        "body": data["body"],
        "summary": data["summary"],
        "district_id": int(data["district"]) if (data["district"] or "").isdigit() else None,
        "comment_policy": data["comment_policy"],
        "publish_at": data["publish_at"],
        "cover": data["cover"],
    }
    if article is None:
        return services.article_create(by=request.user, **fields)
    return services.article_update(by=request.user, article_id=article.pk, **fields)


def console_new_view(request):
    if (refused := _editor(request)) is not None:
        return refused
    form = _article_form(request, data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = _save_article(request, form)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("news:console_article", pk=article.pk)
    return render(request, "news/console_edit.html", {"form": form, "article": None})


def console_article_view(request, pk: int):
    if (refused := _editor(request)) is not None:
        return refused
    article = selectors.console_article(request.user, article_id=pk)
    initial = {
        "title": article.title,
        "category": article.category.code,
        "district": str(article.district_id or ""),
        "summary": article.summary,
        "body": article.body,
        "comment_policy": article.comment_policy,
        "publish_at": article.publish_at,
    }
    form = _article_form(
        request, data=request.POST or None, files=request.FILES or None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            article = _save_article(request, form, article)
        except YizhanError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("news:console_article", pk=article.pk)
    return render(
        request,
        "news/console_edit.html",
        {
            "form": form,
            "article": article,
            "history": selectors.article_history(article),
            "reason_form": ReasonForm(),
        },
    )


def console_preview_view(request, pk: int):
    if (refused := _editor(request)) is not None:
        return refused
    article = selectors.console_article(request.user, article_id=pk)
    return _article_page(request, article)


ACTIONS = {
    "submit": (services.article_submit, False, gettext_lazy("Sent for review.")),
    "publish": (services.article_publish, False, gettext_lazy("Published.")),
    "return": (services.article_return, True, gettext_lazy("Sent back to the author.")),
    "withdraw": (services.article_withdraw, True, gettext_lazy("Withdrawn.")),
}


@require_POST
def console_action_view(request, pk: int, action: str):
    if (refused := _editor(request)) is not None:
        return refused
    article = selectors.console_article(request.user, article_id=pk)
    if action in ("pin", "unpin"):
        services.article_pin(by=request.user, article_id=article.pk, pinned=action == "pin")
        messages.success(request, _("Pinned.") if action == "pin" else _("Unpinned."))
        return redirect("news:console_article", pk=article.pk)
    if action not in ACTIONS:
        raise PermissionDenied
    service, needs_reason, done = ACTIONS[action]
    kwargs = {"reason": request.POST.get("reason", "")} if needs_reason else {}
    article = service(by=request.user, article_id=article.pk, **kwargs)
    if action == "publish" and article.status == Article.Status.SCHEDULED:
        messages.success(request, _("Approved; it will be published at the scheduled time."))
    else:
        messages.success(request, done)
    return redirect("news:console_article", pk=article.pk)


# --- Moderators ------------------------------------------------------------------------------


def moderation_view(request):
    if (refused := _editor(request)) is not None:
        return refused
    reported = request.GET.get("reported") == "1"
    queue = selectors.moderation_queue(request.user, reported_only=reported)
    page = window(queue, request.GET.get("page"), per_page=20)
    for comment in page:
        comment.masked_author = mask_name(comment.author.name) if comment.author_id else "-"
        comment.reasons = selectors.report_reasons(comment) if comment.report_count else []
    return render(
        request,
        "news/moderation.html",
        {
            "page": page,
            "reported": reported,
            "filters": {"reported": "1"} if reported else {},
            "can_reveal": permissions.can_reveal_commenter(request.user),
            "can_words": permissions.can_manage_words(request.user),
        },
    )


@require_POST
def moderate_view(request, pk: int):
    if (refused := _editor(request)) is not None:
        return refused
    decision = request.POST.get("decision")
    if decision == "approve":
        services.comment_approve(by=request.user, comment_id=pk)
        messages.success(request, _("Approved: the comment is visible."))
    elif decision == "reject":
        services.comment_reject(
            by=request.user, comment_id=pk, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Rejected; the author is told why."))
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect(_back(request, reverse("news:moderation")))


@require_POST
def reveal_view(request, pk: int):
    """The person behind a nickname, for the city administrator, with a reason; audited."""
    if (refused := _editor(request)) is not None:
        return refused
    if not permissions.can_reveal_commenter(request.user):
        raise PermissionDenied
    comment = selectors.moderation_comment(request.user, comment_id=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid() or comment.author is None:
        messages.error(request, _("Give a reason to see who wrote this comment."))
        return redirect("news:moderation")
    audit.record(
        actor=request.user,
        action="news.reveal_commenter",
        subject=comment.author,
        fields=("name", "mobile"),
        reason=form.cleaned_data["reason"],
        request=request,
    )
    return render(
        request,
        "news/reveal.html",
        {
            "comment": comment,
            "name": comment.author.name,
            "mobile": comment.author.mobile,
            "masked": mask_mobile(comment.author.mobile),
        },
    )


def words_view(request):
    if (refused := _editor(request)) is not None:
        return refused
    if not permissions.can_manage_words(request.user):
        raise PermissionDenied
    form = WordForm(request.POST or None)
    if request.method == "POST":
        if remove := request.POST.get("remove", ""):
            if remove.isdigit() and len(remove) < 19:
                services.sensitive_word_remove(by=request.user, word_id=int(remove))
                messages.success(request, _("Removed."))
            return redirect("news:words")
        if form.is_valid():
            try:
                services.sensitive_word_add(by=request.user, **form.cleaned_data)
            except YizhanError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Added."))
                return redirect("news:words")
    return render(
        request,
        "news/words.html",
        {"form": form, "words": selectors.sensitive_words(), "can_words": True},
    )
