"""Registration: the details, then the code texted to the number (which proves it); never a
word about whether a number is taken, and a limit per address."""

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import ALICE_ID
from yizhan.accounts import services
from yizhan.accounts.models import User, WorkerProfile
from yizhan.core import sms
from yizhan.core.errors import Invalid


def form_data(city, **over):
    from yizhan.core.validators import id_check_char

    data = {
        "name": "赵骑手",
        "mobile": "13712345678",
        "password": "Long-enough-9",
        "password2": "Long-enough-9",
        "kind": "delivery_rider",
        "platform": city.platform.id,
        "home_district": city.district.id,
        "id_number": "62010319900101123" + id_check_char("62010319900101123"),
        "consent": "on",
    }
    data.update(over)
    return data


def register(client, data, capture, *, code=None, **extra):
    """Send the form, then the code the phone received; the last response."""
    with capture(execute=True):  # the text leaves after commit
        first = client.post("/register/", data, **extra)
    if first.status_code != 200 or "step" not in first.content.decode():
        return first
    code = code or sms.last_code(data["mobile"]) or "000000"
    return client.post("/register/", {"step": "code", "code": code}, follow=True, **extra)


def test_worker_registers_and_lands_on_their_profile(
    city, client, django_capture_on_commit_callbacks
):
    response = register(client, form_data(city), django_capture_on_commit_callbacks)
    assert response.redirect_chain[-1][0] == "/me/"
    user = User.objects.get_by_mobile("13712345678")
    assert user.worker.kind == WorkerProfile.Kind.DELIVERY_RIDER
    assert user.worker.consent_version == "2026-11"
    assert user.worker.consent_at is not None
    # Their own page masks the number until they tap "show" (as banking apps do).
    assert "137****5678" in response.content.decode()
    assert "13712345678" not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "620103199001011230", "校验位"),
        ("mobile", "23712345678", "手机号"),
        ("password2", "Other-pass-99", "两次输入的密码不一致"),
        ("consent", "", "必须同意隐私政策"),
    ],
)
def test_bad_input_gets_a_field_error_in_chinese_and_creates_nothing(
    city, client, field, value, message
):
    data = form_data(city, **{field: value})
    if value == "":
        data.pop(field)
    response = client.post("/register/", data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not WorkerProfile.objects.exclude(user=city.alice).exists()
    assert User.objects.count() == 8


def test_field_errors_in_english_when_the_user_chose_english(city, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/register/", form_data(city, id_number="620103199001011230"))
    assert "check digit is wrong" in response.context["form"].errors["id_number"][0]


def test_nothing_is_created_before_the_number_is_proven(city, client):
    response = client.post("/register/", form_data(city))
    assert "137****5678" in response.content.decode()
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_mobile("13712345678")
    wrong = client.post("/register/", {"step": "code", "code": "000000"})
    assert "验证码错误或已过期" in wrong.content.decode()


def page_text(response) -> str:
    """What the page says, the masked number aside."""
    return (
        response.content.decode().replace("138****0001", "NUMBER").replace("137****5678", "NUMBER")
    )


def test_registration_does_not_reveal_a_registered_number(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        taken = Client().post("/register/", form_data(city, mobile="13800000001"))
        free = Client().post("/register/", form_data(city))
    assert taken.status_code == free.status_code == 200
    strip = __import__("re").compile(r"[A-Za-z0-9]{64}")  # CSRF tokens
    assert strip.sub("", page_text(taken)) == strip.sub("", page_text(free))
    # The holder of the number hears of it; nobody gets a code for it.
    notice = sms.outbox(mobile="13800000001")[0].text
    assert "已有" in notice and sms.last_code("13800000001") is None
    assert sms.last_code("13712345678")


def test_a_registered_id_number_is_said_only_to_the_holder_of_the_phone(
    city, client, django_capture_on_commit_callbacks
):
    response = register(
        client, form_data(city, id_number=ALICE_ID), django_capture_on_commit_callbacks
    )
    assert "已注册" in response.context["form"].errors["id_number"][0]
    assert not WorkerProfile.objects.exclude(user=city.alice).exists()


def test_registrations_from_one_address_are_limited(city, django_capture_on_commit_callbacks):
    client = Client()
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(12):
            response = client.post(
                "/register/", form_data(city, mobile=f"1350000{n:04d}"), REMOTE_ADDR="203.0.113.9"
            )
            answers.append("后再试" in response.content.decode())
    assert answers == [False] * 10 + [True] * 2
    assert len(sms.outbox()) == 10


def test_service_is_atomic_when_the_profile_cannot_be_created(city):
    with translation.override("en"), pytest.raises(Invalid) as exc:
        services.worker_register(
            name="x",
            mobile="13600000000",
            password="Long-enough-9",
            kind="courier",
            home_district=city.district,
            id_number=ALICE_ID,
            consent=True,
        )
    assert "already registered" in exc.value.fields["id_number"][0]
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_mobile("13600000000")
