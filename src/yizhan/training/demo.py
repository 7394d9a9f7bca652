"""Training and events in the demo city: first aid at the demo keeper's station (with a
waiting list), a platform's e-bike safety course with a quiz, an online traffic-rules
course, a monthly birthday party (暖心生日会) at a little-bee station, symposia at a regional
centre (a past one whose demands became cases, and one coming up), a past electrician
course the demo worker completed (certificate and points), and course wishes.

Made through the services, with `now` moved back for what lies in the past, so every row
obeys the same rules as in real use. Deterministic: fixed seed, ordered queries.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.stations.models import Station
from yizhan.training import services, tokens
from yizhan.training.models import Activity
from yizhan.training.services import ActivityData

DEMO_WORKER = "13800000001"


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localtime() + dt.timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _data(kind, title, start, hours, capacity, **kw) -> ActivityData:
    return ActivityData(
        kind=kind,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
        **kw,
    )


def _sign_up(activity, people, *, now=None):
    """Everyone in `people` the activity is open to, in order (the others are left out)."""
    services.signup_many(workers=people, activity_id=activity.pk, now=now)


def seed_training(*, rng_seed: int = 15) -> dict:
    """Called at the end of the demo city's build (people, stations, cases and points exist)."""
    if Activity.objects.exists():
        return {"activities": Activity.objects.count()}
    rng = random.Random(rng_seed)
    by_mobile = {
        m: User.objects.get_by_mobile(m) for m in ("13900000004", "13900000006", "13900000007")
    }
    officer, rep, coordinator = (
        by_mobile["13900000004"],
        by_mobile["13900000006"],
        by_mobile["13900000007"],
    )
    keeper_role = RoleAssignment.objects.select_related("user", "station").get(
        role=Role.STATION_KEEPER
    )
    keeper, station = keeper_role.user, keeper_role.station
    demo = User.objects.get_by_mobile(DEMO_WORKER)
    profiles = list(  # not their encrypted fields: 1,200 decryptions nothing here reads
        WorkerProfile.objects.select_related("user")
        .defer("id_number", "user__mobile", "user__name")
        .order_by("id")[:400]
    )
    people = [p.user for p in profiles if p.user_id != demo.pk]
    rng.shuffle(people)
    centre = Station.objects.filter(kind="regional").order_by("code").first()
    bee = Station.objects.filter(kind="little_bee").order_by("code").first()
    union = Station.objects.filter(kind="union").exclude(pk=station.pk).order_by("code").first()
    rep_platform = rep.role_assignments.get(role=Role.PLATFORM_REP).platform
    made = []
    with transaction.atomic():
        # First aid at the keeper's station: nearly full, certificate, stay 80 % of the time.
        first_aid = services.activity_create(
            organiser=keeper,
            data=_data(
                "course",
                "应急救护培训（初级）",
                _at(3, 14),
                3,
                24,
                topic="first_aid",
                station_id=station.pk,
                certificate=True,
                min_attendance_percent=80,
                description="心肺复苏、止血包扎、AED 使用，红十字会讲师授课。",
            ),
        )
        _sign_up(first_aid, [demo, *people[:20]])
        # A small hands-on session: full, with a waiting list.
        small = services.activity_create(
            organiser=keeper,
            data=_data(
                "course", "AED 实操小班", _at(4, 10), 2, 6, topic="first_aid", station_id=station.pk
            ),
        )
        _sign_up(small, people[20:26] + [demo] + people[26:28])
        # The platform's e-bike safety course, for its own riders, with a quiz.
        ebike = services.activity_create(
            organiser=rep,
            data=_data(
                "course",
                "电动车安全骑行与电池充电",
                _at(5, 15),
                2,
                60,
                topic="ebike_safety",
                station_id=union.pk if union else station.pk,
                audience="platform",
                audience_platform_id=rep_platform.pk,
                certificate=True,
                quiz=[
                    {
                        "text": "电动车电池应在哪里充电？",
                        "choices": ["楼道内", "集中充电桩", "电梯里"],
                        "answer": 1,
                    },
                    {"text": "骑行时应佩戴？", "choices": ["安全头盔", "耳机"], "answer": 0},
                ],
                quiz_pass_percent=100,
            ),
        )
        _sign_up(ebike, people[28:60])
        # Traffic rules online, by the department.
        online = services.activity_create(
            organiser=officer,
            data=_data(
                "course",
                "交通法规与文明骑行（线上）",
                _at(6, 20),
                1,
                200,
                topic="traffic_rules",
                online=True,
                online_url="https://meeting.example.cn/yizhan-traffic",
            ),
        )
        _sign_up(online, people[60:90])
        # The monthly birthday party at a little-bee station, walk-ins welcome.
        party = services.activity_create(
            organiser=coordinator,
            data=_data(
                "party",
                "暖心生日会",
                _at(7, 18, 30),
                2,
                40,
                station_id=(bee or station).pk,
                repeat=3,
                every="monthly",
                walk_ins=True,
                description="本月生日的骑手小哥一起吹蜡烛、吃蛋糕。",
            ),
        )
        _sign_up(party, [demo, *people[90:110]])
        # A symposium coming up at the regional centre, for invited workers.
        invited = [demo, *people[110:125]]
        upcoming = services.activity_create(
            organiser=coordinator,
            data=_data(
                "symposium",
                "新就业群体座谈会（十二月）",
                _at(10, 15),
                2,
                30,
                station_id=(centre or station).pk,
                audience="invited",
                invite_worker_ids=[p.pk for p in invited],
            ),
        )
        _sign_up(upcoming, invited[:8])
        made += [first_aid, small, ebike, online, party, upcoming]
    made += _seed_the_past(coordinator, keeper, station, centre, demo, people, rng)
    for person, topic, note in [
        (people[130], "electrician", "想考低压电工证"),
        (people[131], "electrician", ""),
        (people[132], "digital", "想学短视频和直播带货"),
        (people[133], "labour_rights", "想了解劳动合同和工伤认定"),
        (people[134], "electrician", "家电维修也想学"),
    ]:
        services.wish_create(worker=person, topic=topic, note=note)
    return {"activities": Activity.objects.count()}


