"""Every page a worker reaches from their home page, tab bar and own page, and every list
page behind them, answers any query string with a page or a 400 — never a 500.

The parameters tried are the ones each page's own filter forms and links use (read from
the page), plus the usual suspects, each with values a mistyped or hand-edited address holds:
letters for numbers, numbers beyond any column, dates that are not dates, a NUL, the same
parameter twice, very long text."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from yizhan.accounts.permissions import roles
from yizhan.core import nav

# Pages not reachable from a nav entry, but lists a worker opens from one.
MORE_PAGES = [
    "/inbox/",
    "/points/wishes/",
    "/points/leaderboard/",
    "/points/statement/2026-11/",
    "/reports/public/",
    "/stations/",
]
COMMON = ["page", "q", "month", "district", "status", "state", "category", "kind", "station"]
VALUES = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999999",
    "2026-13",
    "1e309",
    "NaN",
    "%",
    "<script>",
    "x" * 3000,
]


class Inputs(HTMLParser):
    """The names of a page's GET form fields and the query keys of its own links."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._get_form and attrs.get("name"):
            self.names.add(attrs["name"])
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            self.names.update(k for k, _v in parse_qsl(urlsplit(attrs["href"]).query))

    def handle_endtag(self, tag):
        if tag == "form":
            self._get_form = False


def worker_pages(user) -> list[str]:
    held = roles(user)
    urls = {
        e.url() for place in (nav.TILE, nav.TAB, nav.ME) for e in nav.entries_for(user, held, place)
    }
    return sorted(u for u in urls | set(MORE_PAGES) if u and not u.startswith("/admin"))


@pytest.fixture
def worker_client(city, login):
    return login(city.alice)


def test_every_worker_page_survives_any_query_string(city, worker_client):
    pages = worker_pages(city.alice)
    assert len(pages) >= 12, pages
    tried = 0
    for url in pages:
        first = worker_client.get(url)
        assert first.status_code in (200, 302), (url, first.status_code)
        if first.status_code != 200:
            continue
        parser = Inputs()
        parser.feed(first.content.decode())
        names = (parser.names | set(COMMON)) - {"csrfmiddlewaretoken"}
        for name in sorted(names):
            for value in VALUES:
                response = worker_client.get(f"{url}?{urlencode({name: value})}")
                assert response.status_code in (200, 302, 400), (url, name, value[:20])
                tried += 1
            twice = worker_client.get(f"{url}?{name}=1&{name}=abc")
            assert twice.status_code in (200, 302, 400), (url, name, "twice")
            nul = worker_client.get(f"{url}?{name}=a%00b")
            assert nul.status_code in (200, 400), (url, name, "NUL")
    assert tried > 500


def test_page_numbers_beyond_the_list_show_the_last_page(city, worker_client):
    for url in ("/reports/mine/", "/cases/", "/points/", "/inbox/"):
        response = worker_client.get(url, {"page": "99999999999999999999"})
        assert response.status_code == 200, url
        assert re.search(r"<h1>", response.content.decode()), url
