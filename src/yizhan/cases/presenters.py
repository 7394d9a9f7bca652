"""What a viewer may see of a case, shared by the pages, the API and the back office, so that
the masking rule lives in one place:

- the person the case is about sees everything;
- staff who may learn who filed it see the person masked (138****0001, 王**), and free text
  (the demand, the reply, notes, a mediation's parties) with every mobile and ID number and
  the person's name masked — except the officers who mediate, who read the parties in full
  and are audited for it;
- a viewer who may not learn who filed it (the platform, when the worker withheld their
  identity) gets "withheld" in their place, in every text of the case.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.cases import permissions as perms
from yizhan.cases.deadlines import rests_on_guess
from yizhan.core.pii import mask_text

WITHHELD = gettext_lazy("[withheld]")


def _names(case) -> list[str]:
    return [case.person_name, case.caller_name]


def shown_text(text: str, case, viewer) -> str:
    """Free text of the case (its demand, a reply, a note, a mediation record) as `viewer`
    may read it."""
    if not text or perms.is_case_worker(viewer, case):
        return text
    if not perms.sees_identity(viewer, case):
        return mask_text(text, names=_names(case), replacement=str(WITHHELD))
    return mask_text(text, names=_names(case))


def case_texts(case, viewer) -> dict:
    return {
        "description": shown_text(case.description, case, viewer),
        "reply": shown_text(case.reply, case, viewer),
    }


def mediation_view(mediation, case, viewer) -> dict:
    """A mediation as `viewer` may read it; `full` when they read the parties unmasked (the
    mediating officers: the caller audits that read)."""
    if mediation is None:
        return {"parties": [], "outcome_note": "", "sessions": [], "full": False}
    full = perms.is_case_worker(viewer, case) or perms.can_mediate(viewer, case)

    def show(text):
        return text if full else shown_text(text, case, viewer)

    return {
        "parties": [show(p) for p in mediation.party_list],
        "outcome_note": show(mediation.outcome_note),
        "sessions": [
            {"held_at": s.held_at, "place": s.place, "note": show(s.note)}
            for s in mediation.sessions.all()
        ],
        "full": full and not perms.is_case_worker(viewer, case),
    }


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
            "note": shown_text(e.note, case, viewer),
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
