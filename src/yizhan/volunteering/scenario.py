"""A believable volunteer day over Lanzhou, drawn from a seeded generator: where people
live, the hospitals they are driven to, exam sites, community canteens, and the volunteers'
homes and windows. The benchmark plans it in memory; the demo seeder stores a smaller one.

Places are real Lanzhou institutions at approximate WGS-84 positions; homes are random
points in the urban districts (城关, 七里河, 安宁, 西固), weighted to where people live.
"""

import random
from dataclasses import dataclass

from yizhan.volunteering.dispatch import DRIVE, MEAL, Job, Shift

HOSPITALS = [
    ("兰州大学第一医院", 36.0556, 103.8436),
    ("兰州大学第二医院", 36.0662, 103.8172),
    ("甘肃省人民医院", 36.0546, 103.8521),
    ("兰州市第一人民医院", 36.0668, 103.7791),
    ("甘肃省中医院", 36.0652, 103.7652),
    ("甘肃省肿瘤医院", 36.0611, 103.7941),
    ("兰州市第二人民医院", 36.0705, 103.8702),
]
DIALYSIS = HOSPITALS[0]
EXAM_SITES = [
    ("兰州第一中学考点", 36.0472, 103.8352),
    ("西北师大附中考点", 36.1003, 103.7331),
    ("兰州第二中学考点", 36.0601, 103.8403),
    ("兰州第五十八中学考点", 36.0953, 103.6282),
]
CANTEENS = [
    ("张掖路社区长者食堂", 36.0609, 103.8290),
    ("西湖社区长者食堂", 36.0552, 103.7903),
    ("培黎社区长者食堂", 36.1048, 103.7402),
    ("东岗社区长者食堂", 36.0487, 103.8852),
]
# Where people live: (min_lat, min_lng, max_lat, max_lng, weight) inside the urban districts.
NEIGHBOURHOODS = [
    (36.035, 103.810, 36.075, 103.900, 5),  # 城关 west and centre
    (36.030, 103.900, 36.070, 103.960, 2),  # 城关 east (东岗)
    (36.040, 103.720, 36.075, 103.800, 3),  # 七里河
    (36.085, 103.710, 36.115, 103.780, 2),  # 安宁
    (36.075, 103.590, 36.110, 103.680, 1),  # 西固
]


def random_home(rng: random.Random) -> tuple[float, float]:
    box = rng.choices(NEIGHBOURHOODS, weights=[b[4] for b in NEIGHBOURHOODS])[0]
    return (round(rng.uniform(box[0], box[2]), 6), round(rng.uniform(box[1], box[3]), 6))


@dataclass
class Day:
    jobs: list[Job]
    shifts: list[Shift]
    volunteers: dict[str, dict]  # key → seats, wheelchair, can, home


def volunteers(rng: random.Random, n: int) -> tuple[list[Shift], dict[str, dict]]:
    """Two in three drive (four or six seats, one car in four takes a wheelchair), the rest
    are riders who deliver meals; windows are mornings, afternoons, whole days or both ends."""
    shifts, people = [], {}
    windows = [
        [(390, 720)],
        [(690, 1080)],
        [(420, 1080)],
        [(390, 600), (960, 1200)],
        [(360, 840)],
    ]
    for i in range(n):
        key = f"v{i + 1:03d}"
        drives = i % 3 != 2
        seats = rng.choice([4, 4, 4, 6]) if drives else 0
        wheelchair = drives and rng.random() < 0.25
        can = frozenset({DRIVE, MEAL}) if drives else frozenset({MEAL})
        home = random_home(rng)
        people[key] = {"seats": seats, "wheelchair": wheelchair, "can": can, "home": home}
        for opens, closes in rng.choice(windows):
            shifts.append(Shift(key, home, opens, closes, can, seats, wheelchair))
    return shifts, people


def requests(rng: random.Random, n: int) -> list[Job]:
    """Rides to hospital by appointment, rides home, exam escorts and meal deliveries."""
    jobs = []
    for i in range(n):
        key = f"r{i + 1:03d}"
        roll = rng.random()
        home = random_home(rng)
        wheelchair = rng.random() < 0.15
        passengers = 2 if rng.random() < 0.3 else 1
        if roll < 0.5:  # to an appointment: arrive by it, leave home at most 90 minutes before
            _, lat, lng = rng.choice(HOSPITALS)
            appointment = rng.randrange(450, 960, 15)
            jobs.append(
                Job(
                    key,
                    home,
                    (lat, lng),
                    appointment - 90,
                    appointment,
                    DRIVE,
                    passengers,
                    wheelchair,
                )
            )
        elif roll < 0.75:  # home from hospital: ready at a time, home within two hours
            _, lat, lng = rng.choice(HOSPITALS)
            ready = rng.randrange(600, 1140, 15)
            jobs.append(
                Job(key, (lat, lng), home, ready, ready + 120, DRIVE, passengers, wheelchair)
            )
        elif roll < 0.85:  # exam escort: at the gate 30 minutes before the 09:00 session
            _, lat, lng = rng.choice(EXAM_SITES)
            jobs.append(Job(key, home, (lat, lng), 450, 510, DRIVE, 2, False))
        else:  # a meal from the canteen, off-peak: late morning or late afternoon
            _, lat, lng = rng.choice(CANTEENS)
            start = rng.choice([630, 960])
            jobs.append(Job(key, (lat, lng), home, start, start + 90, MEAL, 0, False))
    return jobs


def day(*, requests_n: int = 200, volunteers_n: int = 60, seed: int = 20261129) -> Day:
    rng = random.Random(seed)
    shifts, people = volunteers(rng, volunteers_n)
    return Day(jobs=requests(rng, requests_n), shifts=shifts, volunteers=people)
