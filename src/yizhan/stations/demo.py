"""Furnishing the demo city's stations: amenities, opening hours, capacity, phones, keepers'
confirmation dates, with the character of each kind of station (bank branches keep bank
hours and close on holidays; many union and little-bee stations never close).

A generator of its own (fixed seed) keeps the rest of the demo city unchanged.
"""

import datetime as dt
import random

from django.utils import timezone

from yizhan.core import bulk
from yizhan.stations.models import Amenity, HoursException, OpeningHours, Station, StationAmenity

SEED = 20261130
ALWAYS = {
    "union": ["drinking_water", "microwave", "restroom", "rest", "phone_charging", "first_aid"],
    "little_bee": ["drinking_water", "phone_charging", "rest"],
    "bank": ["drinking_water", "restroom", "rest", "phone_charging", "wifi", "first_aid"],
    "regional": [
        "drinking_water",
        "microwave",
        "fridge",
        "restroom",
        "rest",
        "phone_charging",
        "wifi",
        "first_aid",
        "legal_aid",
    ],
    "business": [
        "drinking_water",
        "microwave",
        "fridge",
        "restroom",
        "rest",
        "phone_charging",
        "wifi",
    ],
}
SOMETIMES = {  # amenity: probability, per kind
    "union": {
        "fridge": 0.7,
        "dining": 0.3,
        "shower": 0.35,
        "washing_machine": 0.25,
        "wifi": 0.8,
        "ebike_charging": 0.5,
        "umbrella": 0.7,
        "repair_tools": 0.4,
        "legal_aid": 0.15,
    },
    "little_bee": {
        "microwave": 0.6,
        "fridge": 0.3,
        "restroom": 0.5,
        "wifi": 0.5,
        "umbrella": 0.6,
        "ebike_charging": 0.3,
        "repair_tools": 0.3,
        "first_aid": 0.4,
        "shower": 0.05,
    },
    "bank": {"microwave": 0.3, "umbrella": 0.8, "fridge": 0.2},
    "regional": {
        "dining": 0.6,
        "shower": 0.7,
        "washing_machine": 0.6,
        "ebike_charging": 0.6,
        "umbrella": 0.8,
        "repair_tools": 0.5,
    },
    "business": {
        "legal_aid": 0.5,
        "shower": 0.3,
        "ebike_charging": 0.4,
        "umbrella": 0.7,
        "first_aid": 0.8,
    },
}
SERVICES = {
    "union": "工会会员服务、送清凉送温暖、法律咨询、技能培训报名",
    "little_bee": "歇脚、喝水、充电、热饭，骑手互助",
    "bank": "金融知识咨询、歇脚饮水、手机充电",
    "regional": "党群活动、诉求收集、法律援助、技能培训、生日会",
    "business": "楼宇党建、骑手驿站、就餐休息、志愿服务",
}
OPERATORS = {
    "union": "{district}总工会",
    "little_bee": "{place}便民店",
    "bank": "{bank}兰州分行",
    "regional": "{district}委社会工作部",
    "business": "{place}商圈党委",
}


def _hours(rng: random.Random, kind: str) -> tuple[bool, list[tuple], bool]:
    """(is 24 hours, weekly rows (weekday, opens, closes), closed on statutory holidays)."""
    t = dt.time
    if kind == "bank":
        weekdays = [(d, t(9), t(17)) for d in range(5)]
        weekend = [(d, t(10), t(16)) for d in (5, 6)] if rng.random() < 0.6 else []
        return False, weekdays + weekend, True
    share_24h = {"union": 0.5, "little_bee": 0.35, "regional": 0.3, "business": 0.1}[kind]
    if rng.random() < share_24h:
        return True, [], False
    if kind == "regional":
        return False, [(d, t(8, 30), t(18)) for d in range(6)], rng.random() < 0.5
    opens, closes = rng.choice(
        [(t(8), t(22)), (t(7), t(21)), (t(7), t(23)), (t(9), t(21)), (t(10), t(2)), (t(16), t(4))]
    )
    return False, [(d, opens, closes) for d in range(7)], False


