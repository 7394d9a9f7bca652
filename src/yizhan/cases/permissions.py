"""Who may see and do what with a case: every can-do rule of the cases app, including the
transition table `STEPS` (which step is legal from which state, and for whom). Roles and
scopes come from accounts.permissions; services, selectors, views and the API ask here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yizhan.accounts.permissions import Role, has_role, scope_ids
from yizhan.cases.models import Case

S = Case.State


# --- roles and scopes ------------------------------------------------------------------


def is_dispatcher(user) -> bool:
    return has_role(user, Role.DISPATCHER)


def sees_all(user) -> bool:
    return has_role(user, Role.DISPATCHER, Role.CITY_ADMIN)


def department_ids(user) -> set[int]:
    return scope_ids(user, Role.DEPARTMENT_OFFICER, "department")


def platform_ids(user) -> set[int]:
    return scope_ids(user, Role.PLATFORM_REP, "platform")


def is_case_worker(user, case) -> bool:
    return bool(user.is_authenticated and case.worker_id and case.worker_id == user.pk)


def is_case_officer(user, case) -> bool:
    return case.department_id is not None and case.department_id in department_ids(user)


def is_case_platform_rep(user, case) -> bool:
    return case.platform_id is not None and case.platform_id in platform_ids(user)


# --- seeing ----------------------------------------------------------------------------


def can_view(user, case) -> bool:
    return (
        is_case_worker(user, case)
        or sees_all(user)
        or is_case_officer(user, case)
        or is_case_platform_rep(user, case)
    )


def sees_identity(user, case) -> bool:
    """A platform representative never learns who complained when the worker withheld it."""
    if is_case_worker(user, case) or sees_all(user) or is_case_officer(user, case):
        return True
    return not case.withhold_identity


def sees_staff_history(user, case) -> bool:
    """The history entries among staff (routing and handling notes, returns, extensions,
    deadline notices): the dispatchers and the officers of the case's department. The worker
    and a platform's representative see only the entries addressed to the worker."""
    return sees_all(user) or is_case_officer(user, case)


def can_claim(user, case) -> bool:
    """The holder of the number a desk filed a demand under may take it into their account
    (a staff member's word never links a case to someone's account)."""
    return bool(
        user.is_authenticated
        and case.worker_id is None
        and case.caller_mobile
        and has_role(user, Role.WORKER)
        and user.mobile == case.caller_mobile
    )


def can_see_attachments(user, case) -> bool:
    """Attachments (wage slips, ID photos) identify the worker: only to those who see both."""
    return can_view(user, case) and sees_identity(user, case)


def can_use_dispatcher_queue(user) -> bool:
    return sees_all(user)


def can_use_department_queue(user) -> bool:
    return has_role(user, Role.DEPARTMENT_OFFICER)


def can_use_platform_queue(user) -> bool:
    return has_role(user, Role.PLATFORM_REP)


def can_read_metrics(user) -> bool:
    return has_role(user, Role.DISPATCHER, Role.CITY_ADMIN)


# --- filing ----------------------------------------------------------------------------


def can_file(user) -> bool:
    """Workers file their own demands."""
    return has_role(user, Role.WORKER)


def can_file_for_others(user) -> bool:
    """Walk-in desks: station keepers, department officers (legal aid), dispatchers."""
    return has_role(user, Role.STATION_KEEPER, Role.DEPARTMENT_OFFICER, Role.DISPATCHER)


def can_run_symposium(user) -> bool:
    return has_role(user, Role.DISPATCHER, Role.CITY_ADMIN, Role.VOLUNTEER_COORDINATOR)


def can_import_hotline(user) -> bool:
    return has_role(user, Role.DISPATCHER)


# --- the transition table --------------------------------------------------------------


def _dispatcher(user, case):
    return is_dispatcher(user)


def _officer(user, case):
    return is_case_officer(user, case)


def _worker_or_dispatcher(user, case):
    return is_case_worker(user, case) or is_dispatcher(user)


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    targets: tuple[str, ...]  # empty: the state does not change
    who: Callable
    label: str


STEPS: dict[str, Step] = {
    "accept": Step((S.SUBMITTED,), (S.ACCEPTED,), _dispatcher, _("accept")),
    "dispatch": Step((S.ACCEPTED, S.RETURNED), (S.DISPATCHED,), _dispatcher, _("dispatch")),
    "sign_for": Step((S.DISPATCHED,), (S.SIGNED,), _officer, _("sign for")),
    "return": Step((S.DISPATCHED, S.SIGNED), (S.RETURNED,), _officer, _("return")),
    "handle": Step((S.SIGNED, S.HANDLING), (S.HANDLING,), _officer, _("record handling")),
    "request_extension": Step((S.SIGNED, S.HANDLING), (), _officer, _("request an extension")),
    "decide_extension": Step((S.SIGNED, S.HANDLING), (), _dispatcher, _("decide on the extension")),
    "reply": Step((S.SIGNED, S.HANDLING), (S.REPLIED,), _officer, _("reply")),
    "follow_up": Step(
        (S.REPLIED,),
        (S.CLOSED, S.HANDLING, S.FOLLOWED_UP),
        _worker_or_dispatcher,
        _("follow up"),
    ),
    "close": Step((S.REPLIED, S.FOLLOWED_UP), (S.CLOSED,), _dispatcher, _("close")),
    "mediate": Step((S.SIGNED, S.HANDLING), (), _officer, _("open a mediation")),
    # After dispatch the dispatcher supervises: urge (催办) the department to act, or reassign
    # (改派) the order to another department, which must sign for it again.
    "urge": Step((S.DISPATCHED, S.SIGNED, S.HANDLING), (), _dispatcher, _("urge")),
    "reassign": Step(
        (S.DISPATCHED, S.SIGNED, S.HANDLING), (S.DISPATCHED,), _dispatcher, _("reassign")
    ),
}

# Steps that supervise rather than move the case forward: a case that only offers these is
# not waiting for the user ("next in queue" skips it).
SUPERVISION_STEPS = frozenset({"urge", "reassign"})


def awaits(user, case) -> bool:
    """Whether the case waits for a step of this user (not only for supervision)."""
    return any(s not in SUPERVISION_STEPS for s in allowed_steps(user, case))


def may_take(user, case, step: str) -> bool:
    """Whether `user` holds the role and scope for `step` on `case` (whatever its state)."""
    return STEPS[step].who(user, case)


def allowed_steps(user, case) -> list[str]:
    """The steps this user may take on this case now (the buttons a page shows)."""
    steps = [n for n, s in STEPS.items() if case.state in s.sources and s.who(user, case)]
    if case.extension_days is None:
        steps = [s for s in steps if s != "decide_extension"]
    else:
        steps = [s for s in steps if s != "request_extension"]
    if "mediate" in steps and (not case.category.is_labour_dispute or hasattr(case, "mediation")):
        steps.remove("mediate")
    return steps


def can_mediate(user, case) -> bool:
    """Sessions and the outcome of a mediation: the officers of the case's department."""
    return is_case_officer(user, case)
