"""Input no field can hold is refused at the edge with a clear message, never a 500."""

import pytest


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("get", "/reports/public/?category=a%00b", {}),
        ("post", "/login/", {"data": {"mobile": "138\x000000001", "password": "x"}}),
        (
            "post",
            "/api/v1/auth/token",
            {
                "data": '{"mobile": "13800000001\\u0000", "password": "x"}',
                "content_type": "application/json",
            },
        ),
    ],
    ids=["query", "form", "json"],
)
def test_a_nul_character_is_refused_everywhere(db, client, method, url, kwargs):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code in (400, 422)
    text = response.content.decode()
    assert "NUL" in text or "空字符" in text


def test_api_nul_answer_has_the_error_shape(db, client):
    response = client.post(
        "/api/v1/auth/token",
        '{"mobile": "1\\u0000", "password": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid" and response.json()["detail"]


def test_photos_with_nul_bytes_in_their_binary_are_not_refused(city, login):
    # A JPEG is full of NUL bytes; only text fields are looked at.
    from io import BytesIO

    from PIL import Image

    buf = BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "p.jpg"
    response = login(city.alice).post("/reports/new/", {"photos": buf, "description": "ok"})
    assert response.status_code != 400 or "NUL" not in response.content.decode()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/news/pinyin/", {"mode": "tone", "next": "9999-12-31T23:59:59"}),
        ("/login/?next=a:b", {"mobile": "13800000001", "password": "Sturdy-pass-2026"}),
    ],
    ids=["news-next", "login-next"],
)
def test_a_next_or_referer_that_looks_like_a_url_name_is_not_a_server_error(
    city, client, url, data
):
    response = client.post(url, data, HTTP_REFERER="x:y")
    assert response.status_code in (200, 302)
    assert response.get("Location", "/").startswith("/")
