"""Production mode as documented: collectstatic with the hashed, compressed manifest, then a
request to each kind of page under YIZHAN_ENV=production answers 200 (issue: a missing source
map once broke the manifest and every HTML page answered 500)."""

import json
import os
import subprocess
import sys

from cryptography.fernet import Fernet

SCRIPT = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
from django.templatetags.static import static
from django.test import Client
from yizhan.accounts.models import User
css = static("yizhan/app.css")
assert css != "/static/yizhan/app.css", css
admin = User.objects.create_superuser("13900000001", "Sturdy-pass-2026", name="管理员")
anonymous = Client(HTTP_HOST="yizhan.example.cn")
staff = Client(HTTP_HOST="yizhan.example.cn")
staff.force_login(admin, backend="yizhan.accounts.backends.MobilePasswordBackend")
out = {}
for who, client, urls in [
    ("anonymous", anonymous, ["/", "/login/", "/register/", "/privacy/", "/stations/",
                              "/reports/public/", "/api/v1/docs", "/api/v1/openapi.json",
                              "/admin/login/", "/no-such-page/"]),
    ("admin", staff, ["/", "/admin/", "/inbox/", "/me/"]),
]:
    for url in urls:
        response = client.get(url, secure=True)
        body = response.content.decode("utf-8", "replace") if response.status_code < 500 else ""
        out[f"{who} {url}"] = [response.status_code, css in body]
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
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    wrong = {page: status for page, (status, _) in pages.items() if status not in (200, 404)}
    assert not wrong, wrong
    assert pages["anonymous /no-such-page/"][0] == 404
    # Pages link the hashed names, never the bare ones (a one-year cache is then safe).
    assert all(hashed for page, (status, hashed) in pages.items() if page.endswith(" /"))
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["yizhan/app.css"]
    assert hashed_css != "yizhan/app.css"
    assert (static_root / (hashed_css + ".gz")).exists()
    assert (static_root / (hashed_css + ".br")).exists()
    assert "vendor/leaflet/leaflet.js" in manifest["paths"]
