"""The deterministic Lanzhou demo city (fixed seed: the same city every time).

Districts and counties have their real boundaries (places/data); subdistricts are Voronoi cells of random seeds clipped to
their district, and communities Voronoi cells clipped to their subdistrict, so each level
tiles its parent with no gaps and no overlaps. Workers, employers and stations are drawn
from the same seeded generator. `scale="city"` builds the full 300,000-worker city for
benchmarks, in bulk inserts with a progress bar.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

import shapely
from django.db import connection, transaction
from django.utils import timezone
from shapely.geometry import MultiPoint

from yizhan.accounts.demo import demo_password_hash
from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.core.pii import blind_index, mobile_mask_index, name_index
from yizhan.core.validators import id_check_char
from yizhan.demo import data
from yizhan.demo.progress import Progress
from yizhan.orgs.models import Department, Employer, Platform
from yizhan.places.geometry import to_geojson
from yizhan.places.models import Community, District, Subdistrict
from yizhan.places.selectors import (
    community_index,
    invalidate_index,
    prime_index,
    real_district_boundaries,
)
from yizhan.reports import demo as reports_demo
from yizhan.stations.demo import furnish_stations
from yizhan.stations.models import Station

SCALES = {
    "demo": {"workers": 3000, "employers": 300, "reports": 400},
    "small": {"workers": 200, "employers": 40, "reports": 12},  # tests
    "city": {"workers": 300_000, "employers": 20_000, "reports": 400},
}
BATCH = 2000


@dataclass
class DemoLogin:
    role: str
    scope: str
    mobile: str
    password: str = data.DEMO_PASSWORD


@dataclass
class Summary:
    districts: int = 0
    subdistricts: int = 0
    communities: int = 0
    stations: int = 0
    employers: int = 0
    workers: int = 0
    reports: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _random_points_in(rng: random.Random, polygon, n: int) -> list:
    min_x, min_y, max_x, max_y = polygon.bounds
    points = []
    while len(points) < n:
        p = shapely.Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(p):
            points.append(p)
    return points


def _tile(rng: random.Random, parent, n: int) -> list:
    """Split `parent` into n cells (Voronoi of random seeds), ordered west to east."""
    if n == 1:
        return [parent]
    seeds = _random_points_in(rng, parent, n)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=parent.envelope.buffer(0.01))
    pieces = [cell.intersection(parent) for cell in cells.geoms]
    pieces = [p for p in pieces if not p.is_empty and p.area > 0]
    pieces.sort(key=lambda g: (round(g.centroid.x, 4), g.centroid.y))
    return pieces


def _community_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(data.COMMUNITY_WORDS) + rng.choice(data.COMMUNITY_SUFFIXES) + "社区"
        if name not in names:
            names.append(name)
    return names


def _person_name(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + "".join(
        rng.choice(data.GIVEN) for _ in range(rng.choice((1, 2)))
    )


def _credit_code(serial: int) -> str:
    """A unified social credit code (GB 32100-2015) with a valid check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = f"91620100{serial:09d}"
    total = sum(chars.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + chars[(31 - total % 31) % 31]


COMMUNITIES = 720  # the demo city's count, as the docs and benchmarks say


def _community_counts(rng: random.Random) -> dict[str, int]:
    """Communities per subdistrict: the district's typical count ±2, then nudged (largest
    subdistricts first) so the city has exactly COMMUNITIES of them."""
    counts = {}
    for code, _name, _bounds, sub_names, per_sub in data.DISTRICTS:
        for i in range(1, len(sub_names) + 1):
            counts[f"{code}{i:03d}"] = max(2, per_sub + rng.randint(-2, 2))
    order = sorted(counts, key=lambda c: (-counts[c], c))
    step = 1 if sum(counts.values()) < COMMUNITIES else -1
    i = 0
    while sum(counts.values()) != COMMUNITIES:
        code = order[i % len(order)]
        if counts[code] + step >= 2:
            counts[code] += step
        i += 1
    return counts


class CityGenerator:
    def __init__(self, *, seed: int = 20261129, scale: str = "demo", stream=None):
        self.rng = random.Random(seed)
        self.scale = SCALES[scale]
        self.stream = stream
        self.summary = Summary()
        self.used_mobiles: set[str] = set()
        self.used_ids: set[str] = set()

    # --- places ---------------------------------------------------------------------

    def build_places(self) -> list[Community]:
        communities = []
        real = real_district_boundaries()
        counts = _community_counts(self.rng)
        for code, name, _bounds, sub_names, _per_sub in data.DISTRICTS:
            district_shape = shapely.geometry.shape(real[code])
            district = District(code=code, name=name)
            district.set_boundary(to_geojson(district_shape))
            district.save()
            self.summary.districts += 1
            for i, (sub_name, sub_shape) in enumerate(
                zip(sub_names, _tile(self.rng, district_shape, len(sub_names)), strict=True), 1
            ):
                sub = Subdistrict(district=district, code=f"{code}{i:03d}", name=sub_name)
                sub.set_boundary(to_geojson(sub_shape))
                sub.save()
                self.summary.subdistricts += 1
                cells = _tile(self.rng, sub_shape, counts[sub.code])
                for j, (c_name, c_shape) in enumerate(
                    zip(_community_names(self.rng, len(cells)), cells, strict=True), 1
                ):
                    community = Community(subdistrict=sub, code=f"{sub.code}{j:03d}", name=c_name)
                    community.set_boundary(to_geojson(c_shape))
                    communities.append(community)
        Community.objects.bulk_create(communities, batch_size=500)
        self.summary.communities = len(communities)
        # Later steps of this same transaction route points to them; the index they build
        # is the committed data's, so it is not thrown away at the commit.
        if any(c.pk is None for c in communities):  # a backend without RETURNING
            invalidate_index()
            return list(Community.objects.select_related("subdistrict__district").order_by("code"))
        prime_index(communities)  # from the shapes in hand, not parsed back from JSON
        return sorted(communities, key=lambda c: c.code)  # as read back, without re-reading

    # --- organisations --------------------------------------------------------------

    def build_orgs(self, districts: list[District]) -> tuple[list[Platform], list[Employer]]:
        platforms = [Platform.objects.create(code=c, name=n, kind=k) for c, n, k in data.PLATFORMS]
        for code, name in data.DEPARTMENTS:
            Department.objects.create(code=code, name=name)
        total = self.scale["employers"]
        progress = Progress("employers", total, self.stream) if self.stream else None
        batch = []
        for serial in range(1, total + 1):
            word = self.rng.choice(data.EMPLOYER_WORDS)
            kind = self.rng.choice(data.EMPLOYER_KINDS)
            batch.append(
                Employer(
                    name=f"兰州{word}{kind}有限公司第{serial}分公司",
                    credit_code=_credit_code(serial),
                    platform=self.rng.choice(platforms),
                    district=self.rng.choice(districts),
                )
            )
            if len(batch) >= BATCH:
                Employer.objects.bulk_create(batch)
                progress and progress.advance(len(batch))
                batch = []
        Employer.objects.bulk_create(batch)
        progress and progress.advance(len(batch))
        self.summary.employers = total
        return platforms, list(Employer.objects.order_by("id").only("id", "platform_id"))

    # --- stations -------------------------------------------------------------------

    def build_stations(self, communities: list[Community]) -> list[Station]:
        index = community_index()  # the areas index build_places made
        # Stations cluster where work is: the four urban districts get 85% of them.
        urban = {"620102", "620103", "620104", "620105"}
        weights = [6 if c.subdistrict.district.code in urban else 1 for c in communities]
        stations, serial = [], 0
        for kind, count, pattern in data.STATION_MIX:
            for _ in range(count):
                serial += 1
                community = self.rng.choices(communities, weights=weights)[0]
                shape = shapely.geometry.shape(community.boundary)
                point = _random_points_in(self.rng, shape, 1)[0]
                place = community.name.removesuffix("社区")
                name = pattern.format(place=place, bank=self.rng.choice(data.BANKS))
                stations.append(
                    Station(
                        code=f"LZ{serial:05d}",
                        name=name,
                        kind=kind,
                        address=f"{community.subdistrict.district.name}{community.subdistrict.name}{place}路{self.rng.randint(1, 300)}号",
                        lat=round(point.y, 6),
                        lng=round(point.x, 6),
                        community_id=index.locate(point.x, point.y),
                    )
                )
        by_id = {c.pk: c for c in communities}
        for station in stations:  # what furnishing reads (the district's name), without a query
            station.community = by_id.get(station.community_id)
        self.summary.stations = len(stations)
        # Furnished, then inserted with their amenities and hours: one INSERT each.
        furnish_stations(stations, banks=data.BANKS, surnames=data.SURNAMES, given=data.GIVEN)
        if any(s.pk is None for s in stations):  # a backend without RETURNING
            return list(Station.objects.order_by("code"))
        return stations

    # --- people ---------------------------------------------------------------------

    def _mobile(self) -> str:
        while True:
            mobile = f"1{self.rng.choice('356789')}{self.rng.randint(0, 999_999_999):09d}"
            if mobile not in self.used_mobiles and not mobile.startswith(("139000", "138000")):
                self.used_mobiles.add(mobile)
                return mobile

    def _id_number(self, district_code: str) -> str:
        while True:
            born = dt.date(1966, 1, 1) + dt.timedelta(days=self.rng.randint(0, 365 * 38))
            first17 = f"{district_code}{born:%Y%m%d}{self.rng.randint(0, 999):03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def build_workers(self, districts, platforms, employers) -> None:
        total = self.scale["workers"]
        progress = Progress("workers", total, self.stream) if self.stream else None
        # One shared hash: hashing 300,000 passwords would take hours and add nothing.
        password = demo_password_hash()
        kinds = [k for k, _ in WorkerProfile.Kind.choices]
        kind_weights = [55, 20, 15, 7, 3]
        now = timezone.now()
        done = 0
        while done < total:
            n = min(BATCH, total - done)
            users, profiles = [], []
            for _ in range(n):
                mobile, name = self._mobile(), _person_name(self.rng)
                users.append(
                    User(
                        mobile=mobile,
                        mobile_index=blind_index(mobile),
                        mobile_mask_index=mobile_mask_index(mobile),  # bulk_create skips save()
                        name=name,
                        name_index=name_index(name),
                        password=password,
                        date_joined=now - dt.timedelta(minutes=self.rng.randint(0, 60 * 24 * 540)),
                    )
                )
            User.objects.bulk_create(users)
            if users[0].pk is None:  # a backend without RETURNING: read the ids back
                indexes = [u.mobile_index for u in users]
                ids = dict(
                    User.objects.filter(mobile_index__in=indexes).values_list("mobile_index", "id")
                )
                for u in users:
                    u.pk = u.id = ids[u.mobile_index]
            for user in users:
                district = self.rng.choice(districts)
                employer = self.rng.choice(employers)
                number = self._id_number(district.code)
                profiles.append(
                    WorkerProfile(
                        user=user,
                        kind=self.rng.choices(kinds, weights=kind_weights)[0],
                        platform_id=employer.platform_id,
                        employer_id=employer.id,
                        home_district=district,
                        id_number=number,
                        id_number_index=blind_index(number),
                        consent_version="2026-11",
                        consent_at=user.date_joined,
                    )
                )
            WorkerProfile.objects.bulk_create(profiles)
            done += n
            progress and progress.advance(n)
        self.summary.workers = total

    def build_staff(self, communities, stations, platforms) -> None:
        password = demo_password_hash()
        chengguan = [c for c in communities if c.subdistrict.district.code == "620102"]
        grid_community = chengguan[0]
        station = next(s for s in stations if s.kind == "union")
        hrss = Department.objects.get(code="hrss")
        staff = [
            ("13900000001", "市社工部管理员", Role.CITY_ADMIN, None),
            ("13900000002", "12345调度员", Role.DISPATCHER, None),
            ("13900000003", "网格员小刘", Role.GRID_OFFICER, grid_community),
            ("13900000004", "人社局干部", Role.DEPARTMENT_OFFICER, hrss),
            ("13900000005", "驿站站长老马", Role.STATION_KEEPER, station),
            ("13900000006", "平台代表老杨", Role.PLATFORM_REP, platforms[0]),
            ("13900000007", "志愿协调员小周", Role.VOLUNTEER_COORDINATOR, None),
        ]
        for mobile, name, role, scope in staff:
            user = User.objects.create(
                mobile=mobile,
                mobile_index=blind_index(mobile),
                name=name,
                password=password,
                is_staff=role == Role.CITY_ADMIN,
                is_superuser=role == Role.CITY_ADMIN,
            )
            field_name = {
                Role.GRID_OFFICER: "community",
                Role.DEPARTMENT_OFFICER: "department",
                Role.STATION_KEEPER: "station",
                Role.PLATFORM_REP: "platform",
            }.get(role)
            RoleAssignment.objects.create(
                user=user, role=role, **({field_name: scope} if field_name else {})
            )
            scope_label = ""
            if isinstance(scope, Community):
                scope_label = (
                    f"{scope.subdistrict.district.name}{scope.subdistrict.name}{scope.name}"
                )
            elif scope is not None:
                scope_label = str(scope)
            self.summary.logins.append(DemoLogin(role=str(role), scope=scope_label, mobile=mobile))
        # A worker with a known login, living where the grid officer works.
        mobile = "13800000001"
        user = User.objects.create(
            mobile=mobile, mobile_index=blind_index(mobile), name="王小川", password=password
        )
        first17 = f"620102{dt.date(1996, 5, 4):%Y%m%d}123"
        number = first17 + id_check_char(first17)
        WorkerProfile.objects.create(
            user=user,
            kind=WorkerProfile.Kind.DELIVERY_RIDER,
            platform=platforms[0],
            home_district=grid_community.subdistrict.district,
            id_number=number,
            id_number_index=blind_index(number),
            consent_version="2026-11",
            consent_at=timezone.now(),
        )
        self.summary.logins.insert(
            0, DemoLogin(role=str(Role.WORKER), scope="城关区", mobile=mobile)
        )

    def build(self) -> Summary:
        with transaction.atomic():
            communities = self.build_places()
            from yizhan.places.demo import seed_landmarks

            seed_landmarks()
            districts = list(District.objects.order_by("code"))
            platforms, employers = self.build_orgs(districts)
            stations = self.build_stations(communities)
            self.build_staff(communities, stations, platforms)
        # Workers go in their own transactions, batch by batch, so a city-scale run
        # does not hold one enormous transaction open.
        self.build_workers(districts, platforms, employers)
        with transaction.atomic():
            self.summary.reports = reports_demo.seed(
                rng=self.rng, communities=communities, count=self.scale["reports"]
            )
        self.build_cases()
        self.build_second_half()
        return self.summary

    def build_second_half(self) -> None:
        """The points bank and the apps that arrived after it, each from its own seeder
        (deterministic, fixed seeds), in the order their data depends on each other."""
        from yizhan.membership.demo import seed_membership
        from yizhan.news.demo import seed_news
        from yizhan.points.demo import seed as seed_points
        from yizhan.training.demo import seed_training
        from yizhan.transparency.demo import seed_transparency
        from yizhan.volunteering.demo import seed_volunteering

        seed_points(rng=self.rng)
        seed_membership()
        seed_volunteering(rng_seed=20261129)
        seed_transparency()
        seed_news(rng_seed=19)
        seed_training(rng_seed=15)
        from yizhan.stations.demo import seed_visits

        seed_visits()
        _analyze()
        # Last: the dashboards count what every app above has written.
        from yizhan.portal.demo import seed_dashboards

        seed_dashboards()

    def build_cases(self) -> None:
        """Case categories, time limits, hotlines and a few hundred demands in every state."""
        from yizhan.cases.demo import seed_demo_cases

        seed_demo_cases()


def _analyze() -> None:
    """PostgreSQL plans the dashboards' queries from its table statistics, and tables this
    load filled may still carry those of an emptier state (autovacuum counts no rows in a
    table whose rows were all rolled back, as between tests): it then joins thousands of
    rows by nested loops, for minutes. ANALYZE first (it may run inside the transaction and
    counts the rows this transaction wrote). SQLite plans without it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_logins() -> list[DemoLogin]:
    """The demo logins, read back from the database (for `yizhan demo-logins`)."""
    logins = []
    worker = User.objects.filter(mobile_index=blind_index("13800000001")).first()
    if worker:
        logins.append(
            DemoLogin(
                role=str(Role.WORKER), scope=worker.worker.home_district.name, mobile=worker.mobile
            )
        )
    for mobile in STAFF_LOGINS:
        user = User.objects.filter(mobile_index=blind_index(mobile)).first()
        if user is None:
            continue
        for a in user.role_assignments.select_related(
            "community__subdistrict__district", "station", "department", "platform"
        ):
            scope = a.scope
            if isinstance(scope, Community):
                label = f"{scope.subdistrict.district.name}{scope.subdistrict.name}{scope.name}"
            else:
                label = str(scope) if scope else ""
            logins.append(DemoLogin(role=a.role, scope=label, mobile=mobile))
    driver = User.objects.filter(mobile_index=blind_index("13900000017")).first()
    if driver and hasattr(driver, "worker"):
        logins.append(
            DemoLogin(role=str(Role.WORKER), scope="网约车司机 · 黄河出行", mobile=driver.mobile)
        )
    from yizhan.membership.demo import demo_logins as membership_logins

    for mobile, what, organisation in membership_logins():
        logins.append(
            DemoLogin(role="organisation_officer", scope=f"{what} · {organisation}", mobile=mobile)
        )
    return logins


# Staff logins with a role, in the order they are printed: the eight roles first, then the
# platform representative, transport-bureau officer and district officer the newer apps seed.
STAFF_LOGINS = [f"1390000000{n}" for n in range(1, 9)] + [
    "13900000016",
    "13900000018",
    "13900000019",
]
