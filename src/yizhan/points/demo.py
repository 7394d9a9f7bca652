"""Points in the demo city: the city's budget in the pool, the published rules (Fuzhou's
60 a month in hardship, 50/30/20 honours, 50 per public-welfare activity), sponsors and a
catalogue at the demo keeper's station and a few others, wishes, and real awards — made
through the services, so the demo ledger passes `yizhan points verify`."""

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.points import selectors, services
from yizhan.points.demo_photos import product_photo
from yizhan.points.models import HardshipApproval, Sponsor
from yizhan.reports import selectors as report_selectors
from yizhan.stations.models import Station

DEMO_WORKER = "13800000001"
CITY_ADMIN = "13900000001"

RULES = [
    # code, name, source, category, rank, points, daily cap, monthly cap
    ("hazard-report", "随手拍·其他隐患", "report_verified", "", None, 5, 20, 100),
    ("volunteer-hour", "志愿服务（每小时）", "volunteer_hour", "", None, 10, None, 200),
    ("training", "技能培训结业", "training", "", None, 30, None, 90),
    ("event", "驿站活动签到", "event", "", None, 10, 10, 40),
    ("hardship", "困难骑手月度帮扶", "hardship", "", None, 60, None, 60),
    ("honours-1", "骑网先锋·第一名", "honours", "", 1, 50, None, None),
    ("honours-2", "骑网先锋·第二名", "honours", "", 2, 30, None, None),
    ("honours-3", "骑网先锋·第三名", "honours", "", 3, 20, None, None),
    ("welfare", "公益活动", "welfare", "", None, 50, None, 150),
]

# What a verified hazard report earns, by report category: the points rules are the only place
# a report's reward is kept (the "other" category falls to the catch-all hazard-report rule).
REPORT_REWARDS = {
    "bulky-rubbish": 5,
    "exposed-wire": 10,
    "manhole-cover": 10,
    "damaged-road": 5,
    "fire-lane": 8,
    "street-light": 3,
    "waterlogging": 5,
    "street-occupation": 3,
}

CATALOGUE = [
    # name, description, price, stock, sponsor, drawing of its photo (demo_photos)
    ("安全头盔", "3C 认证骑行头盔", 30, 20, "兰州市总工会", "helmet"),
    ("分体雨衣", "加厚反光分体雨衣", 20, 40, "兰州市总工会", "raincoat"),
    ("爱心餐券", "驿站合作餐厅 15 元餐券", 5, 200, "兰州银行", "meal"),
    ("保温水杯", "500 毫升不锈钢保温杯", 15, 30, "兰州银行", "cup"),
    ("防晒袖套", "冰丝防晒袖套一对", 2, 100, "新联心公益基金", "sleeves"),
]


def seed(*, rng: random.Random) -> None:
    """Called at the end of the demo city's build (the city, staff and workers exist)."""
    with transaction.atomic():
        admin = User.objects.get_by_mobile(CITY_ADMIN)
        worker = User.objects.get_by_mobile(DEMO_WORKER)
        keeper_station = RoleAssignment.objects.get(role=Role.STATION_KEEPER).station
        services.pool_issue(points=1_000_000, reason="2026 年度积分奖励预算", by=admin)
        # One rule per hazard category with a reward of its own.
        report_rules = [
            (
                f"report-{c.code}",
                f"随手拍·{c.name}",
                "report_verified",
                c.code,
                None,
                REPORT_REWARDS[c.code],
                60,
                None,
            )
            for c in report_selectors.categories()
            if c.code in REPORT_REWARDS
        ]
        rules = {}
        for code, name, source, category, rank, points, daily, monthly in report_rules + RULES:
            rules[code] = services.rule_create(
                by=admin,
                code=code,
                name=name,
                source=source,
                category=category,
                rank=rank,
                points=points,
                daily_cap=daily,
                monthly_cap=monthly,
                active=True,
            )
        sponsors = {
            name: Sponsor.objects.create(name=name)
            for name in dict.fromkeys(c[4] for c in CATALOGUE)
        }
        union_stations = list(Station.objects.filter(kind="union").order_by("code")[:40])
        items = {}
        for name, description, price, stock, sponsor, drawing in CATALOGUE:
            stations = {keeper_station, *rng.sample(union_stations, 3)}
            items[name] = services.catalog_item_create(
                by=admin,
                name=name,
                description=description,
                price=price,
                stock=stock,
                stations=sorted(stations, key=lambda s: s.code),
                sponsor=sponsors[sponsor],
                photo=SimpleUploadedFile(
                    f"{drawing}.png", product_photo(name, kind=drawing), "image/png"
                ),
            )
        _seed_demo_worker(worker, admin, rules, items, keeper_station)
        _seed_neighbours(worker, admin, rng)


