"""Reference data (time-limit types, categories, hotline sources) and the demo's cases."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from yizhan.cases.deadlines import accept_working_days, due_after, return_working_days
from yizhan.cases.models import (
    Case,
    CaseEvent,
    Category,
    HotlineSource,
    TimeLimitType,
    visibility_of,
)
from yizhan.core import bulk
from yizhan.orgs.models import Department

LIMIT_TYPES = [  # code, name, working days (12345 practice; editable in the back office)
    ("urgent", "紧急", 0),
    ("enquiry", "咨询", 3),
    ("help", "求助", 3),
    ("complaint", "投诉", 13),
    ("suggestion", "建议", 13),
]
DEPARTMENTS = [
    ("hrss", "人力资源和社会保障局"),
    ("transport", "交通运输局"),
    ("market", "市场监督管理局"),
    ("union", "市总工会"),
    ("justice", "司法局（法律援助中心）"),
    ("social", "市委社会工作部"),
    ("traffic", "公安局交通警察支队"),
]
CATEGORIES = [  # code, name, department, limit type, labour dispute
    ("wage_arrears", "欠薪", "hrss", "complaint", True),
    ("commission", "抽成或费用争议", "market", "complaint", False),
    ("social_insurance", "社会保险", "hrss", "enquiry", False),
    ("account_ban", "封号或罚款", "market", "complaint", True),
    ("access", "交通、停车与小区通行", "traffic", "help", False),
    ("station_facilities", "驿站设施", "union", "help", False),
    ("training", "培训需求", "hrss", "suggestion", False),
    ("legal_aid", "法律援助", "justice", "help", True),
    ("other", "其他", "social", "enquiry", False),
]
NAMES_EN = {  # the English names of the categories and time-limit types above
    "wage_arrears": "Wage arrears",
    "commission": "Commission or fee dispute",
    "social_insurance": "Social insurance",
    "account_ban": "Account ban or fine",
    "access": "Traffic, parking and estate access",
    "station_facilities": "Station facilities",
    "training": "Training needs",
    "legal_aid": "Legal aid",
    "other": "Other",
}
LIMIT_NAMES_EN = {
    "urgent": "Urgent",
    "enquiry": "Enquiry",
    "help": "Request for help",
    "complaint": "Complaint",
    "suggestion": "Suggestion",
}
SOURCES = [("12345", "12345政务服务便民热线"), ("12328", "12328交通运输服务监督电话")]


def fill_english_names(Category, TimeLimitType) -> None:
    """English names for the reference rows that have none (also the data migration's)."""
    for model, names in ((Category, NAMES_EN), (TimeLimitType, LIMIT_NAMES_EN)):
        for code, name_en in names.items():
            model.objects.filter(code=code, name_en="").update(name_en=name_en)


def seed_reference_data() -> None:
    """Idempotent: creates what is missing, never overwrites what an administrator edited."""
    limits = {
        code: TimeLimitType.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": LIMIT_NAMES_EN[code], "working_days": days},
        )[0]
        for code, name, days in LIMIT_TYPES
    }
    departments = {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in DEPARTMENTS
    }
    for position, (code, name, dept, limit, labour) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": NAMES_EN[code],
                "default_department": departments[dept],
                "limit_type": limits[limit],
                "is_labour_dispute": labour,
                "position": position,
            },
        )
    fill_english_names(Category, TimeLimitType)
    for code, name in SOURCES:
        HotlineSource.objects.get_or_create(code=code, defaults={"name": name})


DESCRIPTIONS = {
    "wage_arrears": "站点拖欠我{n}月份工资共{m}元，多次催要未果。",
    "commission": "平台本月抽成比例明显高于公布的{n}%，请核查。",
    "social_insurance": "想咨询灵活就业人员如何缴纳职工养老保险，已缴{n}个月。",
    "account_ban": "账号被无故封禁{n}天，申诉无人处理，影响收入约{m}元。",
    "access": "某小区物业不让外卖电动车进入，每次要走{n}百米。",
    "station_facilities": "驿站的微波炉坏了{n}天，饮水机也没水。",
    "training": "希望开设电工技能培训，已有{n}名骑手报名意向。",
    "legal_aid": "与配送公司发生劳动纠纷，需要法律援助，涉及{m}元。",
    "other": "希望在城关区增加{n}个电动车充电点。",
}


