"""Volunteer services: who may do what (every can-do rule of the app).

- The volunteer coordinator (city-wide) runs teams, requests, plans and campaigns; the city
  administrator may do all of it too.
- A grid officer may register and book for beneficiaries of their own community, and see
  those (masked) — nobody else's.
- A volunteer (a worker enrolled in a team) acts on their own trips and availability only.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids

COORDINATORS = (Role.VOLUNTEER_COORDINATOR, Role.CITY_ADMIN)


def is_coordinator(user) -> bool:
    return has_role(user, *COORDINATORS)


def community_ids(user) -> set[int]:
    return scope_ids(user, Role.GRID_OFFICER, "community")


def can_use_console(user) -> bool:
    return is_coordinator(user)


def can_register_beneficiaries(user) -> bool:
    return is_coordinator(user) or bool(community_ids(user))


def can_register_in(user, community_id: int | None) -> bool:
    return is_coordinator(user) or (
        community_id is not None and community_id in community_ids(user)
    )


def can_view_beneficiary(user, beneficiary) -> bool:
    return can_register_in(user, beneficiary.community_id)


def can_book_for(user, beneficiary) -> bool:
    return beneficiary.erased_at is None and can_view_beneficiary(user, beneficiary)


def is_volunteer(user) -> bool:
    return has_role(user, Role.WORKER) and hasattr(user, "volunteer")


def can_act_on_trip(user, trip) -> bool:
    return is_volunteer(user) and trip.volunteer.user_id == user.pk


def can_confirm_by_phone(user) -> bool:
    return is_coordinator(user)
