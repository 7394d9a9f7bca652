"""Platform transparency: who may do what (every can-do rule of the app).

Workers check their own orders; a platform representative files and confirms the
disclosures of their own platform and answers its scorecard and its cases; the city
administrator reviews and publishes disclosures and sets the rules; the dispatcher routes
commission cases. The public pages need no login.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids


def is_worker(user) -> bool:
    return has_role(user, Role.WORKER)


def rep_platform_ids(user) -> set[int]:
    return scope_ids(user, Role.PLATFORM_REP, "platform")


def represents(user, platform) -> bool:
    platform_id = getattr(platform, "pk", platform)
    return platform_id is not None and platform_id in rep_platform_ids(user)


def can_review(user) -> bool:
    """Publish or return disclosures, compute the index: the city administrator."""
    return has_role(user, Role.CITY_ADMIN)


def can_configure(user) -> bool:
    return has_role(user, Role.CITY_ADMIN)


def can_route(user) -> bool:
    """Route commission cases to their department (派单): the dispatcher."""
    return has_role(user, Role.DISPATCHER)


def sees_review(user) -> bool:
    return has_role(user, Role.CITY_ADMIN, Role.DISPATCHER)
