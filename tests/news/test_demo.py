"""The demo city's news: believable articles, a notice typed with inline pinyin that the
reading aid cleans, comments in every state, a district officer who can log in."""

import pytest

from yizhan.news import reading, selectors
from yizhan.news.demo import seed_news
from yizhan.news.models import Article, Comment

pytestmark = pytest.mark.django_db


def test_the_demo_news_is_seeded_through_the_services(city):
    city.adam.mobile = "13900000001"
    counts = seed_news(rng_seed=19)
    assert counts["articles"] == 7
    assert set(Article.objects.values_list("status", flat=True)) == {
        "published",
        "scheduled",
        "in_review",
    }
    annotated = Article.objects.get(title__startswith="关于积分兑换")
    html = str(selectors.article_html(annotated, pinyin="all"))
    assert "(xīn)" not in html and "(duìhuàn)" not in html
    assert html.count('兑<rp>(</rp><rt aria-hidden="true">duì</rt>') == html.count("兑") == 4
    assert (
        reading.inline(annotated.title)
        == "关于(guānyú)积分(jīfēn)兑换(duìhuàn)规则(guīzé)调整(tiáozhěng)的(de)通知(tōngzhī)"
    )
    assert Comment.objects.filter(status="published").exists()
    assert list(selectors.article_list())[0].pinned
    # Indexed at the first search, not while loading; then found by words and by pinyin.
    assert set(Article.objects.values_list("search_text", flat=True)) == {""}
    assert [a.title for a in selectors.article_list(query="抽成比例")] == [
        "平台规则公示：抽成比例与工作时长"
    ]
    assert [a.title for a in selectors.article_list(query="pxrl")] == ["十二月技能培训日历"]
    assert "" not in set(Article.objects.values_list("search_text", flat=True))