def furnish_stations(
    stations: list[Station], *, banks: list[str], surnames: list[str], given: list[str], seed=SEED
) -> None:
    """Amenities, hours, operators and keepers' names for the demo stations; the name lists
    come from the demo app, which calls this (apps never import the demo). Stations not yet
    saved are inserted with all of it in one go (no UPDATE of every station afterwards)."""
    rng = random.Random(seed)
    amenity_ids = dict(Amenity.objects.values_list("code", "id"))
    now = timezone.now()
    offers, rows, exceptions = [], [], []
    for station in stations:
        kind = station.kind
        codes = list(ALWAYS[kind]) + [
            code for code, p in SOMETIMES[kind].items() if rng.random() < p
        ]
        for code in dict.fromkeys(codes):
            offers.append(
                StationAmenity(
                    station=station,
                    amenity_id=amenity_ids[code],
                    out_of_order=rng.random() < 0.03,
                )
            )
        is_24h, weekly, holiday_closed = _hours(rng, kind)
        station.is_24h = is_24h
        rows += [OpeningHours(station=station, weekday=d, opens=o, closes=c) for d, o, c in weekly]
        if holiday_closed:
            exceptions.append(HoursException(station=station, on_holidays=True, closed=True))
        community = station.community
        district = community.subdistrict.district.name if community else "兰州市"
        place = community.name.removesuffix("社区") if community else "兰州"
        bank = next((b for b in banks if station.name.startswith(b)), banks[0])
        station.operator = OPERATORS[kind].format(district=district, place=place, bank=bank)
        station.services = SERVICES[kind]
        station.manager = rng.choice(surnames) + rng.choice(given)
        station.phone = f"0931-{rng.randint(8_000_000, 8_999_999)}"
        station.capacity = {
            "union": 20,
            "little_bee": 6,
            "bank": 8,
            "regional": 50,
            "business": 30,
        }[kind] + rng.randint(0, 20)
        stale = rng.random() < 0.12
        station.confirmed_at = now - dt.timedelta(
            days=rng.uniform(31, 120) if stale else rng.uniform(0, 25)
        )
    if all(station.pk is None for station in stations):
        Station.objects.bulk_create(stations, batch_size=500)
    else:
        Station.objects.bulk_update(
            stations,
            ["is_24h", "operator", "services", "manager", "phone", "capacity", "confirmed_at"],
            batch_size=500,
        )
    bulk.insert(offers)
    bulk.insert(rows)
    bulk.insert(exceptions)


def seed_visits(*, rng_seed: int = SEED, days: int = 30, stations: int = 80) -> int:
    """Check-ins of the last `days` days at the demo keeper's station and a sample of others,
    busiest at lunch and at dusk, so that the stations' statistics and the dashboards have
    visits to show. Returns the visits made."""
    from yizhan.accounts.models import Role, RoleAssignment, WorkerProfile
    from yizhan.stations.models import StationVisit

    rng = random.Random(rng_seed)
    workers = list(WorkerProfile.objects.order_by("user_id").values_list("user_id", flat=True))
    if not workers:
        return 0
    keeper = RoleAssignment.objects.filter(role=Role.STATION_KEEPER).order_by("id").first()
    chosen = list(Station.objects.order_by("code").values_list("id", flat=True))
    chosen = rng.sample(chosen, min(stations, len(chosen)))
    if keeper and keeper.station_id and keeper.station_id not in chosen:
        chosen.insert(0, keeper.station_id)
    hours = [7, 8, 10, 11, 11, 12, 12, 12, 13, 14, 16, 17, 18, 18, 19, 20, 21]
    now = timezone.now()
    visits, seen = [], set()
    for station_id in chosen:
        busy = 12 if keeper and station_id == keeper.station_id else rng.randint(1, 6)
        for day in range(days):
            for _n in range(rng.randint(0, busy)):
                local = timezone.localtime(now - dt.timedelta(days=day))
                at = local.replace(hour=rng.choice(hours), minute=rng.randint(0, 59), second=0)
                if at >= now:
                    continue
                worker = rng.choice(workers)
                hour = at.astimezone(dt.UTC).replace(minute=0, microsecond=0)
                if (worker, station_id, hour) in seen:
                    continue
                seen.add((worker, station_id, hour))
                visits.append(
                    StationVisit(
                        station_id=station_id,
                        worker_id=worker,
                        at=at,
                        hour=hour,
                        method=rng.choice(["qr", "qr", "nearby"]),
                    )
                )
    bulk.insert(visits)
    return len(visits)
