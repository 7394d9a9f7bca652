"""Disclosures: filed by the platform's representative, reviewed and published by the city,
versioned with effective dates, never overwritten, stale after 90 days unconfirmed."""

import datetime as dt

import pytest

from tests.transparency.conftest import at
from yizhan.core.errors import Conflict, Invalid, NotAllowed
from yizhan.core.models import Notification
from yizhan.transparency import selectors, services
from yizhan.transparency.models import CommissionCap, Disclosure, DisclosureEvent


def test_the_representative_files_and_the_city_is_told(world):
    d = world.file(world.ride, {"ride_express": 2500})
    assert (d.version, d.state) == (1, Disclosure.State.SUBMITTED)
    note = Notification.objects.get(recipient=world.city.adam)
    assert "黄河出行" in note.render() and "1" in note.render()
    # Not public until the city publishes it.
    assert selectors.current_disclosure(world.ride) is None


@pytest.mark.parametrize("who", ["pat", "alice", "adam"])
def test_only_the_platforms_own_representative_files(world, who):
    with pytest.raises(NotAllowed):
        services.disclosure_file(
            platform=world.ride,
            actor=getattr(world.city, who),
            effective_from=dt.date(2026, 12, 1),
            caps=[services.CapIn(world.express.pk, 2500)],
        )
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("bp", [-1, 10_001, 250_000])
def test_a_cap_outside_0_to_100_percent_is_refused_and_nothing_stored(world, bp):
    with pytest.raises(Invalid) as refused:
        world.file(world.ride, {"ride_express": bp})
    assert "必须在 0% 到 100% 之间" in str(refused.value.fields["caps"][0])
    assert not Disclosure.objects.exists() and not CommissionCap.objects.exists()


def test_a_service_of_another_platform_kind_is_refused(world):
    with pytest.raises(Invalid) as refused:
        world.file(world.ride, {"food_delivery": 2000})
    assert "没有这种服务类型" in str(refused.value.fields["caps"][0])
    assert not Disclosure.objects.exists()


def test_a_version_cannot_take_effect_in_the_past(world):
    with pytest.raises(Invalid) as refused:
        world.file(world.ride, {"ride_express": 2500}, effective_from=dt.date(2026, 5, 1))
    assert "effective_from" in refused.value.fields
    assert not Disclosure.objects.exists()


def test_versions_keep_their_history_and_the_cap_in_force_follows_the_dates(world):
    v1 = world.ride_caps(express=2800, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    v2 = world.ride_caps(express=2500, effective_from=dt.date(2026, 9, 1), now=at(2026, 8, 20))
    assert (v1.version, v2.version) == (1, 2)
    table = selectors.cap_table([world.ride.pk])
    assert table.cap_on(world.ride.pk, world.express.pk, dt.date(2026, 5, 31)) is None
    assert table.cap_on(world.ride.pk, world.express.pk, dt.date(2026, 7, 15)) == 2800
    assert table.cap_on(world.ride.pk, world.express.pk, dt.date(2026, 11, 16)) == 2500
    v1.refresh_from_db()
    assert v1.state == Disclosure.State.PUBLISHED  # never overwritten
    assert [c.cap_bp for c in v1.caps.filter(service_type=world.express)] == [2800]
    assert selectors.current_disclosure(world.ride).version == 2


def test_filing_again_before_review_replaces_the_waiting_version_in_the_history(world):
    first = world.file(world.ride, {"ride_express": 3000})
    second = world.file(world.ride, {"ride_express": 2500})
    first.refresh_from_db()
    assert first.state == Disclosure.State.WITHDRAWN and second.version == 2
    assert DisclosureEvent.objects.filter(disclosure=first, action="withdraw").exists()


def test_the_city_returns_a_version_with_a_reason_and_the_platform_is_told(world):
    d = world.file(world.ride, {"ride_express": 3500})
    with pytest.raises(Invalid):
        services.disclosure_reject(disclosure=d, actor=world.city.adam, reason="  ")
    services.disclosure_reject(
        disclosure=d, actor=world.city.adam, reason="抽成上限超过行业通行水平，请说明"
    )
    d.refresh_from_db()
    assert d.state == Disclosure.State.REJECTED
    note = Notification.objects.filter(recipient=world.rita).latest("id")
    assert "抽成上限超过行业通行水平" in note.render()
    with pytest.raises(Conflict):
        services.disclosure_publish(disclosure=d, actor=world.city.adam)


def test_only_the_city_administrator_publishes(world):
    d = world.file(world.ride, {"ride_express": 2500})
    for who in (world.rita, world.city.dora, world.city.alice):
        with pytest.raises(NotAllowed):
            services.disclosure_publish(disclosure=d, actor=who)


def test_publishing_tells_the_platforms_workers_what_changed(
    world, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world.ride_caps(express=2800, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    run_tasks()
    before = Notification.objects.filter(recipient=world.driver).count()
    with django_capture_on_commit_callbacks(execute=True):
        world.ride_caps(express=2500, effective_from=dt.date(2026, 12, 1), now=at(2026, 11, 24))
    run_tasks()
    notes = list(Notification.objects.filter(recipient=world.driver).order_by("id"))
    assert len(notes) == before + 1
    text = notes[-1].render()
    assert "黄河出行" in text and "快车 28.0%→25.0%" in text and "2026-12-01" in text
    # Workers of other platforms are not told.
    assert not Notification.objects.filter(recipient=world.city.alice, verb="transparency").exists()


def test_a_disclosure_not_confirmed_for_90_days_is_flagged_stale_once(world, clock):
    world.ride_caps(effective_from=dt.date(2026, 11, 30), now=at(2026, 11, 24))
    clock.move_to(at(2027, 2, 21))  # 89 days after publication
    assert not selectors.is_stale(selectors.current_disclosure(world.ride))
    assert services.stale_sweep() == 0
    clock.move_to(at(2027, 2, 23, 11))
    current = selectors.current_disclosure(world.ride)
    assert selectors.is_stale(current)
    assert services.stale_sweep() == 1
    assert services.stale_sweep() == 0  # once per lapse
    assert Notification.objects.filter(recipient=world.rita).latest("id").render().count("90") == 1
    assert Notification.objects.filter(recipient=world.city.adam, verb="transparency").exists()
    services.disclosure_confirm(platform=world.ride, actor=world.rita)
    assert not selectors.is_stale(selectors.current_disclosure(world.ride))
    assert DisclosureEvent.objects.filter(action="confirm").count() == 1


def test_the_public_page_needs_no_login_and_shows_caps_history_and_stale_flag(world, client, clock):
    world.ride_caps(express=2800, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    world.ride_caps(express=2500, effective_from=dt.date(2026, 11, 1), now=at(2026, 10, 20))
    world.file(world.ride, {"ride_express": 1000}, now=at(2026, 11, 24))  # not public yet
    page = client.get("/transparency/p/huanghe/").content.decode()
    assert "25.0%" in page and "28.0%" in page and "10.0%" not in page
    assert 'data-chart="caps"' in page and "cap-chart-data" in page  # chart + table
    assert "久未确认" not in page
    clock.move_to(at(2027, 1, 20))  # 92 days after version 2 was published
    page = client.get("/transparency/p/huanghe/").content.decode()
    assert "久未确认" in page
    listing = client.get("/transparency/").content.decode()
    assert "黄河出行" in listing and "快车" in listing
