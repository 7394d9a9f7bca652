"""The test city plus news people: a district officer (doris) for 城关区, another district
with its own officer (owen), a second worker (bob), and helpers that bring an article to a
state through the real steps."""

import pytest
from django.utils import timezone
from shapely.geometry import box

from tests.conftest import make_user
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.news import services
from yizhan.news.defaults import ensure
from yizhan.news.models import Category
from yizhan.places import services as places
from yizhan.places.geometry import to_geojson

BODY = "## 怎么报告隐患\n\n看到**井盖缺失**，打开随手拍，拍照并选择位置。\n\n- 拍清楚\n- 写明地点"


class News:
    def __init__(self, city):
        ensure(Category)
        self.city = city
        self.doris = make_user(
            "13900000021",
            "城关区干部",
            role=Role.DISTRICT_OFFICER,
            scope_field="district",
            scope=city.district,
        )
        self.other_district = places.district_create(
            code="620103", name="七里河区", boundary=to_geojson(box(103.70, 36.00, 103.80, 36.10))
        )
        self.owen = make_user(
            "13900000022",
            "七里河区干部",
            role=Role.DISTRICT_OFFICER,
            scope_field="district",
            scope=self.other_district,
        )
        self.bob = make_user("13800000002", "李四")
        WorkerProfile.objects.create(
            user=self.bob,
            kind=WorkerProfile.Kind.COURIER,
            home_district=city.district,
            consent_version="2026-11",
            consent_at=timezone.now(),
        )

    def draft(self, *, by=None, title="如何报告安全隐患", category="guide", body=BODY, **extra):
        return services.article_create(
            by=by or self.city.adam, title=title, category=category, body=body, **extra
        )

    def published(self, *, by=None, **extra):
        by = by or self.city.adam
        article = self.draft(by=by, **extra)
        services.article_submit(by=by, article_id=article.pk)
        return services.article_publish(by=by, article_id=article.pk)

    def comment(self, article, *, author=None, body="驿站的热水很方便，谢谢！", **extra):
        author = author or self.city.alice
        extra.setdefault("nickname", "兰州骑手")
        comment, _created = services.comment_post(
            author=author, article_id=article.pk, body=body, **extra
        )
        return comment


@pytest.fixture
def news(city):
    return News(city)
