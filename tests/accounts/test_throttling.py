"""Login throttling as an attacker meets it: the (account, client) pair is locked first, the
account is only slowed down, one address is locked out of every account past 4x the limit;
the back office counts the same way; SMS codes and registrations have limits of their own,
and no code reaches a log."""

import datetime as dt
import logging

import pytest
from django.test import Client, override_settings

from tests.conftest import PASSWORD
from yizhan.accounts.models import LoginFailure
from yizhan.core import sms

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def password_login(client, mobile, password, ip):
    return client.post("/login/", {"mobile": mobile, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_back_office_login_is_throttled_with_the_sites_limits(city, client):
    for _ in range(30):
        client.post("/admin/login/", {"username": "13900000001", "password": "wrong-guess"})
    assert LoginFailure.objects.filter(key__startswith="p:").count() == 5  # failures recorded
    response = client.post(
        "/admin/login/", {"username": "13900000001", "password": PASSWORD}, follow=True
    )
    assert not logged_in(client)
    assert "尝试次数过多" in response.content.decode()


def test_the_back_office_still_lets_the_administrator_in(city, client):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "139 0000 0001", "password": PASSWORD}
    )
    assert response.status_code == 302 and logged_in(client)
    assert not LoginFailure.objects.exists()  # a success takes its count back


def test_five_wrong_passwords_lock_that_client_out_not_the_owner(city, clock):
    attacker, owner = Client(), Client()
    for _ in range(5):
        password_login(attacker, "13800000001", "nope-nope", ATTACKER)
    refused = password_login(attacker, "13800000001", PASSWORD, ATTACKER)
    assert "15 分钟后再试" in refused.content.decode() and not logged_in(attacker)
    clock.shift(dt.timedelta(seconds=2))  # the account is slowed down, by a second
    assert password_login(owner, "13800000001", PASSWORD, OWNER).status_code == 302
    assert logged_in(owner)


def test_many_clients_slow_the_account_down_but_never_lock_it(city, clock, client):
    for n in range(8):  # a botnet: one guess from each of eight addresses
        clock.shift(dt.timedelta(seconds=120))
        password_login(Client(), "13800000001", "nope-nope", f"203.0.113.{n + 10}")
    response = password_login(client, "13800000001", PASSWORD, OWNER)
    assert "秒后再试" in response.content.decode()  # 2 ** (8 - 5) = 8 seconds since the last
    clock.shift(dt.timedelta(seconds=9))
    assert password_login(client, "13800000001", PASSWORD, OWNER).status_code == 302


def test_api_slowdown_says_how_long_to_wait(city, clock, client):
    for n in range(6):
        clock.shift(dt.timedelta(seconds=120))
        Client().post(
            "/api/v1/auth/token",
            {"mobile": "13800000001", "password": "wrong-one"},
            content_type="application/json",
            REMOTE_ADDR=f"203.0.113.{n + 10}",
        )
    response = client.post(
        "/api/v1/auth/token",
        {"mobile": "13800000001", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=OWNER,
    )
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 2


def test_one_address_is_locked_out_of_every_account_past_four_times_the_limit(city):
    attacker = Client()
    for n in range(20):
        password_login(attacker, f"1370000{n:04d}", "nope-nope", ATTACKER)
    refused = password_login(attacker, "13800000001", PASSWORD, ATTACKER)
    assert not logged_in(attacker) and "分钟后再试" in refused.content.decode()


@override_settings(TRUSTED_PROXY_NETWORKS=[__import__("ipaddress").ip_network("127.0.0.1/32")])
def test_behind_the_documented_proxy_one_clients_failures_do_not_lock_out_others(city, clock):
    """nginx as docs/OPERATIONS.md configures it: every request comes from 127.0.0.1 and names
    its client in X-Forwarded-For. Twenty failures from one client lock out that client only."""

    def through_nginx(client, mobile, password, ip):
        return client.post(
            "/login/",
            {"mobile": mobile, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=ip,
        )

    attacker = Client()
    for n in range(20):
        through_nginx(attacker, f"1370000{n:04d}", "nope-nope", ATTACKER)
    assert not logged_in(attacker)
    for n, (mobile, user) in enumerate([("13800000001", "alice"), ("13900000002", "dora")]):
        someone = Client()
        response = through_nginx(someone, mobile, PASSWORD, f"198.51.100.{n + 1}")
        assert response.status_code == 302 and logged_in(someone), user
    assert (
        "分钟后再试" in through_nginx(attacker, "13800000001", PASSWORD, ATTACKER).content.decode()
    )


# --- SMS codes --------------------------------------------------------------------------------


def ask_code(client, mobile, ip=OWNER):
    return client.post("/login/sms/", {"step": "request", "mobile": mobile}, REMOTE_ADDR=ip)


def test_sms_codes_for_one_number_are_limited(
    city, client, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(30):
            ask_code(client, "13800000001")
            clock.shift(dt.timedelta(seconds=1))
    assert len(sms.outbox(mobile="13800000001")) == 1  # one a minute
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(30):
            clock.shift(dt.timedelta(seconds=61))
            ask_code(client, "13800000001")
    assert len(sms.outbox(mobile="13800000001")) == 5  # five an hour
    refused = ask_code(client, "13800000001")
    assert "后再试" in refused.content.decode()


def test_sms_codes_from_one_address_are_limited(city, django_capture_on_commit_callbacks):
    from tests.conftest import make_user

    numbers = [f"1360000{n:04d}" for n in range(25)]
    for number in numbers:
        make_user(number, "某人")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for number in numbers:
            ask_code(client, number, ip=ATTACKER)
    assert len(sms.outbox()) == 20


def test_no_code_and_no_full_number_reach_the_log(city, caplog, settings):
    settings.SMS_BACKEND = "yizhan.core.sms.LogSmsBackend"
    caplog.set_level(logging.INFO, logger="yizhan.sms")
    sms.send_sms(mobile="13800000001", message="您的驿站登录验证码为 493817，5 分钟内有效。")
    line = caplog.records[-1].getMessage()
    assert "138****0001" in line and "验证码" in line
    assert "493817" not in line and "13800000001" not in line


def test_the_outbox_logs_masked_too(city, caplog):
    caplog.set_level(logging.INFO, logger="yizhan.sms")
    sms.send_sms(mobile="13800000001", message="Your Yizhan login code is 493817.")
    assert "493817" not in caplog.text and "13800000001" not in caplog.text
    assert sms.last_code("13800000001") == "493817"


@pytest.mark.parametrize("ip", [None, OWNER])
def test_a_wrong_sms_code_counts_as_a_failed_login(city, ip):
    from yizhan.accounts import services

    for _ in range(5):
        assert services.otp_verify(mobile="13800000001", code="000000", ip=ip) is None
    from yizhan.core.errors import Throttled

    with pytest.raises(Throttled):
        services.otp_verify(mobile="13800000001", code="000000", ip=ip)
