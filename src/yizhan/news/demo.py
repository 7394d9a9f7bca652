"""News in the demo city: the explainers and notices a rider needs (how to report a hazard,
new stations, the training calendar, platform rules), a district notice typed with inline
pinyin (the reading aid cleans it), one scheduled and one waiting for review, the city's
sensitive words, and comments in every state — made through the services.

    from yizhan.news.demo import seed_news
    seed_news(rng_seed=19)

Adds a district officer for 城关区 (13900000019) who writes and moderates for the district.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from yizhan.accounts.demo import demo_password_hash
from yizhan.accounts.models import Role, RoleAssignment, User
from yizhan.core.pii import blind_index
from yizhan.news import search, services
from yizhan.news.defaults import ensure
from yizhan.news.models import Article, Category, Comment
from yizhan.places.models import District

CITY_ADMIN = "13900000001"
DISTRICT_OFFICER = "13900000019"

HAZARD = """遇到井盖缺失、电线裸露、大件垃圾堵路，骑手朋友可以用“随手拍”告诉社区，三步就能完成：

1. **拍照**：在首页点“随手拍”，对准隐患拍一张清楚的照片。
2. **定位**：确认地图上的位置，必要时拖动到准确的地点。
3. **提交**：选择隐患类别，写一句话说明情况。

社区网格员会在规定时限内处理，处理结果会通知你。核实后的有效举报可以获得**积分**，积分能在驿站兑换头盔、雨衣等物品。

> 注意安全：请在停车后拍照，不要边骑车边操作手机。"""

STATIONS = """为方便骑手就近休息，本月七里河区、安宁区新增 6 座骑手驿站，均提供饮用水、微波炉和手机充电，其中 3 座 24 小时开放：

| 驿站 | 位置 | 开放时间 |
| --- | --- | --- |
| 西站工会驿站 | 七里河区西站街道 | 24 小时 |
| 十里店爱心驿站 | 安宁区十里店街道 | 8:00–22:00 |
| 龚家湾小蜜蜂驿站 | 七里河区龚家湾 | 24 小时 |

打开“找驿站”即可查看离你最近、正在开放的驿站。"""

TRAINING = """## 十二月技能培训安排

- **12 月 3 日**：电动车安全驾驶与交通法规（城关区张掖路驿站）
- **12 月 10 日**：急救知识与心肺复苏（安宁区十里店驿站）
- **12 月 17 日**：劳动权益与法律援助（七里河区西站驿站）

每期 40 人，结业可获得培训积分。报名请在“培训活动”中选择场次。"""

RULES = """根据平台规则公示要求，各平台应公开**抽成比例**和骑手**工作时长**相关规则：

- 网约车平台抽成比例上限一般为 18%–30%，以平台公示为准；
- 平台调整计价规则应提前公示并听取骑手意见；
- 对平台规则有疑问，可通过“诉求”反映，相关部门将在规定时限内答复。"""

# Typed by a district officer with pinyin after words, some doubled or half a word: the
# reading aid cleans these before it annotates, so nothing is ever shown twice.
ANNOTATED = """新(xīn)(xīn)的积分兑换(duìhuàn)(duìhuàn)规则从下月起施行。每个(gè)(gè)快递员(yuán)和外卖骑手都可以在驿站兑换生活用品。

