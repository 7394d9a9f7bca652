"""Chinese first, English complete: every string has a zh-Hans translation, the compiled
catalogues match their sources, and the catalogues hold every string in the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

APPS_DIR = Path(__file__).resolve().parent.parent / "src" / "yizhan"
CATALOGUES = sorted(APPS_DIR.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_string_is_translated_to_chinese(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()] + [
        e.msgid for e in po.fuzzy_entries()
    ]
    assert untranslated == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_compiled_catalogue_matches_its_source(path):
    po = polib.pofile(str(path))
    mo = polib.mofile(str(path.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in po.translated_entries()} == {
        e.msgid: e.msgstr for e in mo if e.msgid
    }


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_holds_every_string_in_the_code(path, tmp_path):
    app_dir = path.parents[3]
    work = tmp_path / app_dir.name
    shutil.copytree(app_dir, work, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "zh_Hans", "--no-location", "-v0"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(work / "locale/zh_Hans/LC_MESSAGES/django.po"))
    current = {e.msgid for e in polib.pofile(str(path)) if not e.obsolete}
    missing = {e.msgid for e in fresh if not e.obsolete} - current
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:5]}"


def test_chinese_is_the_default_and_english_is_available(db, client):
    assert "登录" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Log in" in body and "登录" not in body


def test_messages_from_code_are_translated():
    from yizhan.core.validators import validate_mobile

    with translation.override("zh-hans"):
        try:
            validate_mobile("1")
        except Exception as exc:  # noqa: BLE001
            assert "手机号" in exc.messages[0]
