"""Every call this app makes into other feature and foundation apps, in one place, so a
change of their public surface is adapted here and nowhere else.

- cases: a commission case is filed with `cases.services.case_submit`; the dispatcher's
  routing uses `case_accept` and `case_dispatch`; the platform's statement is
  `case_platform_statement`; the scorecard reads `cases.selectors.platform_case_facts`.
- accounts: whom to tell (`users_holding`, the workers of a platform).
- orgs: platforms and departments.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from yizhan.accounts import selectors as accounts
from yizhan.accounts.permissions import Role
from yizhan.cases import selectors as cases_selectors
from yizhan.cases import services as cases
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.orgs import selectors as orgs

COMMISSION_CATEGORY = "commission"


def _translated(call, *args, **kwargs):
    """Run a cases call; cases raises core.errors itself, and Django's own errors (a model's
    validation, a decorator's 404) are mapped onto the same hierarchy here."""
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise Invalid.from_django(exc) from exc
    except PermissionDenied as exc:
        if isinstance(exc, NotAllowed):
            raise
        raise NotAllowed() from exc
    except Http404 as exc:
        if isinstance(exc, NotFound):
            raise
        raise NotFound() from exc


# --- orgs ---------------------------------------------------------------------------------


def platforms():
    return orgs.platforms()


def platform(*, platform_id=None, code=None):
    return orgs.platform_get(platform_id=platform_id, code=code)


def department(*, department_id=None, code=None):
    return orgs.department_get(department_id=department_id, code=code)


def departments():
    return orgs.departments()


# --- accounts -----------------------------------------------------------------------------


def platform_reps(platform_id: int):
    return accounts.users_holding(Role.PLATFORM_REP, platform_id=platform_id)


def city_admins():
    return accounts.users_holding(Role.CITY_ADMIN)


def dispatchers():
    return accounts.users_holding(Role.DISPATCHER)


def worker_ids_of_platform(platform_id: int):
    """The user ids of workers whose profile names this platform (not erased)."""
    return (
        accounts.worker_list()
        .filter(platform_id=platform_id)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


# --- cases --------------------------------------------------------------------------------


def commission_category():
    category = cases_selectors.active_categories().filter(code=COMMISSION_CATEGORY).first()
    if category is None:
        raise Conflict(
            _(
                "The commission category is missing or inactive: the city administrator "
                "must restore it in the back office."
            )
        )
    return category


def file_commission_case(
    *, worker, platform, description, withhold_identity, attachments, idempotency_key
):
    case, _created = _translated(
        cases.case_submit,
        worker=worker,
        category=commission_category(),
        description=description,
        platform=platform,
        withhold_identity=withhold_identity,
        attachments=attachments,
        idempotency_key=idempotency_key,
    )
    return case


def case_for_viewer(*, user, case_id):
    return _translated(cases_selectors.case_for_viewer, user=user, case_id=case_id)


def case_history(case):
    return cases_selectors.case_history(case)


def cases_about_platforms(*, user, filters=None):
    return _translated(cases_selectors.platform_queue, user=user, filters=filters or {})


def route_case(*, case, actor, department, note):
    """The dispatcher accepts the case if it waits for that, then dispatches it."""
    if case.state == "submitted":
        case = _translated(cases.case_accept, case=case, actor=actor, note=note)
    return _translated(
        cases.case_dispatch, case=case, actor=actor, department=department, note=note
    )


def platform_statement(*, case, actor, text):
    return _translated(cases.case_platform_statement, case=case, actor=actor, text=text)


def platform_case_facts(*, platform_id, since=None):
    return cases_selectors.platform_case_facts(platform_id=platform_id, since=since)


def is_platform_statement(event) -> bool:
    return event.action == "platform_statement"
