"""Who may see and do what with a hazard report. Built on accounts.permissions; views, the API,
Open311 and services ask here, and nothing else checks roles for reports.

The public rule (docs/REPORTS.md, "Who sees what"):
- A report that is not rejected is public in its public form (category, state, place, times,
  the reporter's description, photos of the public space, the officer's answer on the fix):
  on the public map, in Open311, on its page and in the API, to anyone.
- Its reporter and the officers who handle it see all of it: rejected reports, every note in
  the history, the photo-reuse warning.
- Following a report brings news of it, never more than the public form.
"""

from django.db.models import Q

from yizhan.accounts.permissions import Role, has_role, roles, scope_ids

# Who works the report queues.
STAFF_ROLES = (Role.GRID_OFFICER, Role.DEPARTMENT_OFFICER, Role.DISPATCHER, Role.CITY_ADMIN)

# History steps whose note is part of the public form: the officer's answer on the fix and the
# closing remark. Every other note (rejection, transfer, acceptance…) is for staff and reporter.
PUBLIC_NOTE_ACTIONS = frozenset({"resolved", "closed"})


def is_report_staff(user) -> bool:
    return bool(roles(user) & set(STAFF_ROLES))


def sees_all(user) -> bool:
    """The city administrator and the dispatchers handle every report in the city."""
    return has_role(user, Role.CITY_ADMIN, Role.DISPATCHER)


def community_ids(user) -> set[int]:
    return scope_ids(user, Role.GRID_OFFICER, "community")


def department_ids(user) -> set[int]:
    return scope_ids(user, Role.DEPARTMENT_OFFICER, "department")


def handled_filter(user) -> Q | None:
    """The reports `user` may handle, as a filter (`Q()` for all, None for none): a grid
    officer their communities' reports that no department owns, a department officer their
    department's reports, the city-wide roles all."""
    if sees_all(user):
        return Q()
    communities, departments = community_ids(user), department_ids(user)
    if not communities and not departments:
        return None
    return Q(community_id__in=communities, department=None) | Q(department_id__in=departments)


def can_handle(user, report) -> bool:
    if sees_all(user):
        return True
    if report.department_id:
        return report.department_id in department_ids(user)
    return report.community_id is not None and report.community_id in community_ids(user)


def is_reporter(user, report) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and report.reporter_id == getattr(user, "pk", 0)
    )


def is_public(report) -> bool:
    return report.state != "rejected"


def sees_everything(user, report) -> bool:
    """The full form: rejected reports, staff notes, the photo-reuse warning."""
    return is_reporter(user, report) or can_handle(user, report)


def can_view(user, report) -> bool:
    return is_public(report) or sees_everything(user, report)


def can_follow(user, report) -> bool:
    """A worker who saw the same hazard follows a public report (and hears of its changes)."""
    return has_role(user, Role.WORKER) and is_public(report)


def can_confirm_or_reopen(user, report) -> bool:
    return is_reporter(user, report)


def same_owner(report, other) -> bool:
    """Both reports sit in the same queue (same community and department, or both the city's)."""
    return (report.community_id, report.department_id) == (other.community_id, other.department_id)


def can_merge_into(user, duplicate, original) -> bool:
    """A duplicate is merged into an original of the same queue, both handled by `user`: never
    into a report of another community (transfer it there first)."""
    return (
        can_handle(user, duplicate)
        and can_handle(user, original)
        and same_owner(duplicate, original)
    )
