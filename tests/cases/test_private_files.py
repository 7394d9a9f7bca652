"""Files with personal data (case attachments) are encrypted at rest with the personal-data
keys, in folders only the service account can open, and rotate with the keys."""

import os
import stat
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from yizhan.cases import services
from yizhan.cases.models import Attachment
from yizhan.core.storage import TOKEN_PREFIX, PrivateStorage

SLIP = b"%PDF-1.4 wage slip of \xe7\x8e\x8b\xe5\xb0\x8f\xe5\xb7\x9d, 2800 yuan owed"


@pytest.fixture(autouse=True)
def private_root(tmp_path, monkeypatch):
    """A fresh private folder, as on a new server."""
    root = tmp_path / "private"
    monkeypatch.setattr(
        Attachment._meta.get_field("file"), "storage", PrivateStorage(location=root)
    )
    return root


def attach(cases) -> Attachment:
    case, _ = services.case_submit(
        worker=cases.city.alice,
        category=cases.wages,
        description="工资条见附件",
        attachments=[SimpleUploadedFile("slip.pdf", SLIP)],
    )
    return case.attachments.get()


def raw(attachment) -> bytes:
    with open(attachment.file.path, "rb") as f:
        return f.read()


def test_an_attachment_is_encrypted_on_disk_and_served_in_clear(cases, login):
    attachment = attach(cases)
    on_disk = raw(attachment)
    assert on_disk.startswith(TOKEN_PREFIX) and b"wage slip" not in on_disk
    response = login(cases.city.alice).get(
        f"/cases/{attachment.case_id}/attachments/{attachment.pk}/"
    )
    assert b"".join(response.streaming_content) == SLIP


def test_folders_and_files_are_for_the_service_account_only(cases, private_root):
    attachment = attach(cases)
    path = attachment.file.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for folder in (os.path.dirname(path), private_root / "cases", private_root):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_pii_rotate_re_encrypts_the_files_under_the_new_key(cases):
    attachment = attach(cases)
    new_key = Fernet.generate_key().decode()
    with override_settings(PII_KEYS=[new_key, *settings.PII_KEYS]):
        out = StringIO()
        call_command("pii_rotate", stdout=out)
        assert "cases.Attachment.file: 1 files re-encrypted" in out.getvalue()
    assert Fernet(new_key.encode()).decrypt(raw(attachment)) == SLIP  # the old key can go
    with override_settings(PII_KEYS=[new_key]):
        assert Attachment.objects.get(pk=attachment.pk).file.open("rb").read() == SLIP


def test_a_file_stored_before_encryption_is_read_and_then_encrypted_by_rotate(cases):
    attachment = attach(cases)
    with open(attachment.file.path, "wb") as f:
        f.write(SLIP)  # as the earlier release stored it
    assert attachment.file.open("rb").read() == SLIP
    call_command("pii_rotate", stdout=StringIO())
    assert raw(attachment).startswith(TOKEN_PREFIX)
    assert Attachment.objects.get(pk=attachment.pk).file.open("rb").read() == SLIP
