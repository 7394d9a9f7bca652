"""Membership and check-in: who may do what (every can-do rule of the app).

Two kinds of authority meet here:
- posts in an organisation (`Officer` rows): the holder acts for that organisation and for
  every organisation below it in the tree (a district union's officer for its pools);
- the city's roles (`accounts.permissions`): a grid officer acts for the grid-member roster
  of their community, department officers ask registries yes/no questions, the city
  administrator creates organisations, reads coverage and receives escalations.

Union and party membership are sensitive: only the organisation's officers (and those above
it in its own tree) and the person see who is a member. The city sees counts.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids
from yizhan.core.errors import NotAllowed
from yizhan.membership.models import SENSITIVE_FAMILIES, Family, Officer, Organisation

# --- posts ------------------------------------------------------------------------------


def _posts(user) -> list[tuple[int, str]]:
    """(organisation id, path) of the user's posts, cached on the user for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_membership_posts", None)
    if cached is None:
        cached = list(
            Officer.objects.filter(user=user, organisation__active=True).values_list(
                "organisation_id", "organisation__path"
            )
        )
        user._membership_posts = cached
    return cached


def grid_community_ids(user) -> set[int]:
    """Communities whose grid-member roster this user runs as the community's grid officer."""
    return scope_ids(user, Role.GRID_OFFICER, "community")


def is_city_admin(user) -> bool:
    return has_role(user, Role.CITY_ADMIN)


def is_officer(user) -> bool:
    """Holds a post in some organisation (the organisation console is for them)."""
    return bool(_posts(user))


def uses_console(user) -> bool:
    return is_officer(user) or is_city_admin(user) or bool(grid_community_ids(user))


def officer_paths(user) -> list[str]:
    return [path for _id, path in _posts(user)]


def acts_for(user, organisation: Organisation) -> bool:
    """An officer of this organisation or of one above it; the community's grid officer for
    its roster."""
    if any(organisation.path.startswith(path) for path in officer_paths(user)):
        return True
    return (
        organisation.family == Family.GRID
        and organisation.community_id is not None
        and organisation.community_id in grid_community_ids(user)
    )


def require_acts_for(user, organisation: Organisation) -> None:
    if not acts_for(user, organisation):
        raise NotAllowed()


def sees_members(user, organisation: Organisation) -> bool:
    """Who may list the members of an organisation. Sensitive families: its officers only."""
    if acts_for(user, organisation):
        return True
    return organisation.family not in SENSITIVE_FAMILIES and is_city_admin(user)


def can_create_organisation(user, parent: Organisation | None) -> bool:
    if is_city_admin(user):
        return True
    return parent is not None and acts_for(user, parent)


def can_manage_officers(user, organisation: Organisation) -> bool:
    return is_city_admin(user) or (
        organisation.parent is not None and acts_for(user, organisation.parent)
    )


# --- workers ----------------------------------------------------------------------------


def is_worker(user) -> bool:
    return has_role(user, Role.WORKER)


def owns(user, membership) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and membership.user_id == user.pk


# --- the city and departments -----------------------------------------------------------


def coverage_district_ids(user) -> set[int] | None:
    """None: every district; otherwise the districts whose coverage this user may read."""
    if has_role(user, Role.CITY_ADMIN, Role.DISPATCHER):
        return None
    return scope_ids(user, Role.DISTRICT_OFFICER, "district")


def can_read_coverage(user) -> bool:
    ids = coverage_district_ids(user)
    return ids is None or bool(ids)


def can_see_escalations(user) -> bool:
    return has_role(user, Role.CITY_ADMIN, Role.DISPATCHER)


def department_ids(user) -> set[int]:
    return scope_ids(user, Role.DEPARTMENT_OFFICER, "department")


def can_query_registry(user) -> bool:
    """Department officers ask yes/no questions; the city administrator may too."""
    return bool(department_ids(user)) or is_city_admin(user)


# --- grid members -------------------------------------------------------------------------


def can_appoint_in(user, community_id: int, roster: Organisation | None = None) -> bool:
    if is_city_admin(user) or community_id in grid_community_ids(user):
        return True
    return roster is not None and acts_for(user, roster)
