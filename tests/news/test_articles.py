"""Articles: draft → review → publish (or schedule), who may publish where, sanitised
bodies, covers through the photo pipeline, pinned items, search and related articles."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.models import Event
from yizhan.news import render, selectors, services
from yizhan.news.models import Article, ArticleEvent

pytestmark = pytest.mark.django_db


def test_a_draft_is_reviewed_then_published_and_every_step_is_in_its_history(news):
    article = news.draft()
    assert article.status == "draft"
    with pytest.raises(NotFound):
        selectors.article_for_reader(article_id=article.pk)
    services.article_submit(by=news.city.adam, article_id=article.pk)
    article = services.article_publish(by=news.city.adam, article_id=article.pk)
    assert article.status == "published" and article.published_at is not None
    assert selectors.article_for_reader(article_id=article.pk) == article
    actions = list(ArticleEvent.objects.filter(article=article).values_list("action", flat=True))
    assert actions == ["created", "submitted", "published"]
    assert Event.objects.filter(name="news.published", payload__article_id=article.pk).count() == 1


def test_publishing_skips_no_step(news):
    article = news.draft()
    with pytest.raises(Conflict):
        services.article_publish(by=news.city.adam, article_id=article.pk)


def test_a_reviewer_sends_a_draft_back_with_a_reason(news):
    article = news.draft(by=news.doris, district_id=news.city.district.pk)
    services.article_submit(by=news.doris, article_id=article.pk)
    with pytest.raises(Invalid):
        services.article_return(by=news.city.adam, article_id=article.pk, reason=" ")
    article = services.article_return(by=news.city.adam, article_id=article.pk, reason="标题太长")
    assert article.status == "draft"
    assert news.doris.notifications.filter(params__reason="标题太长").exists()


def test_the_four_eyes_setting_makes_another_editor_approve(news, settings):
    settings.NEWS_FOUR_EYES = True
    article = news.draft()
    services.article_submit(by=news.city.adam, article_id=article.pk)
    with pytest.raises(NotAllowed):
        services.article_publish(by=news.city.adam, article_id=article.pk)


def test_a_district_officer_publishes_only_for_their_district(news):
    with pytest.raises(NotAllowed):
        news.draft(by=news.doris)  # city-wide: the city's
    with pytest.raises(NotAllowed):
        news.draft(by=news.doris, district_id=news.other_district.pk)
    mine = news.published(by=news.doris, district_id=news.city.district.pk)
    assert mine.status == "published"
    theirs = news.draft(by=news.owen, district_id=news.other_district.pk)
    with pytest.raises(NotAllowed):
        services.article_submit(by=news.doris, article_id=theirs.pk)
    with pytest.raises(NotAllowed):
        news.draft(by=news.city.alice)


def test_an_unknown_category_is_a_clear_error_and_nothing_is_saved(news):
    with pytest.raises(Invalid) as refused:
        news.draft(category="gossip")
    assert "gossip" in str(refused.value.fields["category"][0])
    assert "notice" in str(refused.value.fields["category"][0])
    assert not Article.objects.exists()


def test_a_scheduled_article_goes_live_when_its_time_comes(news, clock, run_tasks):
    from yizhan.core import periodic

    at = timezone.now() + dt.timedelta(hours=2)
    article = news.draft(publish_at=at)
    services.article_submit(by=news.city.adam, article_id=article.pk)
    article = services.article_publish(by=news.city.adam, article_id=article.pk)
    assert article.status == "scheduled"
    assert services.publish_due() == 0
    clock.move_to(at + dt.timedelta(minutes=1))
    assert "news.publish_due" in periodic.tick()
    run_tasks()
    article.refresh_from_db()
    assert article.status == "published" and article.published_at == at
    assert services.publish_due() == 0  # never twice
    assert Event.objects.filter(name="news.published").count() == 1


def test_withdrawn_articles_disappear_and_pinned_ones_lead_the_list(news):
    first = news.published(title="第一篇")
    second = news.published(title="第二篇")
    services.article_pin(by=news.city.adam, article_id=first.pk, pinned=True)
    assert list(selectors.article_list())[:2] == [first, second]
    services.article_withdraw(by=news.city.adam, article_id=first.pk, reason="信息有误")
    assert list(selectors.article_list()) == [second]
    with pytest.raises(NotFound):
        selectors.article_for_reader(article_id=first.pk)


def test_editing_a_published_article_bumps_its_text_version(news):
    article = news.published()
    edited = services.article_update(
        by=news.city.adam,
        article_id=article.pk,
        title=article.title,
        category="guide",
        body=article.body + "\n\n新增一段。",
    )
    assert edited.version == article.version + 1 and edited.status == "published"
    assert "新增一段" in str(selectors.article_html(edited))


@pytest.mark.parametrize(
    ("markdown", "gone", "kept"),
    [
        ("<script>alert(1)</script>正文", "alert", "正文"),
        ('<img src=x onerror="alert(1)">图', "onerror", "图"),
        ("[点我](javascript:alert(1))", 'href="javascript', "点我"),
        ('<a href="javascript:alert(1)">点我</a>', "javascript", "点我"),
        ('<p onclick="steal()" style="color:red">段落</p>', "onclick", "段落"),
        ("<iframe src='https://evil.example'></iframe>文字", "iframe", "文字"),
        ("<style>body{display:none}</style>样式", "display", "样式"),
    ],
)
def test_the_sanitiser_removes_scripts_handlers_and_foreign_tags(markdown, gone, kept):
    html = render.markdown_to_html(markdown)
    assert gone not in html and kept in html


def test_the_sanitiser_keeps_the_markdown_a_notice_needs():
    html = render.markdown_to_html(
        "## 标题\n\n**加粗** *强调*\n\n- 一\n- 二\n\n[链接](https://example.org)\n\n"
        "| 时间 | 地点 |\n| --- | --- |\n| 9:00 | 驿站 |"
    )
    for tag in ("<h2>", "<strong>", "<em>", "<li>", "<table>", "<td>"):
        assert tag in html
    assert 'rel="noopener noreferrer nofollow"' in html


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1200), (200, 30, 40)).save(out, format="JPEG")
    return SimpleUploadedFile("cover.jpg", out.getvalue(), content_type="image/jpeg")


def test_the_cover_goes_through_the_photo_pipeline(news, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = news.draft(cover=_jpeg())
    with Image.open(article.cover.path) as image:
        assert max(image.size) == 1280 and not image.info.get("exif")
    with pytest.raises(Invalid) as refused:
        news.draft(cover=SimpleUploadedFile("x.jpg", b"not a photo"))
    assert "cover" in refused.value.fields


def test_search_finds_chinese_words_pinyin_and_initials(news):
    guide = news.published(title="如何报告安全隐患")
    calendar = news.published(
        title="九月培训日历", category="notice", body="每周三在驿站开展电动车安全培训。"
    )
    for query, found in [
        ("隐患", [guide]),
        ("安全隐患", [guide]),
        ("培训", [calendar]),
        ("培训日历", [calendar]),
        ("peixun", [calendar]),
        ("pei xun", [calendar]),
        ("pxrl", [calendar]),
        ("安全", [calendar, guide]),
        ("电动车", [calendar]),
        ("不存在的词", []),
    ]:
        assert list(selectors.article_list(query=query)) == found, query


def test_articles_saved_with_indexing_deferred_are_found_at_the_next_search(news):
    """search.deferred() (the demo loader's): no words stored at first; the next search indexes
    them, with the words an immediate save stores, and finds them."""
    from yizhan.news import search

    with search.deferred():
        late = news.published(title="九月培训日历", category="notice", body="驿站电动车安全培训。")
    assert Article.objects.get(pk=late.pk).search_text == ""
    now = news.published(title="九月培训日历", category="notice", body="驿站电动车安全培训。")
    assert list(selectors.article_list(query="培训日历")) == [now, late]
    assert Article.objects.get(pk=late.pk).search_text == now.search_text != ""
    assert search.index_pending() == 0


def test_search_ignores_what_the_database_cannot_hold(news):
    news.published()
    assert list(selectors.article_list(query="\x00隐患'\"):*&|!")) != ["boom"]


def test_related_articles_share_the_category_first(news):
    a = news.published(title="报告隐患一", category="guide")
    b = news.published(title="报告隐患二", category="guide")
    c = news.published(title="新站点开放", category="news")
    assert selectors.related(a) == [b, c]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")
def test_postgresql_uses_the_gin_index_for_search(news):
    news.published()
    from yizhan.news import search

    qs = search.filter_queryset(Article.objects.all(), "隐患")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = qs.explain()
    assert "news_article_search_gin" in plan
