"""The one notification writer: the in-app inbox (the bell), and SMS after commit.

    notify(user=u, message=_("Your demand #%(id)s was accepted."), params={"id": 7},
           url=case_url, verb="case", sms=True)

A notification is stored as a message id and its parameters, never as finished text, so it is
put into words when it is read, in the reader's language (`Notification.render`). A parameter
that is itself a translatable string (a state's label, a category's name marked with
gettext_lazy) is stored as its message id and translated too. SMS is rendered in the
recipient's chosen language and leaves only after the surrounding transaction commits, so a
rolled-back step never texts anyone.
"""

from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

from yizhan.core.models import Notification
from yizhan.core.sms import send_sms

DEFAULT_LANGUAGE = "zh-hans"
_T = "__t"  # marks a stored parameter that is a message id to translate


CONTEXT_SEPARATOR = "\x04"  # gettext's own: "context\x04msgid"


def message_id(message) -> str:
    """The msgid behind a lazy translation string (or the string itself); a pgettext_lazy
    string keeps its context as gettext does, "context\x04msgid"."""
    if isinstance(message, Promise):
        args = getattr(message, "_args", None)
        if args and len(args) == 2 and all(isinstance(a, str) for a in args):
            return f"{args[0]}{CONTEXT_SEPARATOR}{args[1]}"  # pgettext_lazy(context, msgid)
        if args and isinstance(args[0], str):
            return args[0]
        with translation.override(None):
            return str(message)
    return str(message)


def _store_params(params: dict | None) -> dict:
    stored = {}
    for key, value in (params or {}).items():
        if isinstance(value, Promise):
            stored[key] = {_T: message_id(value)}
        elif value is None or isinstance(value, bool | int | float | str):
            stored[key] = value
        else:
            stored[key] = str(value)
    return stored


def _translate(msgid: str) -> str:
    if CONTEXT_SEPARATOR in msgid:
        context, bare = msgid.split(CONTEXT_SEPARATOR, 1)
        return pgettext(context, bare)  # untranslated: pgettext gives the bare msgid back
    return gettext(msgid)


def _load_params(params: dict) -> dict:
    return {
        key: _translate(value[_T]) if isinstance(value, dict) and _T in value else value
        for key, value in (params or {}).items()
    }


def render(message: str, params: dict | None = None, *, language: str | None = None) -> str:
    """A stored message in `language` (default: the active one)."""
    with translation.override(language) if language else nullcontext():
        text = _translate(message)
        if params:
            try:
                text = text % _load_params(params)
            except (KeyError, TypeError, ValueError):
                text = _translate(message)
    return text


def _language(user) -> str:
    return getattr(user, "language", None) or DEFAULT_LANGUAGE


def _row(user, message, params, url, verb) -> Notification:
    return Notification(
        recipient=user,
        verb=verb[:40],
        message=message_id(message)[:300],
        params=_store_params(params),
        url=url[:300],
    )


def _sms_after_commit(user, message, params):
    mobile = getattr(user, "mobile", "")
    if not mobile:
        return
    stored, msgid, language = _store_params(params), message_id(message), _language(user)
    transaction.on_commit(
        lambda: send_sms(mobile=mobile, message=render(msgid, stored, language=language))
    )


def notify(
    *, user, message, params: dict | None = None, url: str = "", verb: str = "", sms=False
) -> Notification:
    """Tell one person; with `sms=True` also by text message after commit."""
    note = _row(user, message, params, url, verb)
    note.save()
    if sms:
        _sms_after_commit(user, message, params)
    return note


def notify_many(
    *, users, message, params: dict | None = None, url: str = "", verb: str = "", sms=False
) -> int:
    """Tell many people the same thing (one row each, one INSERT); SMS after commit if asked."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(_row(user, message, params, url, verb))
        if sms:
            _sms_after_commit(user, message, params)
    Notification.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class Notice:
    """One notice of `notify_each`: the arguments `notify` takes, without SMS."""

    user: object
    message: object
    params: dict | None = None
    url: str = ""
    verb: str = ""


def notify_each(*, notices) -> int:
    """Many different notices (to different people, with different parameters) in one
    INSERT: a batch of steps' worth, e.g. the demo city's. No SMS (that is `notify`)."""
    rows = [_row(n.user, n.message, n.params, n.url, n.verb) for n in notices if n.user]
    Notification.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@dataclass(frozen=True)
class Recipients:
    """The people a query selects, as the SQL it compiles to (`recipients(users)`). A caller
    that tells the same query's people very often — a station's keepers on every redemption —
    keeps it and saves compiling the ORM query each time; the people are still selected
    when the notices are written. `sql` is None for a query that selects nobody."""

    sql: str | None
    params: tuple


def recipients(users) -> Recipients:
    """`users` (a QuerySet of users) compiled once, for `notify_all`."""
    try:
        sql, params = users.order_by().values(recipient=F("pk")).distinct().query.sql_with_params()
    except EmptyResultSet:  # `User.objects.none()` and the like: nobody to tell
        return Recipients(None, ())
    return Recipients(sql, tuple(params))


def notify_all(*, users, message, params: dict | None = None, url: str = "", verb: str = "") -> int:
    """Tell everyone a query selects the same thing, in one statement (INSERT … SELECT: the
    recipients are never fetched), e.g. `notify_all(users=users_holding(Role.X, …), …)`.
    `users` is a QuerySet of users, or the `Recipients` it compiles to; each is told once.
    No SMS (that is `notify_many`)."""
    selected = users if isinstance(users, Recipients) else recipients(users)
    if selected.sql is None:
        return 0
    stored = Notification._meta.get_field("params").get_db_prep_save(
        _store_params(params), connection
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table}"
            " (recipient_id, verb, message, params, text, url, created_at)"
            f" SELECT recipients.recipient, %s, %s, %s, '', %s, %s FROM ({selected.sql}) recipients",
            [verb[:40], message_id(message)[:300], stored, url[:300], now, *selected.params],
        )
        return cursor.rowcount


def sms_to_number(*, mobile: str, message, params: dict | None = None, language=None) -> None:
    """A text message to someone without an account (a hotline caller), after commit."""
    if not mobile:
        return
    stored, msgid = _store_params(params), message_id(message)
    language = language or DEFAULT_LANGUAGE
    transaction.on_commit(
        lambda: send_sms(mobile=mobile, message=render(msgid, stored, language=language))
    )


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


def mark_read(*, user, notification_id: int) -> Notification | None:
    """Mark one of the person's own notifications read; None if it is not theirs."""
    note = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if note and note.read_at is None:
        note.read_at = timezone.now()
        Notification.objects.filter(pk=note.pk, read_at=None).update(read_at=note.read_at)
    return note


def export_for(user) -> list[dict]:
    """A person's notifications, in their words at export time (personal-data export)."""
    return [
        {"at": n.created_at.isoformat(), "text": n.render(), "url": n.url, "read": bool(n.read_at)}
        for n in Notification.objects.filter(recipient=user).order_by("id")
    ]


def erase_for(user) -> int:
    """Notifications can quote what a person wrote (a wish's title): they go with the person."""
    deleted, _ = Notification.objects.filter(recipient=user).delete()
    return deleted
