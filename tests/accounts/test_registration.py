import pytest
from django.utils import translation

from tests.conftest import ALICE_ID
from yizhan.accounts import services
from yizhan.accounts.models import User, WorkerProfile
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


def test_worker_registers_and_lands_on_their_profile(city, client):
    response = client.post("/register/", form_data(city), follow=True)
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


def test_duplicate_mobile_and_duplicate_id_are_refused(city, client):
    response = client.post("/register/", form_data(city, mobile="13800000001", id_number=ALICE_ID))
    errors = response.context["form"].errors
    assert "已存在" in errors["mobile"][0]
    assert "已注册" in errors["id_number"][0]


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
