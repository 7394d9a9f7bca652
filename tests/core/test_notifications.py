"""The generic in-app inbox: notify, the bell's unread count, marking read, SMS after commit."""

from yizhan.core.notifications import notify, unread_count


def test_notify_shows_in_the_inbox_and_the_bell_until_read(
    city, login, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level("INFO", logger="yizhan.sms")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=city.alice, text="您的诉求已受理", url="/cases/1/", sms=True)
    assert unread_count(city.alice) == 1
    assert "SMS to 13800000001: 您的诉求已受理" in caplog.text
    client = login(city.alice)
    body = client.get("/inbox/").content.decode()
    assert "您的诉求已受理" in body and 'class="bell-count">1<' in body
    client.post("/inbox/read/")
    assert unread_count(city.alice) == 0
    assert login(city.dora).get("/inbox/").content.decode().count("您的诉求已受理") == 0


def test_inbox_needs_a_login(client, db):
    assert client.get("/inbox/").status_code == 302
