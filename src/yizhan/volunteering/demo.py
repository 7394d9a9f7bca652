"""Volunteer services in the demo city: three teams (a ride-hailing fleet under a
co-building agreement, a 小蜜蜂 team, the 新联心+N corps), volunteers with credentials and
weekly windows, beneficiaries with consent, and tomorrow's requests — one-off hospital rides,
a standing dialysis ride (every other day at 07:30 for 30 days), an exam-escort campaign
and a canteen's meal round — planned with OR-Tools and published; the demo worker
(13800000001) is a volunteer with an accepted trip and hours already served.

`seed_volunteering(rng_seed=20261129, volunteers=40, rides=24)`: deterministic; made through
the services wherever a service exists, so the demo obeys the app's own rules.
"""

import datetime as dt
import random

import shapely
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.core.geo import haversine_m
from yizhan.core.pii import blind_index
from yizhan.places.models import Community, District
from yizhan.places.selectors import community_at
from yizhan.volunteering import scenario, services
from yizhan.volunteering.models import Request, Trip

COORDINATOR = "13900000007"
DEMO_WORKER = "13800000001"
URBAN = ("620102", "620103", "620105")  # 城关, 七里河, 安宁
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = [
    "秀英",
    "桂兰",
    "建国",
    "玉珍",
    "志强",
    "淑芬",
    "德明",
    "凤英",
    "永福",
    "金花",
    "文华",
    "春梅",
]
STUDENTS = ["子涵", "欣怡", "浩然", "雨桐", "梓轩", "思远", "佳怡", "宇航"]


def _coordinator() -> User:
    user = User.objects.filter(mobile_index=blind_index(COORDINATOR)).first()
    if user is None:
        user = User.objects.create_user(COORDINATOR, None, name="志愿协调员小周")
        user.password = make_password("demo")
        user.save()
    if not RoleAssignment.objects.filter(user=user, role=Role.VOLUNTEER_COORDINATOR).exists():
        RoleAssignment.objects.create(user=user, role=Role.VOLUNTEER_COORDINATOR)
    return user


