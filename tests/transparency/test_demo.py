"""The demo city's transparency: histories of versions, a stale disclosure, filings waiting
for review, and an index that publishes for some platforms and not for others."""

import pytest

from tests.conftest import make_user
from yizhan.accounts.models import WorkerProfile
from yizhan.cases.demo import seed_reference_data
from yizhan.orgs.models import Platform
from yizhan.transparency import selectors
from yizhan.transparency.demo import seed_transparency
from yizhan.transparency.models import CommissionIndex, Disclosure, Dispute


@pytest.fixture
def demo(city):
    """The test city with the demo's six platforms and 120 workers, then the seeder (the
    demo generator calls it the same way after the cases' reference data)."""
    seed_reference_data()
    for code, name, kind in [
        ("jincheng", "金城外卖", "delivery"),
        ("silu", "丝路货运", "freight"),
        ("feiyan", "飞燕快递", "courier"),
        ("tongcheng", "同城急送", "delivery"),
    ]:
        Platform.objects.create(code=code, name=name, kind=kind)
    platforms = list(Platform.objects.order_by("id"))
    for i in range(120):
        user = make_user(f"1360000{i:04d}", f"骑手{i}")
        WorkerProfile.objects.create(
            user=user,
            kind="delivery_rider",
            platform=platforms[i % len(platforms)],
            home_district=city.district,
            consent_version="2026-11",
            consent_at=city.alice.worker.consent_at,
        )
    return seed_transparency()


def test_the_demo_has_versions_stale_flags_and_a_review_queue(demo):
    huanghe = Disclosure.objects.filter(platform__code="huanghe", state="published")
    assert huanghe.count() == 3
    summaries = {s.platform.code: s for s in selectors.platform_summaries()}
    assert not summaries["huanghe"].stale and summaries["jincheng"].stale
    assert summaries["tongcheng"].current is None
    assert {d.platform.code for d in selectors.review_queue()} == {"huanghe", "tongcheng"}


def test_the_demo_index_publishes_for_some_platforms_and_not_for_others(demo):
    last = CommissionIndex.objects.order_by("-month").values_list("month", flat=True).first()
    rows = CommissionIndex.objects.filter(month__lt=last)  # a whole month
    published = set(rows.filter(published=True).values_list("platform__code", flat=True))
    hidden = set(rows.filter(published=False).values_list("platform__code", flat=True)) - published
    assert {"huanghe", "longshang", "feiyan"} <= published
    assert {"silu", "jincheng"} <= hidden


def test_the_demo_driver_has_a_week_above_the_cap_and_someone_filed_a_case(demo):
    from yizhan.accounts.models import User

    driver = User.objects.get_by_mobile("13900000017")
    week = selectors.worker_weeks(worker=driver)[0]
    assert (week.rate_bp, week.cap_bp, week.may_dispute) == (3200, 2500, True)
    assert Dispute.objects.count() == 1


def test_the_seeder_runs_once(demo):
    assert demo["orders"] > 5000
    assert seed_transparency() == {"skipped": True}
