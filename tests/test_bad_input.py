"""Property tests: the values that broke pages before (NUL characters, 2**63, -1, 1e309, NaN,
10,000-character strings, unicode oddities) sent to every form, filter and API field never
produce a server error.

Every form and filter is found, not listed: each role's pages are crawled from the home page
(links and forms as the HTML has them), then hypothesis fills each form's fields, and each
numeric path segment, with such values. The API's fields come from its OpenAPI document.
Marked `fuzz` (make test runs it in its own process).
"""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yizhan.accounts.services import api_token_issue

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

NASTY = [
    "\x00",
    "a\x00b",
    str(2**63),
    str(2**63 - 1),
    "99999999999999999999",
    "-1",
    "-9223372036854775809",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "0",
    "",
    " ",
    "x" * 10_000,
    "长" * 10_000,
    "𝕏😀\u200d👩‍👩‍👧",
    "\u202eevil\u202c",
    "\ufeff\ufffe",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "..%2f..%2f",
    "[]",
    "{}",
    "null",
    "2026-02-30",
    "9999-12-31T23:59:59",
]
NASTY_JSON = [
    *NASTY,
    2**63,
    -(2**63) - 1,
    -1,
    10**30,
    1e308,
    float("nan"),
    float("inf"),
    None,
    True,
    [],
    {},
    ["\x00"],
    {"a": "\x00"},
]
SKIP = ("/static/", "/media/", "/admin/", "/logout/", "/i18n/", "/api/", "/me/delete/")
ROLES = ["anonymous", "alice", "grace", "dora", "adam", "kim", "dan", "pat"]


class Page(HTMLParser):
    """Links and forms of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea") and self._form is not None:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken" and attrs.get("type") != "file":
                self._form["fields"].setdefault(name, attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def crawl(client, limit=70):
    """Every page reachable from home (GET only), and the forms on them."""
    seen, queue, forms = set(), ["/"], {}
    while queue and len(seen) < limit:
        url = queue.pop(0).split("#")[0]
        if not url or url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode("utf-8", "replace"))
        queue.extend(link for link in page.links if link not in seen)
        for form in page.forms:
            action = form["action"] or urlsplit(url).path
            if action.startswith(SKIP) or not form["fields"]:
                continue
            key = (form["method"], action, tuple(sorted(form["fields"])))
            forms.setdefault(key, {**form, "action": action})
    return seen, list(forms.values())


def client_for(city, role):
    client = Client()
    if role != "anonymous":
        client.force_login(
            getattr(city, role), backend="yizhan.accounts.backends.MobilePasswordBackend"
        )
    return client


@pytest.fixture
def quiet_connections(city):
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield city
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
def test_no_form_or_filter_answers_500_to_bad_values(role, quiet_connections):
    city = quiet_connections
    client = client_for(city, role)
    pages, forms = crawl(client)
    assert pages and (forms or role == "anonymous")

    for form in forms:
        check_form(client, form)


def check_form(client, form):
    """Hypothesis fills the form's fields with bad values (or what the page put there)."""
    names = sorted(form["fields"])
    values = st.fixed_dictionaries(
        {n: st.sampled_from(NASTY) | st.just(form["fields"][n]) for n in names}
    )

    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(values)
    def send(values):
        if form["method"] == "post":
            response = client.post(form["action"], values)
        else:
            response = client.get(form["action"] + "?" + urlencode(values))
        assert response.status_code < 500, (form["action"], values)

    send()


NUMBER = re.compile(r"(?<=/)\d+(?=/)")


@pytest.mark.parametrize("role", ["alice", "dora", "adam"])
def test_no_page_answers_500_to_ids_and_query_values_out_of_range(role, quiet_connections):
    city = quiet_connections
    client = client_for(city, role)
    pages, _forms = crawl(client)
    with_ids = sorted({NUMBER.sub("{}", p) for p in pages if NUMBER.search(p)})
    with_query = sorted({p for p in pages if "?" in p})

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        st.sampled_from(with_ids or ["/"]),
        st.sampled_from(["0", str(2**63), "99999999999999999999"]),
    )
    def ids(template, number):
        url = template.replace("{}", number)
        assert client.get(url).status_code < 500, url

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(with_query or ["/?page=1"]), st.sampled_from(NASTY))
    def queries(url, value):
        path, _, query = url.partition("?")
        params = {k: value for k, _v in parse_qsl(query, keep_blank_values=True)}
        assert client.get(path + "?" + urlencode(params)).status_code < 500, (path, params)

    ids()
    queries()


# --- the API's fields, from its document -------------------------------------------------


def operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    found = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            params = [(p["in"], p["name"]) for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {})
            kind = "json" if "application/json" in body else ("form" if body else None)
            if kind:
                schema = next(iter(body.values()))["schema"]
                if "$ref" in schema:
                    schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
                params += [("body", name) for name in schema.get("properties", {})]
            found.append((method, path, kind, params))
    return found


@pytest.mark.parametrize("who", ["anonymous", "alice", "dora"])
def test_no_api_field_answers_500_to_bad_values(who, quiet_connections):
    city = quiet_connections
    client = Client()
    headers = {}
    if who != "anonymous":
        token = api_token_issue(user=getattr(city, who)).token
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    ops = [(m, p, k, f) for m, p, k, f in operations(client) if f]

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(ops), st.data())
    def send(op, data):
        method, path, kind, fields = op
        where, name = data.draw(st.sampled_from(fields))
        value = data.draw(
            st.sampled_from(NASTY_JSON if where == "body" and kind == "json" else NASTY)
        )
        url = re.sub(r"\{[^}]+\}", "1", path)
        query, body = {}, {}
        if where == "path":
            url = path.replace("{" + name + "}", str(value) or "x")
            url = re.sub(r"\{[^}]+\}", "1", url)
        elif where == "query":
            query[name] = value
        elif where == "body":
            body[name] = value
        if query:
            url += "?" + urlencode(query)
        call = getattr(client, method)
        if kind == "json":
            import json

            response = call(
                url, json.dumps(body, allow_nan=True), content_type="application/json", **headers
            )
        elif kind == "form":
            response = call(url, {k: str(v) for k, v in body.items()}, **headers)
        else:
            response = call(url, **headers)
        assert response.status_code < 500, (method, url, where, name, repr(value)[:60])
        assert response["Content-Type"].startswith("application/json") or response.status_code < 400

    send()
