"""Reader pages on a phone and the consoles: views counted once per person or device a
day, the pinyin toggle remembered, the breadcrumb and empty state, role and scope checks."""

import datetime as dt

import pytest
from django.test import Client

from yizhan.core.models import AuditLog
from yizhan.news import services
from yizhan.news.models import Article, Comment, ReaderProfile

pytestmark = pytest.mark.django_db


def test_a_logged_in_reader_counts_once_a_day_however_often_they_reload(news, login, clock):
    article = news.published()
    client = login(news.city.alice)
    for _ in range(3):
        assert client.get(f"/news/{article.pk}/").status_code == 200
    assert Article.objects.get(pk=article.pk).view_count == 1
    clock.shift(dt.timedelta(days=1))
    client.get(f"/news/{article.pk}/")
    assert Article.objects.get(pk=article.pk).view_count == 2


def test_an_anonymous_device_counts_once_a_day_with_or_without_its_cookie(news):
    article = news.published()
    phone = Client()
    first = phone.get(f"/news/{article.pk}/")
    assert "news_device" in first.cookies
    phone.get(f"/news/{article.pk}/")
    cookieless = Client()
    cookieless.get(f"/news/{article.pk}/")
    cookieless.cookies.clear()
    cookieless.get(f"/news/{article.pk}/")
    other = Client(HTTP_USER_AGENT="another phone")
    other.get(f"/news/{article.pk}/")
    assert Article.objects.get(pk=article.pk).view_count == 2


def test_the_article_page_has_the_breadcrumb_and_a_warm_empty_state(news):
    article = news.published()
    body = Client().get(f"/news/{article.pk}/").content.decode()
    assert "首页</a> › <a" in body and "资讯</a> › <span" in body and "正文" in body
    assert "还没有评论" in body
    assert "登录后评论" in body


def test_pinyin_is_off_by_default_and_the_toggle_is_remembered(news, login):
    article = news.published(body="兑换(duìhuàn)积分")
    anonymous = Client()
    assert "<ruby" not in anonymous.get(f"/news/{article.pk}/").content.decode()
    anonymous.post("/news/pinyin/", {"mode": "all", "next": f"/news/{article.pk}/"})
    page = anonymous.get(f"/news/{article.pk}/").content.decode()
    assert '<ruby class="py">兑<rp>(</rp><rt aria-hidden="true">duì</rt>' in page
    assert "(duìhuàn)" not in page  # cleaned, never doubled
    client = login(news.city.alice)
    client.post("/news/pinyin/", {"mode": "rare"})
    assert ReaderProfile.objects.get(user=news.city.alice).pinyin == "rare"
    client.cookies.pop("news_pinyin", None)
    assert "<ruby" not in client.get(f"/news/{article.pk}/").content.decode()  # all common
    client.post("/news/pinyin/", {"mode": "all"})
    client.cookies.pop("news_pinyin", None)
    assert "<ruby" in client.get(f"/news/{article.pk}/").content.decode()


def test_a_worker_comments_through_the_page_and_sees_it_waiting(news, login):
    article = news.published()
    client = login(news.city.alice)
    response = client.post(
        f"/news/{article.pk}/comments/",
        {"body": "<script>x()</script>谢谢驿站", "nickname": "兰州骑手", "key": "abc"},
        follow=True,
    )
    assert "审核" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.body == "谢谢驿站" and comment.status == "pending"
    assert "谢谢驿站" not in Client().get(f"/news/{article.pk}/").content.decode()


def test_a_refused_comment_keeps_what_was_typed(news, login):
    article = news.published()
    response = login(news.city.alice).post(
        f"/news/{article.pk}/comments/", {"body": "我的话", "nickname": "管理员"}
    )
    assert response.status_code == 422
    assert "我的话" in response.content.decode() and not Comment.objects.exists()


def test_comment_on_an_unpublished_article_is_a_404(news, login):
    draft = news.draft()
    response = login(news.city.alice).post(
        f"/news/{draft.pk}/comments/", {"body": "x", "nickname": "骑手"}
    )
    assert response.status_code == 404


def test_the_list_searches_and_shows_an_empty_state(news):
    news.published(title="九月培训日历")
    assert "九月培训日历" in Client().get("/news/?q=px").content.decode()
    assert "没有找到" in Client().get("/news/?q=不存在").content.decode()


def test_workers_cannot_open_the_consoles(news, login):
    client = login(news.city.alice)
    for url in ("/news/console/", "/news/moderation/", "/news/console/new/"):
        assert client.get(url).status_code == 403


