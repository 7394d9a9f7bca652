from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.conftest import ALICE_ID
from yizhan.accounts.models import User, WorkerProfile
from yizhan.core import pii


def raw_row(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_mobile_and_id_number_are_encrypted_at_rest(city):
    stored_mobile = raw_row("accounts_user", "mobile", city.alice.pk)
    stored_id = raw_row("accounts_workerprofile", "id_number", city.alice.worker.pk)
    assert "13800000001" not in stored_mobile
    assert ALICE_ID not in stored_id
    assert pii.decrypt(stored_mobile) == "13800000001"
    assert User.objects.get(pk=city.alice.pk).mobile == "13800000001"


def test_blind_index_finds_by_mobile_without_decrypting(city):
    assert User.objects.get_by_mobile("138 0000 0001") == city.alice
    assert pii.blind_index("13800000001") != pii.blind_index("13800000002")


def test_masks_show_only_the_ends():
    assert pii.mask_mobile("13812341234") == "138****1234"
    assert pii.mask_id_number("620102199605041230") == "620***********1230"
    assert pii.mask_name("王小川") == "王**"
    assert pii.mask_name("李") == "李*"


def test_key_rotation_reencrypts_and_the_old_key_can_go(city, settings):
    old_key = settings.PII_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PII_KEYS = [new_key, old_key]
    call_command("pii_rotate", verbosity=0)
    settings.PII_KEYS = [new_key]  # the old key is retired
    assert User.objects.get(pk=city.alice.pk).mobile == "13800000001"
    assert WorkerProfile.objects.get(pk=city.alice.worker.pk).id_number == ALICE_ID
    token = raw_row("accounts_user", "mobile", city.alice.pk)
    assert Fernet(new_key.encode()).decrypt(token.encode()) == b"13800000001"
