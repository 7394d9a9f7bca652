"""What a viewer may see of a case, shared by the pages and the API, so that the
withheld-identity rule lives in one place."""

from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.cases import permissions as perms
from yizhan.cases.deadlines import rests_on_guess


def person_label(case, viewer) -> str:
    """The person the case is about: in full to themselves, masked to staff, and not at
    all to a platform representative when the worker withheld their identity."""
    if perms.is_case_worker(viewer, case):
        return f"{case.person_name} {case.person_mobile}".strip()
    if not perms.sees_identity(viewer, case):
        return _("Withheld at the worker's request")
    return case.masked_person or "—"


def actor_label(event, case, viewer) -> str:
    if event.actor_id is None:
        return _("System") if event.action in ("remind", "supervise") else _("Hotline")
    if case.worker_id and event.actor_id == case.worker_id:
        if perms.sees_identity(viewer, case) and not perms.is_case_worker(viewer, case):
            return _("The worker (%(name)s)") % {"name": case.masked_person}
        return _("The worker")
    return event.actor.name or "—"


def timeline(case, events, viewer) -> list[dict]:
    return [
        {
            "at": e.at,
            "action": e.action,
            "label": e.get_action_display(),
            "actor": actor_label(e, case, viewer),
            "department": e.department.name if e.department_id else "",
            "note": e.note,
            "staff_only": e.visibility != e.Visibility.PUBLIC,
        }
        for e in events
    ]


def deadline_facts(case, now=None) -> dict:
    now = now or timezone.now()
    due = case.current_due_at
    return {
        "running_due_at": due,
        "overdue": case.is_overdue(now),
        "guessed_calendar": rests_on_guess(due),
    }