兑换时请出示兑换码，由站长(zhǎng)核对后发放。"""

WORDS = [("赌博", "block"), ("代开发票", "block"), ("加微信", "flag"), ("私聊", "flag")]

COMMENTS = [
    "驿站的热水和充电太方便了，谢谢！",
    "希望安宁区再多建几个24小时的驿站。",
    "随手拍上报的井盖第二天就修好了，点赞。",
    "培训能不能安排在晚上？白天要跑单。",
    "拼音功能对我老家来的同事很有用。",
    "兑换头盔的流程很清楚，已经领到了。",
]
NICKNAMES = ["黄河边的骑手", "七里河小马", "安宁快递员", "拉面配送员", "皋兰老王", "夜班骑士"]


def _district_officer(district: District) -> User:
    user = User.objects.filter(mobile_index=blind_index(DISTRICT_OFFICER)).first()
    if user is None:
        user = User.objects.create(
            mobile=DISTRICT_OFFICER,
            mobile_index=blind_index(DISTRICT_OFFICER),
            name="城关区资讯员",
            password=demo_password_hash(),
        )
        RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICER, district=district)
    return user


def _publish(by, *, days_ago: float, **fields) -> Article:
    article = services.article_create(by=by, **fields)
    services.article_submit(by=by, article_id=article.pk)
    article = services.article_publish(by=by, article_id=article.pk)
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return article


def seed_news(*, rng_seed: int = 19) -> dict:
    """The articles are indexed for search at the first search, not here (news.search
    `deferred`): the loader does not build the word segmenter it never uses."""
    with search.deferred():
        return _seed_news(rng_seed=rng_seed)


@transaction.atomic
def _seed_news(*, rng_seed: int) -> dict:
    rng = random.Random(rng_seed)
    ensure(Category)
    admin = User.objects.get(mobile_index=blind_index(CITY_ADMIN))
    chengguan = District.objects.filter(code="620102").first() or District.objects.first()
    officer = _district_officer(chengguan)
    for word, action in WORDS:
        services.sensitive_word_add(by=admin, word=word, action=action)

    hazard = _publish(
        admin,
        days_ago=20,
        title="遇到安全隐患怎么报？三步用好“随手拍”",
        category="guide",
        summary="拍照、定位、提交，社区限时处理，核实后还能得积分。",
        body=HAZARD,
    )
    services.article_pin(by=admin, article_id=hazard.pk, pinned=True)
    stations = _publish(
        admin,
        days_ago=6,
        title="七里河区、安宁区新增6座骑手驿站",
        category="news",
        body=STATIONS,
        comment_policy="open",
    )
    training = _publish(
        admin, days_ago=3, title="十二月技能培训日历", category="notice", body=TRAINING
    )
    rules = _publish(
        admin,
        days_ago=10,
        title="平台规则公示：抽成比例与工作时长",
        category="policy",
        body=RULES,
    )
    annotated = _publish(
        officer,
        days_ago=1,
        title="关于积分兑换(duìhuàn)规则调整的通知",
        category="notice",
        district_id=chengguan.pk,
        body=ANNOTATED,
    )
    scheduled = services.article_create(
        by=admin,
        title="春节期间驿站开放安排",
        category="notice",
        body="春节期间全市驿站照常开放，具体时间以各驿站公示为准。",
        publish_at=timezone.now() + dt.timedelta(days=7),
    )
    services.article_submit(by=admin, article_id=scheduled.pk)
    services.article_publish(by=admin, article_id=scheduled.pk)
    waiting = services.article_create(
        by=officer,
        title="城关区骑手座谈会征集议题",
        category="news",
        district_id=chengguan.pk,
        body="欢迎骑手朋友通过评论或“诉求”提出希望在座谈会上讨论的问题。",
    )
    services.article_submit(by=officer, article_id=waiting.pk)

    workers = list(
        User.objects.filter(worker__isnull=False, worker__erased_at=None).order_by("id")[:40]
    )
    writers = rng.sample(workers, k=min(len(NICKNAMES), len(workers)))
    articles = [hazard, stations, training, rules, annotated]
    made = []
    for index, (user, nickname) in enumerate(zip(writers, NICKNAMES, strict=False)):
        article = articles[index % len(articles)]
        comment = Comment.objects.create(
            article=article,
            author=user,
            nickname=nickname,
            body=COMMENTS[index],
            status=Comment.Status.PENDING,
        )
        services.reader_set(user=user, nickname=nickname)
        made.append(comment)
    for comment in made[:4]:
        services.comment_approve(by=admin, comment_id=comment.pk)
    if len(made) > 5:
        services.comment_reject(by=admin, comment_id=made[5].pk, reason="与本文主题无关")
    if len(made) > 1 and len(writers) > 1:
        Comment.objects.create(
            article=made[0].article,
            author=writers[1],
            nickname=NICKNAMES[1],
            body="同感，晚上跑单也能在驿站歇歇脚。",
            parent=made[0],
            reply_to=made[0],
            status=Comment.Status.PUBLISHED,
        )
    for article in articles:
        Article.objects.filter(pk=article.pk).update(view_count=rng.randint(80, 1600))
    return {"articles": Article.objects.count(), "comments": Comment.objects.count()}
