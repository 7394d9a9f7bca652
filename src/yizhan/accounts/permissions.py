"""Role and scope checks. Every view and API handler asks here; nothing checks roles inline.

`roles(user)` is computed once per request and cached on the user object.
"""

from functools import wraps

# The API's authentication classes live in accounts.auth; apps take them from here.
from yizhan.accounts.auth import bearer, token_or_session  # noqa: E402
from yizhan.accounts.models import CITY_WIDE_ROLES, Role
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
        cached = set(user.role_assignments.values_list("role", flat=True))
        if hasattr(user, "worker"):
            cached.add(Role.WORKER)
        user._yizhan_roles = cached
    return cached


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
