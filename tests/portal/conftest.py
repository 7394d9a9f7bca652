"""The test city with a little of everything the dashboards count, made through the real
services: work orders in several states, hazard reports, station visits, points."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from tests.cases.conftest import Cases
from tests.clock import DEFAULT_MOMENT
from tests.conftest import make_user
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.cases import services as cases
from yizhan.places import services as places
from yizhan.places.geometry import to_geojson
from yizhan.points import services as points
from yizhan.reports import services as reports
from yizhan.reports.models import Category as ReportCategory
from yizhan.stations import services as stations
from yizhan.stations.models import StationVisit


def small_jpeg(seed=1):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (seed * 37 % 255, 90, 140)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = f"fix{seed}.jpg"
    return buffer


class World:
    """Named actors and one-line steps for the dashboards' tests."""

    def __init__(self, city):
        from shapely.geometry import box

        self.city = city
        self.cases = Cases(city)
        self.light = ReportCategory.objects.get(code="street-light")
        self.other_district = places.district_create(
            code="620103", name="七里河区", boundary=to_geojson(box(103.60, 36.00, 103.70, 36.10))
        )
        self.dina = make_user(
            "13900000008",
            "区干部",
            role=Role.DISTRICT_OFFICER,
            scope_field="district",
            scope=city.district,
        )
        self.olga = make_user(
            "13900000018",
            "七里河干部",
            role=Role.DISTRICT_OFFICER,
            scope_field="district",
            scope=self.other_district,
        )
        self.riders = [city.alice]
        points.pool_issue(points=100_000, reason="budget", by=city.adam)

    def rider(self, n):
        while len(self.riders) <= n:
            user = make_user(f"1380000{len(self.riders) + 100:04d}", f"骑手{len(self.riders)}")
            WorkerProfile.objects.create(
                user=user,
                kind="delivery_rider",
                platform=self.city.platform,
                home_district=self.city.district,
                consent_version="2026-11",
                consent_at=timezone.now(),
            )
            self.riders.append(user)
        return self.riders[n]

    # --- grievances
    def case_filed(self, **kw):
        case = self.cases.filed(**kw)
        case.district = self.city.district
        case.save(update_fields=["district"])
        return case

    def case_step(self, case, step):
        c, dora, dan = self.city, self.city.dora, self.city.dan
        case.refresh_from_db()
        if step == "accept":
            return cases.case_accept(case=case, actor=dora)
        if step == "dispatch":
            return cases.case_dispatch(case=case, actor=dora, department=c.labour)
        if step == "sign_for":
            return cases.case_sign_for(case=case, actor=dan)
        if step == "return":
            return cases.case_return(case=case, actor=dan, reason="不归本部门")
        if step == "reply":
            return cases.case_reply(case=case, actor=dan, text="已处理")
        if step == "satisfied":
            return cases.case_follow_up(case=case, actor=c.alice, rating="satisfied")
        if step == "dissatisfied":
            return cases.case_follow_up(case=case, actor=c.alice, rating="dissatisfied")
        if step == "extend":
            cases.case_request_extension(case=case, actor=dan, days=3, reason="需要调查")
            case.refresh_from_db()
            return cases.case_decide_extension(case=case, actor=dora, approve=True)
        raise ValueError(step)

    # --- hazard reports
    def report(self, lat=36.02, lng=103.82):
        return reports.report_submit(
            reporter=None, category=self.light, lat=lat, lng=lng, source="test"
        ).report

    def report_step(self, report, step):
        grace = self.city.grace
        report.refresh_from_db()
        if step == "accept":
            return reports.report_accept(user=grace, report_id=report.pk)
        if step == "resolve":
            return reports.report_resolve(
                user=grace, report_id=report.pk, note="修好了", after_photo=small_jpeg(report.pk)
            )
        if step == "reject":
            return reports.report_reject(
                user=grace, report_id=report.pk, reason="invalid", note="不是隐患"
            )
        raise ValueError(step)

    # --- stations and points
    def visit(self, n=0):
        visit, _ = stations.visit_check_in(
            worker=self.rider(n),
            station=self.city.station,
            method=StationVisit.Method.QR,
            token=stations.check_in_token(self.city.station),
        )
        return visit

    def grant(self, n=0, amount=10):
        return points.grant(worker=self.rider(n), points=amount, reason="test", by=self.city.adam)


@pytest.fixture
def world(city):
    return World(city)


def days_ago(n, hour=10, minute=0):
    """A moment `n` days before the suite's fixed Tuesday (tests.clock.DEFAULT_MOMENT)."""
    return DEFAULT_MOMENT.replace(hour=hour, minute=minute) - dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def _live_delta_uncached(settings):
    """Tests read the live delta fresh (the pages share it for 15 s between requests)."""
    settings.DASHBOARD_LIVE_SECONDS = 0
