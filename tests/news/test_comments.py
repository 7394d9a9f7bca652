"""Comments: reviewed before they appear (or at once where the article allows), the city's
sensitive words, rate limits, reports, one-level replies, the author's delete, erasure
with the person, and the bad input the issue names."""

import datetime as dt

import pytest

from yizhan.core import personal_data
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound, Throttled
from yizhan.news import selectors, services
from yizhan.news.models import Comment, CommentReport, ReaderProfile, SensitiveWord

pytestmark = pytest.mark.django_db


def visible(article, user=None):
    tops = selectors.comments_for_reader(article, user=user)
    return [c.body for c in tops] + [r.body for c in tops for r in c.shown_replies]


def test_a_comment_waits_for_a_moderator_then_appears(news):
    article = news.published()
    comment = news.comment(article)
    assert comment.status == "pending" and comment.nickname == "兰州骑手"
    assert visible(article) == []  # others do not see it
    assert visible(article, user=news.city.alice) == [comment.body]  # the author does
    assert [c.pk for c in selectors.moderation_queue(news.city.adam)] == [comment.pk]
    services.comment_approve(by=news.city.adam, comment_id=comment.pk)
    assert visible(article) == [comment.body]
    assert news.city.alice.notifications.filter(verb="news").count() == 1
    with pytest.raises(Conflict):
        services.comment_approve(by=news.city.adam, comment_id=comment.pk)


def test_a_rejected_comment_never_appears_and_its_author_is_told_why(news):
    article = news.published()
    comment = news.comment(article)
    with pytest.raises(Invalid):
        services.comment_reject(by=news.city.adam, comment_id=comment.pk, reason="")
    services.comment_reject(by=news.city.adam, comment_id=comment.pk, reason="与主题无关")
    assert visible(article) == []
    assert news.city.alice.notifications.filter(params__reason="与主题无关").exists()


def test_an_open_article_shows_comments_at_once(news):
    article = news.published(comment_policy="open")
    assert news.comment(article).status == "published"


def test_district_officers_moderate_only_their_districts_articles(news):
    mine = news.published(by=news.doris, district_id=news.city.district.pk)
    city_wide = news.published()
    on_mine, on_city = news.comment(mine), news.comment(city_wide, body="第二条")
    assert [c.pk for c in selectors.moderation_queue(news.doris)] == [on_mine.pk]
    assert selectors.moderation_queue(news.owen).count() == 0
    with pytest.raises(NotAllowed):
        services.comment_approve(by=news.doris, comment_id=on_city.pk)
    services.comment_approve(by=news.doris, comment_id=on_mine.pk)


def test_sensitive_words_block_or_hold_however_they_are_spelled(news):
    services.sensitive_word_add(by=news.city.adam, word="傻瓜", action="block")
    services.sensitive_word_add(by=news.city.adam, word="加微信", action="flag")
    with pytest.raises(NotAllowed):
        services.sensitive_word_add(by=news.doris, word="x", action="flag")
    article = news.published(comment_policy="open")
    for spelled in ("你是傻瓜", "傻 瓜", "傻*瓜", "ｓ傻-瓜"):
        with pytest.raises(Invalid) as refused:
            news.comment(article, body=spelled)
        assert "傻瓜" in str(refused.value.fields["body"][0])
    held = news.comment(article, body="有兼职请加 微信")
    assert held.status == "pending" and held.flagged_words == "加微信"
    assert Comment.objects.count() == 1


def test_comments_are_rate_limited(news, clock):
    article = news.published()
    for n in range(services.COMMENT_BURST[0]):
        news.comment(article, body=f"第{n}条")
    with pytest.raises(Throttled):
        news.comment(article, body="太快了")
    clock.shift(dt.timedelta(minutes=2))
    news.comment(article, body="等了一会儿")


def test_a_retry_with_the_same_key_posts_once(news):
    article = news.published()
    first, created = services.comment_post(
        author=news.city.alice,
        article_id=article.pk,
        body="一次",
        nickname="骑手甲",
        client_key="k1",
    )
    again, created_again = services.comment_post(
        author=news.city.alice, article_id=article.pk, body="一次", client_key="k1"
    )
    assert (created, created_again) == (True, False) and first == again


