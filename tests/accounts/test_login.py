import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from yizhan.accounts.models import ApiToken
from yizhan.core import sms


def test_password_login_opens_a_session(city, client):
    response = client.post("/login/", {"mobile": "138 0000 0001", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_wrong_password_says_so_without_saying_which_part(city, client):
    response = client.post("/login/", {"mobile": "13800000001", "password": "nope-nope"})
    assert response.status_code == 200
    assert "手机号或密码错误" in response.content.decode()


def test_login_is_throttled_after_five_failures(city, client, clock):
    for _ in range(5):
        client.post("/login/", {"mobile": "13800000001", "password": "nope-nope"})
    response = client.post("/login/", {"mobile": "13800000001", "password": PASSWORD})
    assert "尝试次数过多，请 15 分钟后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session
    clock.shift(dt.timedelta(minutes=10))
    later = client.post("/login/", {"mobile": "13800000001", "password": PASSWORD})
    assert "请 5 分钟后再试" in later.content.decode()  # counted from the first failure
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    assert (
        client.post("/login/", {"mobile": "13800000001", "password": PASSWORD}).status_code == 302
    )


def test_sms_code_login(city, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the text leaves after commit
        response = client.post("/login/sms/", {"step": "request", "mobile": "13800000001"})
    assert response.status_code == 200
    code = sms.last_code("13800000001")  # the demo's outbox, as a phone would receive it
    bad = client.post(
        "/login/sms/",
        {
            "step": "verify",
            "mobile": "13800000001",
            "code": "000000" if code != "000000" else "111111",
        },
    )
    assert "验证码错误或已过期" in bad.content.decode()
    good = client.post("/login/sms/", {"step": "verify", "mobile": "13800000001", "code": code})
    assert good.status_code == 302
    again = client.post("/login/sms/", {"step": "verify", "mobile": "13800000001", "code": code})
    assert again.status_code == 200  # a code works once


def test_sms_code_for_unknown_number_sends_nothing(
    city, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/sms/", {"step": "request", "mobile": "13512345678"})
    assert not sms.outbox()


def api_token(client, mobile="13800000001", password=PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        {"mobile": mobile, "password": password},
        content_type="application/json",
    )


def test_api_token_authenticates_and_can_be_revoked(city, client):
    response = api_token(client)
    assert response.status_code == 200
    token = response.json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    me = client.get("/api/v1/me", **auth)
    assert me.status_code == 200
    assert me.json()["mobile"] == "13800000001"
    assert me.json()["roles"] == ["worker"]
    assert client.delete("/api/v1/auth/token", **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_api_token_expires(city, client):
    token = api_token(client).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert "message" in response.json()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"mobile": "13800000001", "password": "wrong-one"}, 401),
        ({"mobile": "123", "password": "x"}, 422),
        ({"mobile": "13800000001"}, 422),
    ],
)
def test_api_token_bad_input_is_4xx_with_a_message(city, client, body, status):
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["message"]


def test_api_token_is_throttled_too(city, client):
    for _ in range(5):
        api_token(client, password="wrong-one")
    response = api_token(client)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 890 <= int(response["Retry-After"]) <= 900