def test_a_district_officer_sees_only_their_districts_articles(news, login):
    mine = news.draft(by=news.doris, district_id=news.city.district.pk)
    theirs = news.draft(by=news.owen, district_id=news.other_district.pk)
    client = login(news.doris)
    assert mine.title in client.get("/news/console/").content.decode()
    assert client.get(f"/news/console/{theirs.pk}/").status_code == 404
    assert client.post(f"/news/console/{theirs.pk}/submit/").status_code == 404


def test_the_city_writes_and_publishes_through_the_console(news, login):
    client = login(news.city.adam)
    response = client.post(
        "/news/console/new/",
        {
            "title": "平台规则公示",
            "category": "notice",
            "district": "",
            "body": "## 规则\n\n抽成不超过**30%**。",
            "comment_policy": "premoderated",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and article.status == "draft"
    client.post(f"/news/console/{article.pk}/submit/")
    client.post(f"/news/console/{article.pk}/publish/")
    article.refresh_from_db()
    assert article.status == "published"
    bad = client.post(
        "/news/console/new/",
        {"title": "x", "category": "nope", "body": "y", "comment_policy": "open"},
    )
    assert "nope" in bad.content.decode() and Article.objects.count() == 1


def test_moderators_approve_on_the_queue_and_reveal_only_with_a_reason(news, login):
    article = news.published()
    comment = news.comment(article)
    client = login(news.city.adam)
    page = client.get("/news/moderation/").content.decode()
    assert comment.body in page and "王**" in page and "王小川" not in page
    shown = client.post(f"/news/moderation/{comment.pk}/reveal/", {"reason": "核实举报"})
    assert "王小川" in shown.content.decode()
    assert AuditLog.objects.filter(reason="核实举报").exists()
    client.post(f"/news/moderation/{comment.pk}/", {"decision": "approve"})
    assert comment.body in Client().get(f"/news/{article.pk}/").content.decode()
    assert (
        login(news.doris)
        .post(f"/news/moderation/{comment.pk}/reveal/", {"reason": "x"})
        .status_code
        == 403
    )


def test_the_city_manages_the_sensitive_word_list(news, login):
    client = login(news.city.adam)
    client.post("/news/console/words/", {"word": "赌博", "action": "block"})
    assert "赌博" in client.get("/news/console/words/").content.decode()
    assert login(news.doris).get("/news/console/words/").status_code == 403


def test_the_api_reads_and_comments(news, login):
    article = news.published(body="兑换(duìhuàn)积分")
    client = Client()
    listed = client.get("/api/v1/news/articles", {"q": "yinhuan"}).json()
    assert [a["id"] for a in listed] == [article.pk]  # the title's pinyin
    listed = client.get("/api/v1/news/articles", {"q": "隐患"}).json()
    assert [a["id"] for a in listed] == [article.pk]
    detail = client.get(f"/api/v1/news/articles/{article.pk}", {"pinyin": "all"}).json()
    assert "<ruby" in detail["body_html"] and detail["view_count"] == 1
    assert client.get("/api/v1/news/articles/99999").status_code == 404
    assert client.get("/api/v1/news/articles", {"q": "a\x00b"}).status_code == 422
    worker = login(news.city.alice)
    payload = {"body": "好", "nickname": "骑手甲", "idempotency_key": "k-1"}
    url = f"/api/v1/news/articles/{article.pk}/comments"
    first = worker.post(url, payload, content_type="application/json")
    again = worker.post(url, payload, content_type="application/json")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Comment.objects.count() == 1
    huge = worker.post(url, {"body": "长" * 100_000}, content_type="application/json")
    assert huge.status_code == 422
    draft = news.draft()
    assert (
        worker.post(
            f"/api/v1/news/articles/{draft.pk}/comments",
            {"body": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_api_publishes_with_a_clear_error_for_an_unknown_category(news, login):
    client = login(news.city.adam)
    bad = client.post(
        "/api/v1/news/articles",
        {"title": "t", "category": "gossip", "body": "b"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "category"
    made = client.post(
        "/api/v1/news/articles",
        {"title": "新站点开放", "category": "news", "body": "七里河区新站点开放。"},
        content_type="application/json",
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    client.post(f"/api/v1/news/articles/{pk}/submit")
    assert client.post(f"/api/v1/news/articles/{pk}/publish").json()["status"] == "published"
    assert (
        login(news.city.alice)
        .post(
            "/api/v1/news/articles",
            {"title": "t", "category": "news", "body": "b"},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_the_pinyin_api(news):
    answer = Client().get("/api/v1/news/pinyin", {"text": "兑换(duìhuàn)(duìhuàn)"}).json()
    assert answer == {
        "text": "兑换",
        "inline": "兑换(duìhuàn)",
        "html": services.__name__ and answer["html"],
    }
    assert Client().get("/api/v1/news/pinyin", {"text": "长" * 6000}).status_code == 422