def seed_demo_cases(*, n: int = 300, seed: int = 5, now=None) -> int:
    """A few hundred cases in every state, some overdue, in bulk (it must stay fast)."""
    from yizhan.accounts.models import WorkerProfile

    seed_reference_data()
    rng = random.Random(seed)
    now = now or timezone.now()
    categories = list(Category.objects.select_related("limit_type", "default_department"))
    workers = list(
        WorkerProfile.objects.order_by("id").values_list(
            "user_id", "platform_id", "home_district_id"
        )[:400]
    )
    if not workers:
        return 0
    source = HotlineSource.objects.get(code="12345")
    states = [
        (Case.State.SUBMITTED, 12),
        (Case.State.ACCEPTED, 6),
        (Case.State.DISPATCHED, 10),
        (Case.State.SIGNED, 8),
        (Case.State.HANDLING, 14),
        (Case.State.REPLIED, 8),
        (Case.State.CLOSED, 42),
    ]
    cases = []
    for i in range(n):
        state = rng.choices([s for s, _ in states], weights=[w for _, w in states])[0]
        category = rng.choice(categories)
        user_id, platform_id, district_id = rng.choice(workers)
        created = now - dt.timedelta(hours=rng.randint(1, 24 * 75))
        channel = rng.choices(
            [Case.Channel.APP, Case.Channel.HOTLINE_12345, Case.Channel.WALK_IN],
            weights=[6, 3, 1],
        )[0]
        case = Case(
            channel=channel,
            source=source if channel == Case.Channel.HOTLINE_12345 else None,
            source_order_no=f"LZ{created:%Y%m%d}{i:05d}"
            if channel == Case.Channel.HOTLINE_12345
            else "",
            worker_id=user_id,
            platform_id=platform_id,
            district_id=district_id,
            withhold_identity=rng.random() < 0.3,
            category=category,
            limit_type=category.limit_type,
            description=DESCRIPTIONS[category.code].format(
                n=rng.randint(2, 12), m=rng.randint(8, 90) * 100
            ),
            state=state,
            created_at=created,
            accept_due_at=due_after(created, accept_working_days()),
        )
        if state != Case.State.SUBMITTED:
            case.accepted_at = created + dt.timedelta(hours=rng.randint(1, 8))
            case.due_at = due_after(case.accepted_at, category.limit_type.working_days)
        if state not in (Case.State.SUBMITTED, Case.State.ACCEPTED):
            case.department = category.default_department
            case.dispatched_at = case.accepted_at + dt.timedelta(hours=1)
            case.return_due_at = due_after(case.dispatched_at, return_working_days())
        if state in (Case.State.SIGNED, Case.State.HANDLING, Case.State.REPLIED, Case.State.CLOSED):
            case.signed_at = case.dispatched_at + dt.timedelta(hours=rng.randint(1, 20))
        if state in (Case.State.REPLIED, Case.State.CLOSED):
            late = rng.random() < 0.15
            case.replied_at = min(
                now,
                (case.due_at + dt.timedelta(days=2))
                if late
                else case.signed_at + dt.timedelta(days=rng.randint(1, 8)),
            )
            case.reply = "已核实并协调处理，详见电话沟通记录。"
            case.on_time = case.replied_at <= case.due_at
            case.handling_seconds = int((case.replied_at - case.accepted_at).total_seconds())
        if state == Case.State.CLOSED:
            case.rating = rng.choices(
                ["satisfied", "basically", "dissatisfied"], weights=[70, 20, 10]
            )[0]
            case.closed_at = case.replied_at + dt.timedelta(hours=5)
        case.deadline_at = case.current_due_at
        cases.append(case)
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=500)
        saved = list(Case.objects.order_by("-id")[: len(cases)])[::-1]
        events = []
        for case in saved:
            events.append(
                CaseEvent(
                    case=case,
                    at=case.created_at,
                    actor_id=case.worker_id if case.channel == "app" else None,
                    action="submit",
                    to_state="submitted",
                    visibility=visibility_of("submit"),
                )
            )
            steps = [
                ("accept", case.accepted_at, "submitted", "accepted"),
                ("dispatch", case.dispatched_at, "accepted", "dispatched"),
                ("sign_for", case.signed_at, "dispatched", "signed"),
                ("reply", case.replied_at, "signed", "replied"),
                ("follow_up", case.closed_at, "replied", "closed"),
            ]
            for action, at, old, new in steps:
                if at:
                    events.append(
                        CaseEvent(
                            case=case,
                            at=at,
                            action=action,
                            from_state=old,
                            to_state=new,
                            department=case.department if action != "accept" else None,
                            note=case.reply if action == "reply" else "",
                            visibility=visibility_of(action),
                        )
                    )
        bulk.insert(events)
    return len(cases)
