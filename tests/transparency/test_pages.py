"""Who sees which page: the public pages without a login, the worker's check only for
workers, the console only for a platform's representative (and only their platform), the
review for the city, routing for the dispatcher."""

import datetime as dt

import pytest

from tests.transparency.conftest import at, csv_bytes, ride_rows
from yizhan.transparency import services

PUBLIC = ["/transparency/", "/transparency/p/huanghe/"]
WORKER = ["/transparency/check/", "/transparency/check/statement/", "/transparency/hours/"]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_need_no_login(world, client, url):
    assert client.get(url).status_code == 200


def test_an_unknown_platform_is_404(world, client):
    assert client.get("/transparency/p/nope/").status_code == 404


@pytest.mark.parametrize("url", WORKER)
def test_worker_pages_ask_anonymous_people_to_log_in(world, client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("url", WORKER)
def test_worker_pages_are_for_workers(world, login, url):
    assert login(world.driver).get(url).status_code == 200
    assert login(world.rita).get(url).status_code == 403


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        ("/transparency/console/", ["rita", "pat"], ["driver", "dora", "adam"]),
        ("/transparency/review/", ["adam", "dora"], ["rita", "driver", "tom"]),
        ("/transparency/disputes/", ["dora", "adam"], ["rita", "driver", "tom"]),
    ],
)
def test_consoles_check_the_role(world, login, url, allowed, refused):
    people = {"rita": world.rita, "driver": world.driver, "tom": world.tom, **vars(world.city)}
    for who in allowed:
        assert login(people[who]).get(url).status_code == 200, who
    for who in refused:
        assert login(people[who]).get(url).status_code == 403, who


def test_a_representative_sees_only_their_platforms_filings(world, login):
    pending = world.file(world.ride, {"ride_express": 2500}, now=at(2026, 11, 24))
    assert login(world.rita).get(f"/transparency/review/{pending.pk}/").status_code == 200
    assert login(world.city.pat).get(f"/transparency/review/{pending.pk}/").status_code == 403
    assert login(world.city.adam).get(f"/transparency/review/{pending.pk}/").status_code == 200


def test_the_representative_files_a_version_from_the_console(world, login):
    client = login(world.rita)
    page = client.get(f"/transparency/console/file/?platform={world.ride.pk}").content.decode()
    assert "抽成上限：快车" in page and "抽成上限：外卖配送" not in page
    response = client.post(
        f"/transparency/console/file/?platform={world.ride.pk}",
        {
            "effective_from": "2026-12-01",
            "cap_ride_express": "25",
            "cap_ride_premium": "150",
            "max_daily": "10",
        },
    )
    assert "必须在 0% 到 100% 之间" in response.content.decode()
    response = client.post(
        f"/transparency/console/file/?platform={world.ride.pk}",
        {"effective_from": "2026-12-01", "cap_ride_express": "25.5", "max_daily": "10"},
    )
    assert response.status_code == 302
    from yizhan.transparency.models import Disclosure

    d = Disclosure.objects.get()
    assert [c.cap_bp for c in d.caps.all()] == [2550] and d.max_daily_minutes == 600


def test_the_city_reviews_and_publishes_from_its_page(world, login):
    pending = world.file(world.ride, {"ride_express": 2500}, now=at(2026, 11, 24))
    client = login(world.city.adam)
    assert "黄河出行" in client.get("/transparency/review/").content.decode()
    detail = client.get(f"/transparency/review/{pending.pk}/").content.decode()
    assert "首个版本" in detail and "发布" in detail
    client.post(f"/transparency/review/{pending.pk}/publish/", {"note": "符合要求"})
    pending.refresh_from_db()
    assert pending.state == "published"


def test_the_dispatcher_routes_from_the_commission_cases_page(world, login):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    services.statement_import(
        worker=world.driver, platform=world.ride, filename="s.csv", data=csv_bytes(ride_rows(6))
    )
    dispute, _ = services.dispute_file(
        worker=world.driver,
        platform=world.ride,
        service_type=world.express,
        week_start=dt.date(2026, 11, 16),
    )
    client = login(world.city.dora)
    page = client.get("/transparency/disputes/").content.decode()
    assert "派往交通运输局" in page
    client.post(f"/transparency/disputes/{dispute.pk}/route/")
    page = client.get("/transparency/disputes/").content.decode()
    assert "已派往交通运输局" in page and "待签收" in page
    assert f"/transparency/disputes/{dispute.pk}/route/" not in page


def test_the_week_page_offers_one_tap_and_then_shows_the_case(world, login):
    world.ride_caps(express=2500, effective_from=dt.date(2026, 6, 1), now=at(2026, 5, 20))
    services.statement_import(
        worker=world.driver, platform=world.ride, filename="s.csv", data=csv_bytes(ride_rows(6))
    )
    client = login(world.driver)
    url = "/transparency/check/huanghe/ride_express/2026-11-16/"
    page = client.get(url).content.decode()
    assert "32.0%" in page and "25.0%" in page and "一键提交抽成诉求" in page
    response = client.post(url + "dispute/", {"withhold_identity": "on"})
    assert response.status_code == 302 and "/cases/" in response["Location"]
    page = client.get(url).content.decode()
    assert "一键提交抽成诉求" not in page and "查看诉求进展" in page
    assert client.get("/transparency/check/huanghe/ride_express/2026-11-17/").status_code == 404
    assert client.get("/transparency/check/huanghe/ride_express/nonsense/").status_code == 404
