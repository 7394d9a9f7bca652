"""The production profile is hardened: `check --deploy` reports nothing."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet


def production_env(tmp_path, **overrides):
    env = dict(
        os.environ,
        YIZHAN_ENV="production",
        SECRET_KEY="x" * 20 + "production-secret-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="yizhan.example.cn",
        YIZHAN_PII_KEYS=Fernet.generate_key().decode(),
        YIZHAN_PII_HASH_KEY="hash-key-for-the-test-" + "k" * 32,
        YIZHAN_SMS_BACKEND="tests.sms_gateway.GatewaySmsBackend",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)  # left at its default
        else:
            env[name] = value
    return env


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"YIZHAN_PII_KEYS": "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="}, "yizhan.E001"),
        ({"YIZHAN_PII_HASH_KEY": "demo-only-hash-key"}, "yizhan.E002"),
        ({"YIZHAN_PII_HASH_KEY": "k"}, "yizhan.E002"),
        ({"YIZHAN_SMS_BACKEND": "yizhan.core.sms.LogSmsBackend"}, "yizhan.E003"),
        ({"YIZHAN_SMS_BACKEND": "yizhan.core.sms.OutboxSmsBackend"}, "yizhan.E003"),
        ({"YIZHAN_SMS_BACKEND": None}, "yizhan.E003"),
    ],
    ids=[
        "published-pii-key",
        "published-hash-key",
        "one-character-hash-key",
        "sms-to-the-log",
        "sms-to-the-demo-outbox",
        "sms-backend-left-at-its-default",
    ],
)
def test_check_deploy_refuses_published_or_weak_keys_and_a_logging_sms_backend(
    tmp_path, overrides, check_id
):
    result = subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "check", "--deploy"],
        env=production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_a_staging_system_may_keep_texts_in_the_outbox_when_it_says_so(tmp_path):
    env = production_env(
        tmp_path,
        YIZHAN_SMS_BACKEND="yizhan.core.sms.OutboxSmsBackend",
        YIZHAN_SMS_LOG_BACKEND_ALLOWED="true",
    )
    result = subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "yizhan.E003" not in result.stdout + result.stderr


def test_check_deploy_is_clean_in_production_profile(tmp_path):
    env = dict(
        os.environ,
        YIZHAN_ENV="production",
        SECRET_KEY="x" * 20 + "production-secret-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="yizhan.example.cn",
        YIZHAN_PII_KEYS=Fernet.generate_key().decode(),
        YIZHAN_PII_HASH_KEY="hash-key-for-the-test-" + "k" * 32,
        YIZHAN_SMS_BACKEND="tests.sms_gateway.GatewaySmsBackend",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_demo_secrets(tmp_path):
    env = dict(os.environ, YIZHAN_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'db'}")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "yizhan.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_pages_send_security_headers(db, client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/admin/login/", "/api/v1/docs", "/stations/"])
def test_every_page_has_a_content_security_policy(db, client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    body = response.content.decode()
    assert "cdn." not in body  # no third-party script at run time


def test_api_answers_json_errors_not_500(db, client):
    response = client.post("/api/v1/auth/token", "not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_every_setting_read_from_the_environment_is_documented():
    """A newcomer finds every YIZHAN_ variable the settings read in docs/OPERATIONS.md."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    settings_py = (root / "src" / "yizhan" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env[a-z]*\("(YIZHAN_[A-Z0-9_]+)"', settings_py))
    documented = (root / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    assert len(names) > 30
    assert sorted(n for n in names if n not in documented) == []
