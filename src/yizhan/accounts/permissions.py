"""Role and scope checks. Every view and API handler asks here; nothing checks roles inline.

`roles(user)` is computed once per request and cached on the user object.
"""

from functools import wraps

from django.db import connection

# The API's authentication classes live in accounts.auth; apps take them from here.
from yizhan.accounts.auth import bearer, token_or_session  # noqa: E402
from yizhan.accounts.models import CITY_WIDE_ROLES, Role, RoleAssignment, WorkerProfile
from yizhan.core.errors import NotAllowed

__all__ = [
    "CITY_WIDE_ROLES",
    "Role",
    "bearer",
    "token_or_session",
    "roles",
    "has_role",
    "scope_ids",
    "role_required",
]


def roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_yizhan_roles", None)
    if cached is None:
        cached = user._yizhan_roles = _roles_of(user.pk)
    return cached


def _roles_of(user_id: int) -> set[str]:
    """The roles assigned to a user, and `worker` if they have a worker profile: one plain
    query, asked on every request. (Loading the profile to see that it exists decrypted its
    resident ID number, and with the ORM's two queries cost more than a redemption's
    database function: docs/BENCHMARKS.md, "Redemptions".)"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT role FROM {RoleAssignment._meta.db_table} WHERE user_id = %s"
            f" UNION ALL SELECT %s FROM {WorkerProfile._meta.db_table} WHERE user_id = %s",
            [user_id, Role.WORKER, user_id],
        )
        return {role for (role,) in cursor.fetchall()}


def has_role(user, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


def scope_ids(user, role: str, field: str) -> set[int]:
    """The ids of the stations/communities/... this user holds `role` for."""
    if not has_role(user, role):
        return set()
    return set(user.role_assignments.filter(role=role).values_list(f"{field}_id", flat=True))


def is_city_wide(user) -> bool:
    return has_role(user, Role.CITY_ADMIN, Role.DISPATCHER)


def can_view_community(user, community) -> bool:
    if has_role(user, Role.CITY_ADMIN, Role.DISPATCHER):
        return True
    if community.subdistrict.district_id in scope_ids(user, Role.DISTRICT_OFFICER, "district"):
        return True
    return community.pk in scope_ids(user, Role.GRID_OFFICER, "community")


def can_reveal_personal_data(user) -> bool:
    return has_role(user, Role.CITY_ADMIN, Role.DISPATCHER)


def role_required(*wanted: str):
    """View decorator: the user must be logged in and hold one of `wanted`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *wanted):
                raise NotAllowed
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
