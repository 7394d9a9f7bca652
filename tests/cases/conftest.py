"""The test city plus the case reference data (categories, limits, hotlines) and helpers
to bring a case to any state through the real steps."""

import datetime as dt

import pytest
from django.utils import translation

from yizhan.cases import services
from yizhan.cases.deadlines import LOCAL
from yizhan.cases.demo import seed_reference_data
from yizhan.cases.models import Category, HotlineSource
from yizhan.orgs.models import Department

WEBHOOK_KEY = "test-webhook-key-0123456789abcdef"


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


class Cases:
    def __init__(self, city):
        seed_reference_data()
        self.city = city
        self.wages = Category.objects.get(code="wage_arrears")
        self.access = Category.objects.get(code="access")
        self.other = Category.objects.get(code="other")
        self.transport = Department.objects.get(code="transport")
        self.hotline = HotlineSource.objects.get(code="12345")
        services.hotline_source_set_key(source=self.hotline, key=WEBHOOK_KEY)

    def filed(
        self, *, now=None, withhold=False, category=None, description="站点拖欠3月工资2800元"
    ):
        case, _ = services.case_submit(
            worker=self.city.alice,
            category=category or self.wages,
            description=description,
            withhold_identity=withhold,
            now=now,
        )
        return case

    def accepted(self, **kw):
        case = self.filed(**kw)
        return services.case_accept(case=case, actor=self.city.dora, now=kw.get("now"))

    def dispatched(self, **kw):
        case = self.accepted(**kw)
        return services.case_dispatch(
            case=case, actor=self.city.dora, department=self.city.labour, now=kw.get("now")
        )

    def signed(self, **kw):
        case = self.dispatched(**kw)
        return services.case_sign_for(case=case, actor=self.city.dan, now=kw.get("now"))

    def replied(self, **kw):
        case = self.signed(**kw)
        return services.case_reply(
            case=case, actor=self.city.dan, text="已责令站点三日内结清工资。", now=kw.get("now")
        )


def inbox(user, *, verb=None) -> list[str]:
    """The user's notifications as they read them (in Chinese), newest first."""
    from yizhan.core.models import Notification

    notes = Notification.objects.filter(recipient=user)
    if verb:
        notes = notes.filter(verb=verb)
    with translation.override("zh-hans"):
        return [n.render() for n in notes]


@pytest.fixture
def cases(city):
    return Cases(city)