def test_replies_are_one_level_deep(news):
    article = news.published(comment_policy="open")
    top = news.comment(article, body="楼主")
    reply = news.comment(
        article, author=news.bob, nickname="快递小李", body="同意", parent_id=top.pk
    )
    reply_to_reply = news.comment(article, body="谢谢", parent_id=reply.pk)
    assert reply.parent == top and reply_to_reply.parent == top
    assert reply_to_reply.reply_to == reply
    [shown] = selectors.comments_for_reader(article)
    assert [r.body for r in shown.shown_replies] == ["同意", "谢谢"]


def test_three_readers_reports_take_a_comment_back_to_review(news):
    article = news.published(comment_policy="open")
    comment = news.comment(article, body="可疑的内容")
    with pytest.raises(Conflict):
        services.comment_report(by=news.city.alice, comment_id=comment.pk, reason="abuse")
    assert services.comment_report(by=news.bob, comment_id=comment.pk, reason="abuse")
    assert not services.comment_report(by=news.bob, comment_id=comment.pk, reason="abuse")
    services.comment_report(by=news.city.grace, comment_id=comment.pk, reason="false")
    assert visible(article) == [comment.body]
    services.comment_report(by=news.city.kim, comment_id=comment.pk, reason="advert")
    assert visible(article) == []
    assert [c.pk for c in selectors.moderation_queue(news.city.adam, reported_only=True)] == [
        comment.pk
    ]
    services.comment_approve(by=news.city.adam, comment_id=comment.pk)  # kept after review
    assert visible(article) == [comment.body] and not CommentReport.objects.exists()


def test_the_author_deletes_their_own_comment_and_replies_stay(news):
    article = news.published(comment_policy="open")
    top = news.comment(article, body="我的看法")
    news.comment(article, author=news.bob, nickname="快递小李", body="回复", parent_id=top.pk)
    with pytest.raises(NotFound):
        services.comment_delete_own(by=news.bob, comment_id=top.pk)
    services.comment_delete_own(by=news.city.alice, comment_id=top.pk)
    [shown] = selectors.comments_for_reader(article)
    assert shown.status == "deleted" and shown.body == ""
    assert [r.body for r in shown.shown_replies] == ["回复"]


def test_comments_are_erased_with_the_person(news):
    article = news.published(comment_policy="open")
    mine = news.comment(article, body="我的评论")
    services.reader_set(user=news.city.alice, pinyin="all")
    services.article_view(article_id=article.pk, viewer=services.viewer_key(user=news.city.alice))
    exported = personal_data.export_all(news.city.alice)["news"]
    assert exported["comments"][0]["body"] == "我的评论" and exported["pinyin"] == "all"
    personal_data.erase_all(news.city.alice)
    mine.refresh_from_db()
    assert (mine.author, mine.body, mine.nickname, mine.status) == (None, "", "", "erased")
    assert not ReaderProfile.objects.filter(user=news.city.alice).exists()
    assert visible(article) == []


def test_script_and_html_in_a_comment_are_removed(news):
    article = news.published(comment_policy="open")
    comment = news.comment(article, body='<script>alert(1)</script><b onclick="x()">好</b> a < b')
    assert comment.body == "好 a < b"


def test_a_100000_character_comment_is_refused_and_nothing_is_saved(news):
    article = news.published()
    with pytest.raises(Invalid) as refused:
        news.comment(article, body="长" * 100_000)
    assert "500" in str(refused.value.fields["body"][0])
    assert not Comment.objects.exists()


def test_a_comment_on_an_unpublished_article_is_not_found(news):
    draft = news.draft()
    with pytest.raises(NotFound):
        news.comment(draft)
    with pytest.raises(NotFound):
        services.comment_post(author=news.city.alice, article_id=999_999, body="x", nickname="骑手")
    assert not Comment.objects.exists()


def test_only_workers_comment_and_nicknames_cannot_pose_as_officials(news):
    article = news.published()
    with pytest.raises(NotAllowed):
        news.comment(article, author=news.city.dora)
    with pytest.raises(Invalid) as refused:
        news.comment(article, nickname="官方客服")
    assert "nickname" in refused.value.fields
    with pytest.raises(Invalid):
        services.comment_post(author=news.bob, article_id=article.pk, body="没有昵称")


def test_closed_comments_are_refused(news):
    article = news.published(comment_policy="closed")
    with pytest.raises(Conflict):
        news.comment(article)


def test_sensitive_word_list_refuses_a_duplicate(news):
    services.sensitive_word_add(by=news.city.adam, word="赌博", action="block")
    with pytest.raises(Conflict):
        services.sensitive_word_add(by=news.city.adam, word="赌博", action="flag")
    assert SensitiveWord.objects.count() == 1
