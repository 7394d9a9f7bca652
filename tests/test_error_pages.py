"""403, 404, 500 and CSRF failures land on pages in the site's layout, in the reader's
language, with a way back — never Django's bare English pages."""

import pytest
from django.test import Client, override_settings

ENGLISH = {"zh-hans": False, "en": True}


def get(client, url, language):
    client.cookies["django_language"] = language
    return client.get(url)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_404_is_in_the_layout_with_a_way_home(db, client, language):
    response = get(client, "/no-such-page/", language)
    body = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in body and 'href="/"' in body
    assert ("We could not find this page" in body) is ENGLISH[language]
    assert ("找不到" in body) is not ENGLISH[language]
    assert "Not Found</h1>" not in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_403_for_a_worker_on_a_staff_page(city, login, language):
    client = login(city.alice)
    response = get(client, "/cases/queue/", language)
    body = response.content.decode()
    assert response.status_code == 403
    assert 'class="topbar"' in body and 'href="/"' in body
    assert ("This page is not open to you" in body) is ENGLISH[language]
    assert "403 Forbidden" not in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_csrf_failure_explains_what_to_do(db, language):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    response = client.post("/login/", {"mobile": "13800000001", "password": "x"})
    body = response.content.decode()
    assert response.status_code == 403
    assert ("The form expired" in body) is ENGLISH[language]
    assert ("表单已过期" in body) is not ENGLISH[language]
    assert "CSRF verification failed" not in body


@override_settings(ROOT_URLCONF="tests.urls_boom", DEBUG=False)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_500_is_a_calm_page_in_the_readers_language(db, language):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert ("Something went wrong on our side" in body) is ENGLISH[language]
    assert ("出了点问题" in body) is not ENGLISH[language]
    assert 'href="/"' in body and "Server Error (500)" not in body
