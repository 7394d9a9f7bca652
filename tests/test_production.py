"""Production mode as documented: collectstatic with the hashed, compressed manifest, then every
kind of page under YIZHAN_ENV=production — each role's pages, crawled from the home page as
that person (worker, grid officer, dispatcher, administrator, keeper, department officer,
platform), the back office and the API docs — answers without a server error (issue: a
missing source map once broke the manifest and every HTML page answered 500)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])  # the project: the tests' city and crawler
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
from django.templatetags.static import static
from django.test import Client
from tests.conftest import City
from tests.test_bad_input import crawl
css = static("yizhan/app.css")
assert css != "/static/yizhan/app.css", css
city = City()


class HttpsClient(Client):
    def get(self, path, *args, **kwargs):
        return super().get(path, *args, secure=True, **kwargs)


out = {}
for who in ["anonymous", "alice", "grace", "dora", "adam", "kim", "dan", "pat"]:
    client = HttpsClient(HTTP_HOST="yizhan.example.cn")
    if who != "anonymous":
        client.force_login(getattr(city, who), backend="yizhan.accounts.backends.MobilePasswordBackend")
    pages, _forms = crawl(client, limit=40)
    extra = ["/api/v1/docs", "/api/v1/openapi.json", "/admin/login/", "/no-such-page/"]
    if who == "adam":
        extra += ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{city.alice.pk}/change/"]
    for url in sorted(pages) + extra:
        response = client.get(url)
        html = response.get("Content-Type", "").startswith("text/html")
        body = response.content.decode("utf-8", "replace") if response.status_code < 500 else ""
        out[f"{who} {url}"] = [response.status_code, css in body, html]
print(json.dumps(out))
"""


def test_production_serves_every_kind_of_page_from_the_manifest(tmp_path):
    static_root = tmp_path / "static"
    env = dict(
        os.environ,
        YIZHAN_ENV="production",
        SECRET_KEY="p" * 20 + "production-secret-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="yizhan.example.cn",
        YIZHAN_PII_KEYS=Fernet.generate_key().decode(),
        YIZHAN_PII_HASH_KEY="hash-key-for-the-test-" + "k" * 32,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(static_root),
        YIZHAN_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="yizhan.settings",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    project = str(Path(__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, project],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    wrong = {
        page: status
        for page, (status, _css, _html) in pages.items()
        if status >= 500 or status in (400, 403)
    }
    assert not wrong, wrong
    assert pages["anonymous /no-such-page/"][0] == 404
    assert len({p.split(" ", 1)[1] for p in pages}) > 60  # every kind of page, every role
    # Pages link the hashed names, never the bare ones (a one-year cache is then safe).
    unhashed = [
        page
        for page, (status, hashed, html) in pages.items()
        if html and status == 200 and not hashed and " /admin/" not in page and "/api/" not in page
    ]
    assert not unhashed, unhashed
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["yizhan/app.css"]
    assert hashed_css != "yizhan/app.css"
    assert (static_root / (hashed_css + ".gz")).exists()
    assert (static_root / (hashed_css + ".br")).exists()
    assert "vendor/leaflet/leaflet.js" in manifest["paths"]
