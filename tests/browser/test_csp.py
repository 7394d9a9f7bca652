"""The content security policy (scripts from our own origin only, no inline scripts) holds
on the back office and the API docs, and they still work under it: the administrator logs
in, a change form's scripts run (adding an inline row), Swagger UI lists the operations.
Any CSP violation the browser reports fails the test."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def violations(page):
    seen = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_the_back_office_logs_in_and_its_forms_run_under_the_csp(city, page, violations):
    response = page.goto("/admin/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", "13900000001")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/accounts/user/{city.alice.pk}/change/")
    rows = page.locator(".dynamic-role_assignments")
    before = rows.count()
    page.locator(".add-row a").first.click()  # django's inlines.js, a static file
    assert rows.count() == before + 1
    assert violations == []


def test_swagger_ui_lists_the_operations_under_the_csp(city, page, violations):
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() > 50
    assert violations == []
