"""Who may do what with a station. Built on accounts.permissions; nothing checks roles inline.

A keeper manages only the stations in their scope; the city administrator manages all.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids
from yizhan.core.errors import NotAllowed

STAFF_ROLES = (Role.STATION_KEEPER, Role.CITY_ADMIN)


def managed_station_ids(user) -> set[int]:
    return scope_ids(user, Role.STATION_KEEPER, "station")


def can_manage_station(user, station) -> bool:
    if has_role(user, Role.CITY_ADMIN):
        return True
    return station.pk in managed_station_ids(user)


def require_manage_station(user, station) -> None:
    if not can_manage_station(user, station):
        raise NotAllowed


def can_run_network(user) -> bool:
    """Import, export, the city's statistics and the stale-data list."""
    return has_role(user, Role.CITY_ADMIN)


def can_check_in(user) -> bool:
    return has_role(user, Role.WORKER)
