"""In-app notifications (the inbox behind the bell), optionally also sent by SMS.

Any app calls `notify(user=…, text=…, url=…)` inside its own transaction; the row commits
with the change, and the SMS (if asked for) leaves only after the commit, so a rolled-back
step never texts anyone.
"""

from django.db import transaction
from django.utils import timezone

from yizhan.core.models import Notification
from yizhan.core.sms import send_sms


def notify(*, user, text: str, url: str = "", verb: str = "", sms: bool = False) -> Notification:
    note = Notification.objects.create(recipient=user, verb=verb, text=text[:500], url=url)
    if sms and user.mobile:
        mobile = user.mobile
        transaction.on_commit(lambda: send_sms(mobile=mobile, message=text))
    return note


def notify_many(*, users, text: str, url: str = "", verb: str = "") -> int:
    """One in-app notification per user (no SMS): for notices to a whole team."""
    rows = [Notification(recipient=u, verb=verb, text=text[:500], url=url) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at=None).count()


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())
