"""News and notices: who may do what (every can-do rule of the app).

Publishers: the city administrator for the whole city (and any district); a district
officer for their own district's articles. Moderators: the city administrator for every
comment, a district officer for comments under their district's articles. Commenters:
logged-in workers.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids

EDITOR_ROLES = (Role.CITY_ADMIN, Role.DISTRICT_OFFICER)


def district_ids(user) -> set[int]:
    return scope_ids(user, Role.DISTRICT_OFFICER, "district")


def is_city_editor(user) -> bool:
    return has_role(user, Role.CITY_ADMIN)


def is_editor(user) -> bool:
    return has_role(user, *EDITOR_ROLES)


def can_publish_in(user, district_id: int | None) -> bool:
    """May write and publish an article for this district (None: the whole city)?"""
    if is_city_editor(user):
        return True
    return district_id is not None and district_id in district_ids(user)


def can_edit(user, article) -> bool:
    return can_publish_in(user, article.district_id)


def can_moderate_article(user, article) -> bool:
    return can_publish_in(user, article.district_id)


def can_moderate(user) -> bool:
    return is_editor(user)


def can_manage_words(user) -> bool:
    return is_city_editor(user)


def can_reveal_commenter(user) -> bool:
    """Who sees the real person behind a nickname (masked by default; each look audited)."""
    return is_city_editor(user)


def can_comment(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_role(user, Role.WORKER)
