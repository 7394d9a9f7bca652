"""Training and events: who may do what (every can-do rule of the app).

Organisers: station keepers (at their own stations), department officers and platform
representatives (for their department or platform), the volunteer coordinator and the city
administrator (anything, anywhere). Symposia are run by those the cases app lets record
symposium demands (dispatcher, city administrator, volunteer coordinator), since each
demand becomes a case.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids

ORGANISER_ROLES = (
    Role.STATION_KEEPER,
    Role.DEPARTMENT_OFFICER,
    Role.PLATFORM_REP,
    Role.VOLUNTEER_COORDINATOR,
    Role.CITY_ADMIN,
)
# Mirrors cases.permissions.can_run_symposium: each demand recorded becomes a case.
SYMPOSIUM_ROLES = (Role.DISPATCHER, Role.CITY_ADMIN, Role.VOLUNTEER_COORDINATOR)
CONSOLE_ROLES = (*ORGANISER_ROLES, Role.DISPATCHER)


def is_worker(user) -> bool:
    return has_role(user, Role.WORKER)


def has_worker_profile(user) -> bool:
    """A worker by their profile (what the worker role means), without reading their roles:
    the door checks the person whose code was scanned, many times a second."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "worker", None) is not None


def is_city_wide(user) -> bool:
    return has_role(user, Role.CITY_ADMIN, Role.VOLUNTEER_COORDINATOR)


def uses_console(user) -> bool:
    return has_role(user, *CONSOLE_ROLES)


def keeper_station_ids(user) -> set[int]:
    return scope_ids(user, Role.STATION_KEEPER, "station")


def department_ids(user) -> set[int]:
    return scope_ids(user, Role.DEPARTMENT_OFFICER, "department")


def platform_ids(user) -> set[int]:
    return scope_ids(user, Role.PLATFORM_REP, "platform")


def can_create(user, kind: str) -> bool:
    if kind == "symposium":
        return has_role(user, *SYMPOSIUM_ROLES)
    return has_role(user, *ORGANISER_ROLES)


def kinds_for(user) -> list[str]:
    from yizhan.training.models import Activity

    return [k for k in Activity.Kind.values if can_create(user, k)]


def can_hold_at(user, station_id: int | None) -> bool:
    """Keepers organise at their own stations; the other organisers anywhere."""
    if station_id is None:
        return True
    if has_role(user, Role.CITY_ADMIN, Role.VOLUNTEER_COORDINATOR, Role.DISPATCHER) or has_role(
        user, Role.DEPARTMENT_OFFICER, Role.PLATFORM_REP
    ):
        return True
    return station_id in keeper_station_ids(user)


def can_target_platform(user, platform_id: int) -> bool:
    """A platform representative addresses their own platform's workers only."""
    if is_city_wide(user) or not has_role(user, Role.PLATFORM_REP):
        return True
    return platform_id in platform_ids(user)


def can_manage(user, activity) -> bool:
    """May edit, cancel, run the door and see the roster (names masked)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if activity.organiser_id == user.pk or is_city_wide(user):
        return True
    if activity.is_symposium and has_role(user, Role.DISPATCHER):
        return True
    return bool(
        (activity.owner_station_id and activity.owner_station_id in keeper_station_ids(user))
        or (activity.owner_department_id and activity.owner_department_id in department_ids(user))
        or (activity.owner_platform_id and activity.owner_platform_id in platform_ids(user))
    )


def in_audience(user, activity, *, invited: bool) -> bool:
    """Whether a worker is among those the activity is for."""
    profile = getattr(user, "worker", None)
    if profile is None:
        return False
    audience = activity.audience
    if audience == "all":
        return True
    if audience == "platform":
        return (
            profile.platform_id is not None and profile.platform_id == activity.audience_platform_id
        )
    if audience == "district":
        return profile.home_district_id == activity.audience_district_id
    return invited


def can_see(user, activity, *, invited: bool = False, enrolled: bool = False) -> bool:
    return can_manage(user, activity) or enrolled or in_audience(user, activity, invited=invited)