class _Places:
    """Random points inside the city's (urban) communities, so every address is in the city."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        urban = list(
            Community.objects.filter(subdistrict__district__code__in=URBAN).order_by("code")
        )
        self.communities = urban or list(Community.objects.order_by("code"))
        self.shapes = [shape(c.boundary) for c in self.communities]

    def point(self) -> tuple[float, float]:
        polygon = self.rng.choice(self.shapes)
        min_x, min_y, max_x, max_y = polygon.bounds
        while True:
            p = shapely.Point(self.rng.uniform(min_x, max_x), self.rng.uniform(min_y, max_y))
            if polygon.contains(p):
                return round(p.y, 6), round(p.x, 6)

    def near(self, lat: float, lng: float, km: float = 8.0) -> tuple[float, float]:
        """A random point within `km` (straight line) of a place: people use nearby services."""
        for _try in range(400):
            p = self.point()
            if haversine_m(lat, lng, p[0], p[1]) <= km * 1000:
                return p
        return self.point()

    def real_or_random(self, lat: float, lng: float) -> tuple[float, float]:
        """A real institution's position when it lies in this city's map, else a stand-in."""
        return (lat, lng) if community_at(lat=lat, lng=lng) is not None else self.point()


def _mobile(rng: random.Random, used: set) -> str:
    while True:
        m = f"13{rng.choice('5678')}{rng.randint(0, 99_999_999):08d}"
        if m not in used:
            used.add(m)
            return m


def _workers(n: int, rng: random.Random) -> list[User]:
    """The demo worker first, then registered workers (ride-hailing drivers first); demo
    volunteers 1390001xxxx are added when the city has too few workers."""
    chosen = list(User.objects.filter(mobile_index=blind_index(DEMO_WORKER), worker__isnull=False))
    profiles = WorkerProfile.objects.filter(erased_at=None).exclude(user__in=chosen)
    drivers = list(profiles.filter(kind=WorkerProfile.Kind.RIDE_HAILING_DRIVER).order_by("id")[:n])
    others = list(profiles.exclude(kind=WorkerProfile.Kind.RIDE_HAILING_DRIVER).order_by("id")[:n])
    for p in drivers + others:
        if len(chosen) >= n:
            break
        chosen.append(p.user)
    district = District.objects.order_by("code").first()
    serial = 0
    while len(chosen) < n:
        serial += 1
        mobile = f"1390001{serial:04d}"
        if User.objects.filter(mobile_index=blind_index(mobile)).exists():
            continue
        user = User.objects.create(
            mobile=mobile,
            mobile_index=blind_index(mobile),
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            password=make_password("demo"),
        )
        WorkerProfile.objects.create(
            user=user,
            kind=WorkerProfile.Kind.RIDE_HAILING_DRIVER,
            home_district=district,
            consent_version="2026-11",
            consent_at=timezone.now(),
        )
        chosen.append(user)
    return chosen


WINDOWS = [
    [(dt.time(6, 30), dt.time(12, 0))],
    [(dt.time(11, 30), dt.time(18, 0))],
    [(dt.time(7, 0), dt.time(18, 0))],
    [(dt.time(6, 0), dt.time(10, 0)), (dt.time(16, 0), dt.time(20, 0))],
]


def _enrol(coordinator, users, teams, places, rng) -> list:
    today = timezone.localdate()
    volunteers = []
    for i, user in enumerate(users):
        drives = i % 4 != 3  # one in four is a rider who delivers meals
        team = teams[0] if drives and i % 2 == 0 else teams[1] if not drives else teams[2]
        v = services.volunteer_enrol(
            by=coordinator, user=user, team=team, leader=i < 3, home=places.point()
        )
        years = dt.timedelta(days=365 * 2)
        services.credential_record(
            by=coordinator, volunteer=v, kind="background", valid_until=today + years
        )
        orientation_until = today + (dt.timedelta(days=12 + i) if i % 9 == 4 else years)
        services.credential_record(
            by=coordinator, volunteer=v, kind="orientation", valid_until=orientation_until
        )
        if drives:
            services.credential_record(
                by=coordinator,
                volunteer=v,
                kind="licence",
                valid_until=today + years,
                licence_class="C1",
            )
            services.credential_record(
                by=coordinator,
                volunteer=v,
                kind="vehicle",
                valid_until=today + (dt.timedelta(days=20) if i % 11 == 5 else years),
                plate=f"甘A{rng.choice('BCDFGHJK')}{rng.randint(1000, 9999)}",
                seats=rng.choice([4, 4, 4, 6]),
                wheelchair=i % 5 == 1,
                inspected_on=today - dt.timedelta(days=rng.randint(30, 300)),
            )
        pattern = WINDOWS[0] if i == 0 else rng.choice(WINDOWS)
        services.availability_add_weekly(
            user=coordinator,
            volunteer=v,
            windows=[(day, starts, ends) for day in range(7) for starts, ends in pattern],
        )
        volunteers.append(v)
    return volunteers


def _beneficiary(
    coordinator, places, rng, used, *, kind, wheelchair=False, companion=False, near=None
):
    lat, lng = places.near(*near) if near else places.point()
    community = community_at(lat=lat, lng=lng)
    name = rng.choice(SURNAMES) + (rng.choice(STUDENTS) if kind == "student" else rng.choice(GIVEN))
    return services.beneficiary_register(
        by=coordinator,
        kind=kind,
        name=name,
        address=f"{community.name.removesuffix('社区')}路{rng.randint(1, 300)}号{rng.randint(1, 6)}单元",
        lat=lat,
        lng=lng,
        consent=True,
        consent_note="本人口头同意，社区网格员见证",
        mobile=_mobile(rng, used) if kind != "meals" else "",
        contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        contact_mobile=_mobile(rng, used),
        wheelchair=wheelchair,
        companion=companion,
        health_note="规律透析" if kind == "patient" else "",
        diet_note="低盐低糖" if kind == "meals" else "",
    )


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def seed_volunteering(*, rng_seed: int = 20261129, volunteers: int = 40, rides: int = 24) -> dict:
    rng = random.Random(rng_seed)
    with transaction.atomic():
        coordinator = _coordinator()
        places = _Places(rng)
        today = timezone.localdate()
        day = today + dt.timedelta(days=1)
        teams = [
            services.team_create(
                by=coordinator,
                name="黄河出行爱心车队",
                kind="fleet",
                parties="城关区张掖路街道办事处；黄河出行兰州分公司",
                starts=today - dt.timedelta(days=200),
                ends=today + dt.timedelta(days=530),
                scope="为辖区孤寡老人、重病患者提供免费接送；高考爱心送考",
            ),
            services.team_create(by=coordinator, name="小蜜蜂义工队·城关一队", kind="little_bee"),
            services.team_create(by=coordinator, name="新联心+N服务总队", kind="corps"),
        ]
        people = _enrol(coordinator, _workers(volunteers, rng), teams, places, rng)
        used: set = set()
        hospitals = [(n, *places.real_or_random(lat, lng)) for n, lat, lng in scenario.HOSPITALS]

        # The standing dialysis ride: every other day at 07:30, home at 12:00, for 30 days.
        name, lat, lng = hospitals[0]
        patient = _beneficiary(
            coordinator, places, rng, used, kind="patient", wheelchair=True, near=(lat, lng)
        )
        services.standing_ride_book(
            by=coordinator,
            beneficiary=patient,
            dropoff_label=f"{name}血液净化中心",
            dropoff_lat=lat,
            dropoff_lng=lng,
            weekdays=[day.weekday(), (day.weekday() + 2) % 7, (day.weekday() + 4) % 7],
            appointment=dt.time(7, 30),
            starts_on=day,
            days=30,
            return_at=dt.time(12, 0),
        )
        # One-off rides to appointments, half of them with a ride home.
        for i in range(rides):
            name, lat, lng = rng.choice(hospitals)
            who = _beneficiary(
                coordinator,
                places,
                rng,
                used,
                kind="elderly" if i % 3 else "patient",
                wheelchair=rng.random() < 0.15,
                companion=rng.random() < 0.3,
                near=(lat, lng),
            )
            appointment = _at(day, 8) + dt.timedelta(minutes=15 * rng.randrange(0, 28))
            services.ride_book(
                by=coordinator,
                beneficiary=who,
                dropoff_label=name,
                dropoff_lat=lat,
                dropoff_lng=lng,
                earliest=appointment - dt.timedelta(minutes=75),
                latest=appointment,
                appointment_at=appointment,
                return_earliest=appointment + dt.timedelta(minutes=120) if i % 2 else None,
            )
        _campaign(coordinator, places, rng, used, people, day)
        _meals(coordinator, places, rng, used, day)
        # Ten improving solutions reach the local optimum in a tenth of a second and give the
        # same plan on any machine; a time limit gave a plan that varied with the load, for
        # 3 s of the demo's load (about 5 % fewer empty kilometres).
        plan = services.plan_solve(by=coordinator, day=day, time_limit_s=3, solution_limit=10)
        services.plan_publish(by=coordinator, plan=plan)
        first = Trip.objects.filter(volunteer=people[0], status=Trip.Status.OFFERED).first()
        if first is not None:
            services.trip_accept(user=people[0].user, trip_id=first.pk)
        _past_service(coordinator, people[0], places, rng, used)
    return {"day": day, "plan": plan.figures, "baseline": plan.baseline}


def _campaign(coordinator, places, rng, used, people, day) -> None:
    campaign = services.campaign_create(
        by=coordinator, name=f"{day.year}年爱心送考", starts_on=day, ends_on=day
    )
    sites = []
    for name, lat, lng in scenario.EXAM_SITES[:2]:
        lat, lng = places.real_or_random(lat, lng)
        site = services.exam_site_add(
            by=coordinator, campaign=campaign, name=name, lat=lat, lng=lng, standby_cars=1
        )
        for hh, subject in ((9, "语文"), (15, "数学")):
            services.exam_session_add(
                by=coordinator, site=site, starts_at=_at(day, hh), subject=subject
            )
        sites.append(site)
    drivers = [v for v in people[1:] if v.credentials.filter(kind="vehicle").exists()]
    for i, site in enumerate(sites):
        services.standby_assign(by=coordinator, site=site, volunteer=drivers[-1 - 2 * i])
        services.standby_assign(
            by=coordinator, site=site, volunteer=drivers[-2 - 2 * i], backup=True
        )
        for k in range(4):
            student = _beneficiary(
                coordinator,
                places,
                rng,
                used,
                kind="student",
                companion=k % 2 == 0,
                near=(site.lat, site.lng),
            )
            services.exam_escort_book(
                by=coordinator,
                student=student,
                session=site.sessions.order_by("starts_at").first(),
                ticket=f"26620102{rng.randint(100000, 999999)}",
            )
    services.rehearsal_schedule(by=coordinator, campaign=campaign)


def _meals(coordinator, places, rng, used, day) -> None:
    name, lat, lng = scenario.CANTEENS[0]
    lat, lng = places.real_or_random(lat, lng)
    centre = services.meal_centre_create(by=coordinator, name=name, lat=lat, lng=lng)
    for _i in range(6):
        b = _beneficiary(coordinator, places, rng, used, kind="meals", near=(lat, lng, 4.0))
        sub = services.meal_subscribe(by=coordinator, centre=centre, beneficiary=b)
        services.meal_confirm(by=coordinator, subscription=sub, day=day)
    services.meal_round_build(by=coordinator, centre=centre, day=day)


def _past_service(coordinator, volunteer, places, rng, used) -> None:
    """Two trips the demo worker drove last week, confirmed: hours and points to show."""
    now = timezone.now()
    for days_ago in (6, 3):
        who = _beneficiary(coordinator, places, rng, used, kind="elderly")
        pick = (now - dt.timedelta(days=days_ago)).replace(
            hour=1, minute=30, second=0, microsecond=0
        )
        lat, lng = places.point()
        r = Request.objects.create(
            beneficiary=who,
            status=Request.Status.ASSIGNED,
            pickup_label=who.address,
            pickup_lat=who.home_point[0],
            pickup_lng=who.home_point[1],
            dropoff_label="兰州大学第一医院",
            dropoff_lat=lat,
            dropoff_lng=lng,
            earliest=pick - dt.timedelta(minutes=30),
            latest=pick + dt.timedelta(minutes=60),
            booked_by=coordinator,
        )
        start = volunteer.start_point
        trip = Trip.objects.create(
            request=r,
            volunteer=volunteer,
            status=Trip.Status.DROPPED_OFF,
            start_lat=start[0],
            start_lng=start[1],
            leave_at=pick - dt.timedelta(minutes=20),
            pickup_at=pick,
            dropoff_at=pick + dt.timedelta(minutes=35),
            picked_up_at=pick + dt.timedelta(minutes=2),
            dropped_off_at=pick + dt.timedelta(minutes=38),
            empty_km=4.2,
        )
        services.trip_confirm_by_phone(by=coordinator, trip_id=trip.pk, note="电话回访：满意")
