"""Who may read the city dashboards, and which districts they see.

City administrators and dispatchers see the whole city and may narrow it to any district; a
district officer (Role.DISTRICT_OFFICER) sees only the district(s) of their assignment.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids

DASHBOARD_ROLES = (Role.CITY_ADMIN, Role.DISPATCHER, Role.DISTRICT_OFFICER)


def can_view_dashboards(user) -> bool:
    return has_role(user, *DASHBOARD_ROLES)


def sees_whole_city(user) -> bool:
    return has_role(user, Role.CITY_ADMIN, Role.DISPATCHER)


def dashboard_district_ids(user) -> set[int] | None:
    """None: the whole city; otherwise the districts this user may see (maybe none)."""
    if sees_whole_city(user):
        return None
    return scope_ids(user, Role.DISTRICT_OFFICER, "district")


def can_plan_stations(user) -> bool:
    return has_role(user, Role.CITY_ADMIN)