def _seed_demo_worker(worker, admin, rules, items, station) -> None:
    # Awards for the worker's own reports that were verified (the reports were seeded before
    # the rules existed, so the verification earned nothing then): each entry of the history
    # opens the report it was for.
    verified = report_selectors.mine(user=worker).filter(reporter=worker, verified_at__isnull=False)
    for report in verified.order_by("verified_at")[:3]:
        rule = selectors.report_rule(report.category.code)
        if rule is not None:
            services.award(rule=rule, worker=worker, source_type="report", source_id=report.pk)
    services.award(
        rule=rules["volunteer-hour"],
        worker=worker,
        source_type="volunteering",
        source_id=501,
        quantity=3,
    )
    services.award(rule=rules["training"], worker=worker, source_type="training", source_id=77)
    services.award(rule=rules["welfare"], worker=worker, source_type="welfare", source_id=12)
    services.grant(
        worker=worker, points=20, reason="暴雨天坚持为独居老人送餐", by=admin, via="demo"
    )
    HardshipApproval.objects.create(
        worker=worker,
        first_month=timezone.localdate().replace(day=1),
        reason="家中老人重病",
        approved_by=admin,
    )
    services.monthly_hardship_award(month=timezone.localdate())
    done = services.redemption_create(
        worker=worker, item_id=items["爱心餐券"].pk, station_id=station.pk
    )
    keeper = RoleAssignment.objects.get(role=Role.STATION_KEEPER, station=station).user
    services.redemption_fulfil(keeper=keeper, code=done.code)
    services.redemption_create(worker=worker, item_id=items["分体雨衣"].pk, station_id=station.pk)
    wishes = [
        ("冬季防寒手套", "骑车时手冻得厉害", None),
        ("儿童书包", "孩子九月上小学", "catalogue"),
        ("电动车电池", "电池不耐用了", "decline"),
    ]
    for title, details, decision in wishes:
        wish = services.wish_submit(worker=worker, title=title, details=details)
        if decision == "catalogue":
            services.wish_catalogue(
                by=admin,
                wish_id=wish.pk,
                name="儿童护脊书包",
                price=40,
                stock=10,
                stations=[station],
                sponsor=items["防晒袖套"].sponsor,
            )
        elif decision == "decline":
            services.wish_decline(
                by=admin, wish_id=wish.pk, reason="价值较高，建议向工会申请困难帮扶"
            )


def _seed_neighbours(worker, admin, rng) -> None:
    """Some points for other workers of the demo worker's district, for the leaderboard:
    manual awards with their reason (no invented report numbers: an award for a report
    is only ever for a real, verified one)."""
    district = worker.worker.home_district
    neighbours = list(
        WorkerProfile.objects.filter(home_district=district)
        .exclude(user=worker)
        .select_related("user")
        .order_by("pk")[:30]
    )
    reasons = ["雨雪天坚守配送", "协助社区开展安全宣传", "拾金不昧", "参与驿站志愿值守"]
    for profile in neighbours:
        for _ in range(rng.randint(1, 4)):
            services.grant(
                worker=profile.user,
                points=rng.choice([5, 10, 20]),
                reason=rng.choice(reasons),
                by=admin,
                via="demo",
            )
