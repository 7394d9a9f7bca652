"""The test city plus what transparency needs: the cases' reference data (the commission
category, the transport and market departments), the default routing, a ride-hailing
driver and the representative of his platform, and helpers to publish disclosures and to
write statements."""

import csv
import datetime as dt
import io

import pytest

from tests.conftest import make_user
from yizhan.accounts.models import Role, WorkerProfile
from yizhan.cases.demo import seed_reference_data
from yizhan.orgs.models import Department, Platform
from yizhan.transparency import services
from yizhan.transparency.models import ServiceType
from yizhan.transparency.selectors import LOCAL


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


RIDE_HEADER = ["订单号", "完成时间", "服务类型", "乘客支付(元)", "司机收入(元)", "行驶时长(分钟)"]


def ride_rows(n, *, start=dt.date(2026, 11, 16), fare="50.00", payout="34.00", prefix="HH"):
    """n ride-hailing orders in the week of `start`: 50.00 paid, 34.00 to the driver = 32 %."""
    return [
        [
            f"{prefix}{i:05d}",
            f"{start + dt.timedelta(days=i % 7)} {8 + i % 10:02d}:30",
            "快车",
            fare,
            payout,
            "25",
        ]
        for i in range(n)
    ]


def csv_bytes(rows, *, header=RIDE_HEADER, encoding="utf-8", meta=()):
    out = io.StringIO()
    writer = csv.writer(out)
    for line in meta:
        writer.writerow(line)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


class World:
    def __init__(self, city):
        seed_reference_data()
        services.routing_defaults_ensure()
        self.city = city
        self.delivery = city.platform  # 陇上快送
        self.ride = city.other_platform  # 黄河出行
        self.freight = Platform.objects.create(code="silu", name="丝路货运", kind="freight")
        self.transport = Department.objects.get(code="transport")
        self.market = Department.objects.get(code="market")
        self.express = ServiceType.objects.get(code="ride_express")
        self.premium = ServiceType.objects.get(code="ride_premium")
        self.food = ServiceType.objects.get(code="food_delivery")
        self.city_freight = ServiceType.objects.get(code="freight_city")
        self.driver = make_user("13800000002", "李大山")
        WorkerProfile.objects.create(
            user=self.driver,
            kind=WorkerProfile.Kind.RIDE_HAILING_DRIVER,
            platform=self.ride,
            home_district=city.district,
            consent_version="2026-11",
            consent_at=at(2026, 1, 5),
        )
        self.rita = make_user(
            "13900000016",
            "黄河出行代表",
            role=Role.PLATFORM_REP,
            scope_field="platform",
            scope=self.ride,
        )
        self.tom = make_user(
            "13900000014",
            "交通局干部",
            role=Role.DEPARTMENT_OFFICER,
            scope_field="department",
            scope=self.transport,
        )
        self.sam = make_user(
            "13900000015",
            "丝路代表",
            role=Role.PLATFORM_REP,
            scope_field="platform",
            scope=self.freight,
        )

    def rep(self, platform):
        return {
            self.delivery.pk: self.city.pat,
            self.ride.pk: self.rita,
            self.freight.pk: self.sam,
        }[platform.pk]

    def file(self, platform, caps, *, effective_from=None, now=None, **rules):
        now = now or at(2026, 5, 20)
        disclosure, _ = services.disclosure_file(
            platform=platform,
            actor=self.rep(platform),
            effective_from=effective_from or (now + dt.timedelta(days=12)).date(),
            caps=[
                services.CapIn(ServiceType.objects.get(code=code).pk, bp)
                for code, bp in caps.items()
            ],
            now=now,
            **rules,
        )
        return disclosure

    def publish(self, platform, caps, *, effective_from=None, now=None, **rules):
        """File as the platform's representative and publish as the city administrator."""
        now = now or at(2026, 5, 20)
        disclosure = self.file(platform, caps, effective_from=effective_from, now=now, **rules)
        return services.disclosure_publish(disclosure=disclosure, actor=self.city.adam, now=now)

    def ride_caps(self, express=2500, premium=2000, **kw):
        return self.publish(
            self.ride,
            {"ride_express": express, "ride_premium": premium},
            pricing_rules="起步价8元（3公里），里程费1.8元/公里",
            max_continuous_minutes=240,
            forced_rest_minutes=20,
            max_daily_minutes=600,
            max_weekly_minutes=3600,
            injury_insurance="全体注册司机纳入新就业形态人员职业伤害保障试点",
            appeal_channel="App内“账号申诉”，3个工作日内答复；客服电话 400-000-0000",
            **kw,
        )


@pytest.fixture
def world(city):
    return World(city)
