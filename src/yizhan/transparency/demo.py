"""The demo city's transparency (deterministic, seeded random): disclosure histories for the
six demo platforms (versions, a stale one, one waiting for review, one returned), three
months of workers' checked orders — enough distinct workers that the index publishes for
some platforms and not for others — the index itself, a scorecard answer, and the logins a
demo of the issue's journey needs:

    13900000016  platform representative of 黄河出行 (ride-hailing)
    13900000017  李大山, ride-hailing driver on 黄河出行, last week above the 25 % cap
    13900000018  transport bureau (交通运输局) officer

Call `seed_transparency()` after the cases' reference data exist (departments, categories).
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from yizhan.accounts.demo import demo_password_hash
from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.core import bulk
from yizhan.core.pii import blind_index
from yizhan.orgs.models import Department, Platform
from yizhan.transparency import selectors, services
from yizhan.transparency.models import (
    CommissionCap,
    Disclosure,
    DisclosureEvent,
    Order,
    ScorecardAnswer,
    ServiceType,
    WorkDay,
)
from yizhan.transparency.money import rate_bp

RIDE_RULES = {
    "pricing_rules": "起步价8元（含3公里），里程费1.80元/公里，时长费0.40元/分钟；夜间（23:00–5:00）里程费上浮20%。",
    "pay_standards": "司机收入 = 乘客实付 − 平台信息服务费；每单在司机端展示乘客实付、抽成金额和比例。",
    "max_continuous_minutes": 240,
    "forced_rest_minutes": 20,
    "max_daily_minutes": 600,
    "max_weekly_minutes": 3600,
    "injury_insurance": "全体注册司机纳入新就业形态就业人员职业伤害保障试点，由平台按单缴费。",
    "appeal_channel": "App“我的—账号申诉”，3个工作日内书面答复；人工客服 400-800-0000。",
}
DELIVERY_RULES = {
    "pricing_rules": "配送费按距离、重量和时段计算，恶劣天气补贴每单1–3元。",
    "pay_standards": "骑手每单收入不低于配送费的80%；跑腿订单另计。",
    "max_continuous_minutes": 240,
    "forced_rest_minutes": 20,
    "max_daily_minutes": 720,
    "injury_insurance": "全职与众包骑手均纳入职业伤害保障。",
    "appeal_channel": "骑手App“申诉中心”，5个工作日内答复。",
}
# code → versions: (days before today it took effect, days published before that, caps, rules)
HISTORIES = {
    "huanghe": [
        (360, 10, {"ride_express": 3000, "ride_premium": 2500, "ride_carpool": 2800}, {}),
        (230, 14, {"ride_express": 2700, "ride_premium": 2200, "ride_carpool": 2600}, RIDE_RULES),
        (85, 15, {"ride_express": 2500, "ride_premium": 2000, "ride_carpool": 2400}, RIDE_RULES),
    ],
    "longshang": [
        (300, 7, {"food_delivery": 2000, "errand": 1800}, DELIVERY_RULES),
        (140, 10, {"food_delivery": 1800, "errand": 1800}, DELIVERY_RULES),
    ],
    "jincheng": [(200, 3, {"food_delivery": 2200}, {"pricing_rules": "按距离阶梯计价。"})],
    "silu": [
        (
            210,
            9,
            {"freight_city": 2000, "freight_intercity": 1500},
            {**RIDE_RULES, "max_weekly_minutes": None},
        ),
    ],
    "feiyan": [
        (
            110,
            8,
            {"parcel": 1500},
            {"appeal_channel": "网点负责人—区域客服—总部申诉，逐级7日内答复。"},
        )
    ],
}
# code → (distinct workers with orders per month, mean commission in bp, spread in bp)
ORDER_PLAN = {
    "huanghe": (40, 2350, 500),
    "longshang": (45, 1650, 300),
    "feiyan": (24, 1350, 250),
    "silu": (12, 1800, 400),  # below k = 20: its index is not published
    "jincheng": (9, 2100, 300),  # below k
}
# The platforms that confirmed their disclosure recently; 金城外卖 and 丝路货运 did not (stale).
CONFIRMED_DAYS_AGO = {"huanghe": 20, "longshang": 40, "feiyan": 60}


def _user(mobile, name, password):
    user = User.objects.filter(mobile_index=blind_index(mobile)).first()
    if user is None:
        user = User.objects.create(
            mobile=mobile, mobile_index=blind_index(mobile), name=name, password=password
        )
    return user


def _logins(platforms, transport, password, district):
    rep = _user("13900000016", "黄河出行平台代表", password)
    RoleAssignment.objects.get_or_create(
        user=rep, role=Role.PLATFORM_REP, platform=platforms["huanghe"]
    )
    officer = _user("13900000018", "交通运输局干部", password)
    RoleAssignment.objects.get_or_create(
        user=officer, role=Role.DEPARTMENT_OFFICER, department=transport
    )
    driver = _user("13900000017", "李大山", password)
    WorkerProfile.objects.get_or_create(
        user=driver,
        defaults={
            "kind": WorkerProfile.Kind.RIDE_HAILING_DRIVER,
            "platform": platforms["huanghe"],
            "home_district": district,
            "consent_version": "2026-11",
            "consent_at": timezone.now(),
        },
    )
    return rep, driver


def _disclosures(platforms, reps, admin, today, now):
    services_by_code = {s.code: s for s in ServiceType.objects.all()}
    city = selectors.conf.city()
    for code, versions in HISTORIES.items():
        platform = platforms[code]
        for number, (ago, ahead, caps, rules) in enumerate(versions, 1):
            effective = today - dt.timedelta(days=ago)
            published = timezone.make_aware(
                dt.datetime.combine(effective - dt.timedelta(days=ahead), dt.time(10))
            )
            filed = published - dt.timedelta(days=2)
            confirmed = published
            if code in CONFIRMED_DAYS_AGO and number == len(versions):
                confirmed = now - dt.timedelta(days=CONFIRMED_DAYS_AGO[code])
            d = Disclosure.objects.create(
                platform=platform,
                version=number,
                state=Disclosure.State.PUBLISHED,
                effective_from=effective,
                filed_by=reps.get(code),
                filed_at=filed,
                decided_by=admin,
                decided_at=published,
                published_at=published,
                confirmed_at=confirmed,
                **{k: v for k, v in rules.items() if v is not None},
            )
            CommissionCap.objects.bulk_create(
                CommissionCap(disclosure=d, service_type=services_by_code[s], city=city, cap_bp=bp)
                for s, bp in caps.items()
            )
            DisclosureEvent.objects.bulk_create(
                [
                    DisclosureEvent(disclosure=d, at=filed, actor=reps.get(code), action="file"),
                    DisclosureEvent(disclosure=d, at=published, actor=admin, action="publish"),
                ]
                + (
                    [
                        DisclosureEvent(
                            disclosure=d, at=confirmed, actor=reps.get(code), action="confirm"
                        )
                    ]
                    if confirmed != published
                    else []
                )
            )
    # Waiting for review: 黄河出行 lowers its express cap again; 同城急送's first filing.
    for code, caps, rules in (
        ("huanghe", {"ride_express": 2200, "ride_premium": 2000, "ride_carpool": 2400}, RIDE_RULES),
        ("tongcheng", {"food_delivery": 1900, "errand": 1600}, DELIVERY_RULES),
    ):
        platform = platforms[code]
        number = (Disclosure.objects.filter(platform=platform).count()) + 1
        d = Disclosure.objects.create(
            platform=platform,
            version=number,
            effective_from=today + dt.timedelta(days=20),
            filed_by=reps.get(code),
            filed_at=now - dt.timedelta(days=1),
            **{k: v for k, v in rules.items() if v is not None},
        )
        CommissionCap.objects.bulk_create(
            CommissionCap(disclosure=d, service_type=services_by_code[s], city=city, cap_bp=bp)
            for s, bp in caps.items()
        )
        DisclosureEvent.objects.create(
            disclosure=d, at=d.filed_at, actor=reps.get(code), action="file"
        )


def _orders(rng, platforms, driver, today, now):
    kinds = {}
    for st in ServiceType.objects.filter(active=True):
        kinds.setdefault(st.platform_kind, []).append(st)
    pool = list(
        WorkerProfile.objects.exclude(user=driver)
        .order_by("id")
        .values_list("user_id", "platform_id")
    )
    first = selectors.month_start(selectors.month_start(today) - dt.timedelta(days=45))
    days = (today - first).days + 1
    orders = []
    serial = 0
    for code, (n, mean, spread) in ORDER_PLAN.items():
        platform = platforms[code]
        own = [u for u, p in pool if p == platform.pk]
        others = [u for u, p in pool if p != platform.pk]
        chosen = (own + rng.sample(others, max(0, n - len(own))))[:n]
        services_ = kinds[platform.kind]
        for user_id in chosen:
            bias = rng.randint(-spread, spread)
            for _i in range(rng.randint(40, 70)):
                day = first + dt.timedelta(days=rng.randrange(days))
                st = services_[0] if rng.random() < 0.7 else rng.choice(services_)
                fare = (
                    rng.randint(800, 6000)
                    if platform.kind != "freight"
                    else rng.randint(8000, 60000)
                )
                rate = max(0, min(9000, mean + bias + rng.randint(-300, 300)))
                payout = fare - fare * rate // 10_000
                serial += 1
                orders.append(
                    Order(
                        worker_id=user_id,
                        platform=platform,
                        service_type=st,
                        order_no=f"D{code[:2].upper()}{serial:07d}",
                        completed_on=day,
                        fare_fen=fare,
                        payout_fen=payout,
                        rate_bp=rate_bp(fare_fen=fare, payout_fen=payout),
                        source=Order.Source.MANUAL,
                        created_at=now,
                    )
                )
    # 李大山's last week: 32 % against the 25 % cap, and his hours.
    monday = selectors.week_start(today) - dt.timedelta(days=7)
    express = ServiceType.objects.get(code="ride_express")
    for i in range(18):
        day = monday + dt.timedelta(days=i % 7)
        fare = 3000 + 250 * (i % 9)
        payout = fare - fare * 32 // 100
        orders.append(
            Order(
                worker=driver,
                platform=platforms["huanghe"],
                service_type=express,
                order_no=f"HH{day:%m%d}{i:03d}",
                completed_on=day,
                fare_fen=fare,
                payout_fen=payout,
                rate_bp=rate_bp(fare_fen=fare, payout_fen=payout),
                driving_minutes=35,
                source=Order.Source.MANUAL,
                created_at=now,
            )
        )
    bulk.insert(orders)  # 7,194 rows: one prepared INSERT
    WorkDay.objects.bulk_create(
        WorkDay(
            worker=driver,
            platform=platforms["huanghe"],
            day=monday + dt.timedelta(days=d),
            online_minutes=[660, 600, 720, 540, 690, 480, 0][d],
            driving_minutes=[420, 380, 470, 350, 430, 300, 0][d],
            source=WorkDay.Source.MANUAL,
            updated_at=now,
        )
        for d in range(7)
    )
    return len(orders)


def seed_transparency(*, rng_seed: int = 16, now=None) -> dict:
    """Idempotent per database: does nothing when disclosures exist already."""
    if Disclosure.objects.exists():
        return {"skipped": True}
    rng = random.Random(rng_seed)
    now = now or timezone.now()
    today = selectors.local_today(now)
    services.routing_defaults_ensure()
    platforms = {p.code: p for p in Platform.objects.all()}
    if not all(code in platforms for code in HISTORIES):
        return {"skipped": True}
    transport = Department.objects.filter(code="transport").first()
    admin = User.objects.filter(role_assignments__role=Role.CITY_ADMIN).order_by("id").first()
    district = WorkerProfile.objects.order_by("id").values_list("home_district", flat=True).first()
    password = demo_password_hash()
    with transaction.atomic():
        rep, driver = _logins(platforms, transport, password, _district(district))
        reps = {"huanghe": rep}
        first_rep = (
            User.objects.filter(
                role_assignments__role=Role.PLATFORM_REP,
                role_assignments__platform=platforms["longshang"],
            )
            .order_by("id")
            .first()
        )
        if first_rep:
            reps["longshang"] = first_rep
        _disclosures(platforms, reps, admin, today, now)
        # 丝路货运 filed a version the city returned.
        silu = platforms["silu"]
        returned = Disclosure.objects.create(
            platform=silu,
            version=2,
            state=Disclosure.State.REJECTED,
            effective_from=today - dt.timedelta(days=30),
            filed_at=now - dt.timedelta(days=45),
            decided_by=admin,
            decided_at=now - dt.timedelta(days=40),
            decision_note="城际货运抽成上限与合作协议不一致，请核实后重新报送。",
        )
        CommissionCap.objects.create(
            disclosure=returned,
            service_type=ServiceType.objects.get(code="freight_intercity"),
            city=selectors.conf.city(),
            cap_bp=2500,
        )
        orders = _orders(rng, platforms, driver, today, now)
        ScorecardAnswer.objects.create(
            platform=platforms["huanghe"],
            principle=ScorecardAnswer.Principle.PAY,
            text="我们已于今年两次下调快车抽成上限，并计划下月起降至22%；司机端每单展示抽成明细。",
            author=rep,
            created_at=now - dt.timedelta(days=3),
        )
    _one_dispute(platforms["huanghe"], now)
    this_month = selectors.month_start(today)
    months = [
        selectors.month_start(
            selectors.month_start(this_month - dt.timedelta(days=1)) - dt.timedelta(days=1)
        )
    ]
    months.append(selectors.month_start(this_month - dt.timedelta(days=1)))
    months.append(this_month)
    for month in months:
        services.index_compute(month=month, now=now)
    return {"orders": orders, "months": len(months)}


def _one_dispute(platform, now):
    """One worker of 黄河出行 whose week went above the cap files it (the dispatcher's list)."""
    workers = (
        Order.objects.filter(platform=platform)
        .exclude(worker__mobile_index=blind_index("13900000017"))
        .values_list("worker_id", flat=True)
        .distinct()
        .order_by("worker_id")
    )
    for user in User.objects.filter(pk__in=list(workers)).order_by("id"):
        for week in selectors.worker_weeks(worker=user, now=now):
            if week.may_dispute and week.platform.pk == platform.pk:
                services.dispute_file(
                    worker=user,
                    platform=platform,
                    service_type=week.service_type,
                    week_start=week.week_start,
                    now=now,
                )
                return


def _district(district_id):
    from yizhan.places.models import District

    return District.objects.get(pk=district_id)
