"""Telling a person something: an inbox row, and an SMS through the pluggable backend when the
matter is worth a text message. Called by services after the change they report on."""

from django.db import transaction
from django.utils import timezone

from yizhan.core.models import Notification
from yizhan.core.sms import send_sms


def notify(*, user, text: str, url: str = "", verb: str = "", sms: bool = False) -> Notification:
    note = Notification.objects.create(recipient=user, verb=verb, text=text[:300], url=url)
    if sms and user.mobile:
        mobile = user.mobile
        transaction.on_commit(lambda: send_sms(mobile=mobile, message=text))
    return note


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def inbox(user, *, limit: int = 50):
    return Notification.objects.filter(recipient=user)[:limit]


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
