"""The one notification writer: message ids rendered in the reader's language, the bell's
unread count, opening marks read, SMS after commit in the recipient's language."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from yizhan.core import sms
from yizhan.core.models import Notification
from yizhan.core.notifications import notify, notify_all, notify_many, unread_count

CLOSED = _("Your demand #%(id)s is closed.")


def test_notify_shows_in_the_inbox_and_the_bell_until_read(
    city, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=city.alice, message=CLOSED, params={"id": 7}, url="/cases/7/", sms=True)
    assert unread_count(city.alice) == 1
    assert "您的诉求 #7 已办结" in sms.outbox(mobile="13800000001")[0].text
    client = login(city.alice)
    body = client.get("/inbox/").content.decode()
    assert "您的诉求 #7 已办结" in body and 'class="bell-count">1<' in body
    client.post("/inbox/read/")
    assert unread_count(city.alice) == 0
    assert "#7" not in login(city.dora).get("/inbox/").content.decode()


def test_stored_as_a_message_id_and_read_in_the_readers_language(city, login):
    notify(user=city.alice, message=CLOSED, params={"id": 7})
    note = Notification.objects.get(recipient=city.alice)
    assert note.message == "Your demand #%(id)s is closed." and note.params == {"id": 7}
    client = login(city.alice)
    assert "您的诉求 #7 已办结" in client.get("/inbox/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Your demand #7 is closed." in client.get("/inbox/").content.decode()


def test_sms_goes_in_the_recipients_language_only_after_commit(city):
    city.alice.language = "en"
    city.alice.save()
    try:
        with transaction.atomic():
            notify(user=city.alice, message=CLOSED, params={"id": 8}, sms=True)
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert not sms.outbox() and not Notification.objects.exists()


def test_translatable_parameters_are_translated_when_read(city):
    notify(
        user=city.alice,
        message=_("Report #%(id)s (%(category)s): %(state)s"),
        params={"id": 3, "category": "井盖缺失", "state": _("Closed")},
    )
    note = Notification.objects.get()
    assert note.params["state"] == {"__t": "Closed"}
    with translation.override("zh-hans"):
        assert "已办结" in note.render()
    with translation.override("en"):
        assert note.render() == "Report #3 (井盖缺失): Closed"


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(city, login):
    note = notify(user=city.alice, message=CLOSED, params={"id": 9}, url="/cases/9/")
    response = login(city.alice).get(f"/inbox/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/cases/9/"
    assert unread_count(city.alice) == 0


def test_one_cannot_open_someone_elses_notification(city, login):
    note = notify(user=city.alice, message=CLOSED, params={"id": 9}, url="/cases/9/")
    assert login(city.dora).get(f"/inbox/{note.pk}/").status_code == 404
    assert unread_count(city.alice) == 1


def test_notify_many_writes_one_row_per_distinct_person(city):
    assert notify_many(users=[city.grace, city.gary, city.grace], message=CLOSED) == 2


def test_notify_all_tells_everyone_a_query_selects_once_in_one_statement(
    city, django_assert_num_queries
):
    from yizhan.accounts.models import User
    from yizhan.accounts.permissions import Role
    from yizhan.accounts.selectors import users_holding

    officers = users_holding(Role.GRID_OFFICER)  # grace and gary; a join that may repeat
    with django_assert_num_queries(1):
        told = notify_all(users=officers, message=CLOSED, params={"id": 9}, url="/x", verb="v")
    assert told == 2
    notes = Notification.objects.filter(verb="v")
    assert sorted(n.recipient_id for n in notes) == sorted([city.grace.pk, city.gary.pk])
    note = notes.get(recipient=city.grace)
    assert (note.params, note.url, note.verb, note.read_at) == ({"id": 9}, "/x", "v", None)
    with translation.override("en"):
        assert note.render() == "Your demand #9 is closed."
    assert notify_all(users=User.objects.none(), message=CLOSED) == 0


def test_inbox_needs_a_login(client, db):
    assert client.get("/inbox/").status_code == 302


def test_a_label_with_a_context_is_stored_with_it_and_translated(city):
    from django.utils.translation import pgettext_lazy

    notify(
        user=city.alice,
        message=_("Report #%(id)s (%(category)s): %(state)s"),
        params={"id": 4, "category": "井盖缺失", "state": pgettext_lazy("report state", "Closed")},
    )
    note = Notification.objects.get()
    assert note.params["state"] == {"__t": "report state\x04Closed"}
    with translation.override("en"):
        assert note.render() == "Report #4 (井盖缺失): Closed"