def _seed_the_past(coordinator, keeper, station, centre, demo, people, rng) -> list:
    """What happened already: a completed electrician course and a symposium with demands."""
    start = _at(-14, 9)
    before = start - dt.timedelta(days=5)
    with transaction.atomic():
        course = services.activity_create(
            organiser=keeper,
            data=_data(
                "course",
                "电工技能培训（低压电工）",
                start,
                3,
                30,
                topic="electrician",
                station_id=station.pk,
                certificate=True,
            ),
            now=before,
        )
        attendees = [demo, *people[140:160]]
        _sign_up(course, attendees, now=before + dt.timedelta(hours=1))
        session = course.sessions.get()
        for n, person in enumerate(attendees):
            if n and rng.random() < 0.2:
                continue  # some did not come
            services.check_in_by_code(
                organiser=keeper,
                session_id=session.pk,
                code=tokens.personal_code(person.pk),
                now=session.starts_at + dt.timedelta(minutes=rng.randint(-20, 10)),
            )
        held = _at(-10, 15)
        symposium = services.activity_create(
            organiser=coordinator,
            data=_data(
                "symposium",
                "新就业群体座谈会（十一月）",
                held,
                2,
                30,
                station_id=(centre or station).pk,
                audience="invited",
                invite_worker_ids=[demo.pk, *[p.pk for p in people[160:170]]],
            ),
            now=held - dt.timedelta(days=7),
        )
        _sign_up(symposium, [demo, *people[160:170]], now=held - dt.timedelta(days=6))
        for person in [demo, *people[160:166]]:
            services.check_in_by_code(
                organiser=coordinator,
                session_id=symposium.sessions.get().pk,
                code=tokens.personal_code(person.pk),
                now=held + dt.timedelta(minutes=5),
            )
        categories = {c.code: c.pk for c in services.cases_categories()}
        for worker, code, text in [
            (demo, "access", "不少小区不让外卖电动车进入，送餐只能步行很远，希望统一通行规则。"),
            (people[160], "commission", "平台抽成规则调整没有提前公示，希望公开计算方式。"),
            (None, "station_facilities", "希望城关区再增设几处带充电柜的驿站。"),
        ]:
            if code in categories:
                services.demand_record(
                    actor=coordinator,
                    activity_id=symposium.pk,
                    category_id=categories[code],
                    description=text,
                    worker_id=worker.pk if worker else None,
                )
    return [course, symposium]
