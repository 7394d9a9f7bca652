"""Who may see and act on a case. Roles and scopes come from accounts.permissions."""

from yizhan.accounts.permissions import Role, has_role, scope_ids


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


def can_file_for_others(user) -> bool:
    """Walk-in desks: station keepers, department officers (legal aid), dispatchers."""
    return has_role(user, Role.STATION_KEEPER, Role.DEPARTMENT_OFFICER, Role.DISPATCHER)


def can_run_symposium(user) -> bool:
    return has_role(user, Role.DISPATCHER, Role.CITY_ADMIN, Role.VOLUNTEER_COORDINATOR)


def can_read_metrics(user) -> bool:
    return has_role(user, Role.DISPATCHER, Role.CITY_ADMIN)
