"""Shared fixtures: a small city with named people in every role (as in healthchecks'
BaseTestCase), so permission tests read like sentences:

- alice: worker (rider) living in 城关区       - grace: grid officer of community A
- gary:  grid officer of community B           - dora: dispatcher
- adam:  city administrator                    - kim: keeper of station S1
- dan:   labour-bureau officer                 - pat: platform representative (陇上快送)
"""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from shapely.geometry import box

from tests.clock import DEFAULT_MOMENT, MOMENTS
from yizhan.accounts.models import Role, RoleAssignment, User, WorkerProfile
from yizhan.core.pii import blind_index
from yizhan.orgs.models import Department, Platform
from yizhan.places import services as places
from yizhan.places.geometry import to_geojson
from yizhan.places.selectors import invalidate_index
from yizhan.reports.defaults import ensure as ensure_report_categories
from yizhan.reports.models import Category as ReportCategory
from yizhan.stations.models import Station

PASSWORD = "Sturdy-pass-2026"
ALICE_ID = "620102199605041230"


def make_user(mobile, name, *, role=None, scope_field=None, scope=None, password=PASSWORD):
    user = User.objects.create_user(mobile, password, name=name)
    if role:
        RoleAssignment.objects.create(
            user=user, role=role, **({scope_field: scope} if scope_field else {})
        )
    return user


def make_worker(mobile, name, *, district, kind="courier"):
    """A registered worker (profile and consent) living in `district`."""
    user = make_user(mobile, name)
    WorkerProfile.objects.create(
        user=user, kind=kind, home_district=district, consent_version="1", consent_at=timezone.now()
    )
    return user


class City:
    """The test city: one district cut into two subdistricts of two communities each."""

    def __init__(self):
        invalidate_index()
        # Data migrations' rows are gone after a browser test flushed the database.
        ensure_report_categories(ReportCategory)
        self.district = places.district_create(
            code="620102", name="城关区", boundary=to_geojson(box(103.80, 36.00, 103.90, 36.10))
        )
        self.sub_west = places.subdistrict_create(
            district=self.district,
            code="620102001",
            name="西街道",
            boundary=to_geojson(box(103.80, 36.00, 103.85, 36.10)),
        )
        self.sub_east = places.subdistrict_create(
            district=self.district,
            code="620102002",
            name="东街道",
            boundary=to_geojson(box(103.85, 36.00, 103.90, 36.10)),
        )
        self.community_a = places.community_create(
            subdistrict=self.sub_west,
            code="620102001001",
            name="甲社区",
            boundary=to_geojson(box(103.80, 36.00, 103.85, 36.05)),
        )
        self.community_b = places.community_create(
            subdistrict=self.sub_west,
            code="620102001002",
            name="乙社区",
            boundary=to_geojson(box(103.80, 36.05, 103.85, 36.10)),
        )
        self.community_c = places.community_create(
            subdistrict=self.sub_east,
            code="620102002001",
            name="丙社区",
            boundary=to_geojson(box(103.85, 36.00, 103.90, 36.10)),
        )
        self.platform = Platform.objects.create(code="longshang", name="陇上快送", kind="delivery")
        self.other_platform = Platform.objects.create(
            code="huanghe", name="黄河出行", kind="ride_hailing"
        )
        self.labour = Department.objects.create(code="hrss", name="人力资源和社会保障局")
        self.station = Station.objects.create(
            code="S1",
            name="甲工会驿站",
            kind="union",
            lat=36.02,
            lng=103.82,
            community=self.community_a,
        )
        self.alice = make_user("13800000001", "王小川")
        WorkerProfile.objects.create(
            user=self.alice,
            kind=WorkerProfile.Kind.DELIVERY_RIDER,
            platform=self.platform,
            home_district=self.district,
            id_number=ALICE_ID,
            id_number_index=blind_index(ALICE_ID),
            consent_version="2026-11",
            consent_at=timezone.now() - dt.timedelta(days=3),
        )
        self.grace = make_user(
            "13900000003",
            "网格员甲",
            role=Role.GRID_OFFICER,
            scope_field="community",
            scope=self.community_a,
        )
        self.gary = make_user(
            "13900000013",
            "网格员乙",
            role=Role.GRID_OFFICER,
            scope_field="community",
            scope=self.community_b,
        )
        self.dora = make_user("13900000002", "调度员", role=Role.DISPATCHER)
        self.adam = make_user("13900000001", "管理员", role=Role.CITY_ADMIN)
        self.adam.is_staff = self.adam.is_superuser = True
        self.adam.save()
        self.kim = make_user(
            "13900000005",
            "站长",
            role=Role.STATION_KEEPER,
            scope_field="station",
            scope=self.station,
        )
        self.dan = make_user(
            "13900000004",
            "人社干部",
            role=Role.DEPARTMENT_OFFICER,
            scope_field="department",
            scope=self.labour,
        )
        self.pat = make_user(
            "13900000006",
            "平台代表",
            role=Role.PLATFORM_REP,
            scope_field="platform",
            scope=self.platform,
        )


@pytest.fixture(autouse=True)
def clock():
    """Every test runs on a ticking clock that starts at a fixed moment, never at today's date.

    Move it with `clock.move_to(moment)` (or take `moment` to run a test at every one of
    `tests.clock.MOMENTS`). The patch is process-wide, so the live server's thread and the
    task worker see the same time as the test.
    """
    from yizhan.core import workdays

    workdays.clear_cache()  # overrides cached by an earlier test must not leak into this one
    with time_machine.travel(DEFAULT_MOMENT, tick=True) as traveller:
        yield traveller


@pytest.fixture(params=list(MOMENTS), ids=list(MOMENTS))
def moment(request, clock):
    """Run the test at each fixed moment (Monday morning, Friday 17:55, a Saturday, the eve of
    and inside the National Day holiday, 23:59:30 on 31 December); returns the moment."""
    clock.move_to(MOMENTS[request.param])
    return MOMENTS[request.param]


@pytest.fixture
def city(db):
    return City()


@pytest.fixture
def run_tasks(monkeypatch):
    """Run every queued background task with the real worker, as the demo's worker would.

    The worker recycles database connections between tasks; inside a test transaction
    that would close the test's own connection, so that one housekeeping call is skipped.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        from django_tasks_db.models import DBTaskResult

        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        failed = DBTaskResult.objects.filter(status="FAILED")
        assert not failed.exists(), [(t.task_path, t.traceback) for t in failed]
        return DBTaskResult.objects.filter(status="SUCCESSFUL").count()

    return run


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user, backend="yizhan.accounts.backends.MobilePasswordBackend")
        return client

    return do
