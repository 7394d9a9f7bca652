"""The test city plus what training needs: a regional centre for symposia, the volunteer
coordinator, more workers, the points rules for courses and events, and helpers that
create a course or an event through the real service."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import make_user
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.stations.models import Station
from yizhan.training import services
from yizhan.training.services import ActivityData


class Training:
    def __init__(self, city):
        self.city = city
        self.centre = Station.objects.create(
            code="C1",
            name="城关新兴领域党群服务中心",
            kind="regional",
            lat=36.03,
            lng=103.83,
            community=city.community_a,
        )
        self.other_station = Station.objects.create(
            code="S2", name="乙小蜜蜂驿站", kind="little_bee", lat=36.07, lng=103.82
        )
        self.cora = make_user("13900000007", "协调员", role=Role.VOLUNTEER_COORDINATOR)
        self._n = 0

    def worker(self, name=None, *, platform=None, district=None):
        self._n += 1
        user = make_user(f"1370000{self._n:04d}", name or f"骑手{self._n}")
        WorkerProfile.objects.create(
            user=user,
            kind=WorkerProfile.Kind.COURIER,
            platform=platform,
            home_district=district or self.city.district,
            consent_version="2026-11",
            consent_at=timezone.now(),
        )
        return user

    def data(self, **kw) -> ActivityData:
        start = kw.pop("starts_at", None) or timezone.now() + dt.timedelta(days=2)
        fields = {
            "kind": "course",
            "topic": "first_aid",
            "title": "急救培训",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "capacity": 10,
            "station_id": self.city.station.pk,
        }
        fields.update(kw)
        return ActivityData(**fields)

    def course(self, *, by=None, **kw):
        return services.activity_create(organiser=by or self.city.kim, data=self.data(**kw))

    def event(self, *, by=None, **kw):
        kw.setdefault("kind", "party")
        kw.setdefault("topic", "")
        kw.setdefault("title", "暖心生日会")
        return services.activity_create(organiser=by or self.city.kim, data=self.data(**kw))

    def now_course(self, **kw):
        """A course whose door is open now (it starts in half an hour)."""
        return self.course(starts_at=timezone.now() + dt.timedelta(minutes=30), **kw)


@pytest.fixture
def training(city):
    return Training(city)


@pytest.fixture
def rules(db):
    """The points rules the city publishes for courses and events, and a funded pool."""
    from yizhan.points import services as points
    from yizhan.points.models import EarningRule

    points.pool_issue(points=10_000, reason="2026 budget")
    EarningRule.objects.create(code="training", name="技能培训结业", source="training", points=30)
    EarningRule.objects.create(code="event", name="驿站活动签到", source="event", points=10)


@pytest.fixture
def english(settings):
    """Service tests read the English messages (pages are tested in Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
