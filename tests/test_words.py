"""Words (issue 10): every page a role reaches from its navigation, and the record one click
away from each list, reads as finished Chinese (no English strings, slugs, reprs, "---------"
or CLI hints) and, in English, shows no Chinese string of the catalogues.

The pages are those of the demo city (small scale, built once for the module): every role has
a login there and every list has records. For each role, the pages are the home page, the
entries of `yizhan.core.nav` the role sees (home-page tiles, side menu, tab bar, the shortcuts
of the person's own page), the notifications inbox, and the first record link inside <main>
of each of those pages. What may not be on a page is in tests/pages.py.
"""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction

from tests.clock import DEFAULT_MOMENT
from tests.pages import chinese_page_problems, english_page_problems, local_path, main_links

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "worker",
    "city_admin",
    "dispatcher",
    "grid_officer",
    "department_officer",
    "station_keeper",
    "platform_rep",
    "volunteer_coordinator",
    "district_officer",
    "organisation_officer",
]
ANONYMOUS_PAGES = ["/", "/login/", "/register/", "/privacy/"]
NOT_PAGES = re.compile(r"^/(i18n|static|media|api)/|/logout/|/export|\.(csv|xlsx|json|pdf)$")


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The small demo city, built once for the module and rolled back after it."""
    from yizhan.accounts.models import User
    from yizhan.core.pii import blind_index
    from yizhan.demo.generator import CityGenerator, demo_logins
    from yizhan.places.selectors import invalidate_index

    with django_db_blocker.unblock(), time_machine.travel(DEFAULT_MOMENT, tick=True):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            CityGenerator(scale="small").build()
            people = {}
            for login in demo_logins():
                if login.role not in people:
                    people[login.role] = User.objects.get(mobile_index=blind_index(login.mobile))
            yield people
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            invalidate_index()
            cache.clear()


def nav_pages(user) -> list[str]:
    from yizhan.accounts.permissions import roles
    from yizhan.core import nav

    if user is None:
        return list(ANONYMOUS_PAGES)
    pages = ["/", "/inbox/"]
    held = roles(user)
    for place in (nav.TILE, nav.MENU, nav.TAB, nav.ME):
        for entry in nav.entries_for(user, held, place):
            url = entry.url()
            assert url, f"{entry.key} leads nowhere"
            pages.append(url)
    return list(dict.fromkeys(pages))


def first_record_link(page: str, html: str, seen: set) -> str | None:
    for href in main_links(html):
        path = local_path(href)
        if not path or path == page or path in seen or NOT_PAGES.search(path):
            continue
        if path.startswith(page) or re.search(r"/\d+/", path):
            return path
    return None


def walk(client, user, check) -> dict[str, list[str]]:
    """Render the role's pages and the first record of each; {url: problems} of the bad ones."""
    found, seen = {}, set()

    def visit(url, came_from=""):
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            found[url] = [f"status {response.status_code} {came_from}".strip()]
            return None, url
        if "text/html" not in response.get("Content-Type", ""):
            return None, url
        html = response.content.decode()
        if problems := check(html):
            found[url] = problems
        return html, response.request["PATH_INFO"]

    for page in nav_pages(user):
        html, landed = visit(page)
        record = html and first_record_link(landed, html, seen)
        if record:
            visit(record, f"(from {page})")
    return found


def client_for(client, demo_city, role, language):
    user = None if role == "anonymous" else demo_city[role]
    if user is not None:
        client.force_login(user, backend="yizhan.accounts.backends.MobilePasswordBackend")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client, user


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {'; '.join(dict.fromkeys(p))}" for url, p in found.items())


@pytest.mark.parametrize("role", ROLES)
def test_chinese_pages_show_no_english_slugs_or_reprs(demo_city, client, role):
    client, user = client_for(client, demo_city, role, "zh-hans")
    found = walk(client, user, chinese_page_problems)
    assert not found, f"{role}:\n{report(found)}"


@pytest.mark.parametrize("role", ROLES)
def test_english_pages_show_no_chinese_strings_of_the_code(demo_city, client, role):
    client, user = client_for(client, demo_city, role, "en")
    assert "Log out" in client.get("/").content.decode() or user is None
    found = walk(client, user, english_page_problems)
    assert not found, f"{role}:\n{report(found)}"


# --- demo data that earns trust (issue 10) ------------------------------------------------


def test_demo_report_histories_read_as_they_happened(demo_city):
    from django.utils import timezone

    from yizhan.reports.models import Report, ReportEvent

    order = ["submitted", "accepted", "started", "resolved", "closed"]
    now = timezone.now()
    checked = 0
    for report in Report.objects.prefetch_related("history"):
        steps = [e for e in report.history.all() if e.action in order]
        assert steps and steps[0].action == "submitted"
        assert abs((steps[0].created_at - report.created_at).total_seconds()) < 60, report.pk
        times = [e.created_at for e in sorted(steps, key=lambda e: order.index(e.action))]
        assert times == sorted(times), (report.pk, [(e.action, e.created_at) for e in steps])
        assert all(t <= now for t in times)
        if report.closed_at and report.resolved_at:
            assert report.resolved_at <= report.closed_at
        checked += len(steps) > 1
    assert checked  # some reports went further than submitted
    assert ReportEvent.objects.exclude(action="submitted").exists()


def test_demo_points_entries_for_reports_open_real_reports(demo_city, client):
    from yizhan.points.models import Posting
    from yizhan.reports.models import Report

    awards = Posting.objects.filter(source_type="report")
    assert awards.exists()
    for posting in awards:
        report = Report.objects.get(pk=int(posting.source_id))
        assert report.verified_at is not None
        assert posting.entries.filter(account__owner=report.reporter).exists()
    worker = demo_city["worker"]
    client.force_login(worker, backend="yizhan.accounts.backends.MobilePasswordBackend")
    page = client.get("/points/").content.decode()
    links = [p for p in map(local_path, main_links(page)) if p and p.startswith("/reports/")]
    assert links
    assert client.get(links[0]).status_code == 200


def test_demo_stations_have_visits_in_their_statistics(demo_city, client):
    from yizhan.stations.models import StationVisit

    keeper = demo_city["station_keeper"]
    station = keeper.role_assignments.get(role="station_keeper").station
    assert StationVisit.objects.filter(station=station).count() >= 30
    assert StationVisit.objects.values("station").distinct().count() >= 20
    client.force_login(keeper, backend="yizhan.accounts.backends.MobilePasswordBackend")
    stats = client.get(f"/staff/stations/{station.code}/stats/")
    assert stats.status_code == 200
    assert re.search(r">\s*[1-9]\d*\s*<", stats.content.decode())
