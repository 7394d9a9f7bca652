"""Staff reads of personal data: a search by full mobile number is audited and travels in a
POST body (never in a URL, so never in an access log), on the site and in the back office;
the back office shows no personal data unmasked, in any app."""

import pytest
from django.contrib import admin

from yizhan.core.models import AuditLog
from yizhan.core.pii import EncryptedTextField

MOBILE = "13800000001"


def test_a_staff_search_by_mobile_is_audited_and_never_in_a_url(city, login):
    dora = login(city.dora)
    response = dora.post("/staff/people/search/", {"q": "138 0000 0001"})
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/people/?search=")
    assert MOBILE not in response["Location"]
    entry = AuditLog.objects.get(action="pii_read", actor=city.dora)
    assert entry.fields == "mobile" and entry.subject_id == str(city.alice.pk)
    page = dora.get(response["Location"]).content.decode()
    assert f"/staff/people/{city.alice.worker.pk}/" in page
    assert "138****0001" in page and MOBILE not in page


def test_a_search_that_finds_nobody_is_audited_too(city, login):
    response = login(city.dora).post("/staff/people/search/", {"q": "13512345678"})
    assert response["Location"].startswith("/staff/people/?search=")
    entry = AuditLog.objects.get(action="pii_read", actor=city.dora)
    assert "nobody found" in entry.reason


def test_the_list_page_takes_no_number_in_its_query_string(city, login):
    body = login(city.dora).get(f"/staff/people/?mobile={MOBILE}").content.decode()
    assert 'method="post" action="/staff/people/search/"' in body
    assert not AuditLog.objects.exists()  # a number in a URL is not a search


def test_workers_cannot_search(city, login):
    assert login(city.alice).post("/staff/people/search/", {"q": MOBILE}).status_code == 403


def test_the_back_office_searches_by_post_and_audits(city, login):
    adam = login(city.adam)
    page = adam.get("/admin/accounts/user/").content.decode()
    assert 'action="/admin/accounts/user/find/"' in page and 'name="q"' not in page
    response = adam.post("/admin/accounts/user/find/", {"mobile": MOBILE})
    assert response["Location"] == f"/admin/accounts/user/{city.alice.pk}/change/"
    assert AuditLog.objects.filter(action="pii_read", actor=city.adam).count() == 1
    change = adam.get(response["Location"]).content.decode()
    assert "138****0001" in change and MOBILE not in change and "王小川" not in change


# Encrypted columns that are configuration secrets, not a person's data: the back office
# is where the administrator enters them.
NOT_PERSONAL = {("membership", "registry"): {"secret", "match_key"}}


@pytest.mark.parametrize(
    "model",
    [
        m
        for m in admin.site._registry
        if any(isinstance(f, EncryptedTextField) for f in m._meta.fields)
    ],
    ids=lambda m: m._meta.label,
)
def test_no_back_office_form_shows_an_encrypted_column_in_clear(model, rf, city):
    """Every admin page of a model holding encrypted personal data shows masks instead."""
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    request.user = city.adam
    exempt = NOT_PERSONAL.get((model._meta.app_label, model._meta.model_name), set())
    encrypted = {f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)} - exempt
    obj = model.objects.first()
    shown = set(model_admin.get_fields(request, obj)) | set(model_admin.get_list_display(request))
    assert not encrypted & shown, f"{model._meta.label} shows {encrypted & shown} in clear"
