"""Who may do what in the points bank. Built on accounts.permissions; services, views and the
API ask here and nowhere else.

- a worker earns, redeems, cancels their own redemptions and makes wishes;
- a station keeper hands over items redeemed for pick-up at the stations they keep;
- the city administrator runs the bank: rules, wishes, catalogue, grants, corrections.
"""

from yizhan.accounts.permissions import Role, has_role, scope_ids

WORKER, KEEPER, ADMIN = Role.WORKER, Role.STATION_KEEPER, Role.CITY_ADMIN


def is_worker(user) -> bool:
    """Earns points and spends them (an erased or closed account is no longer a worker)."""
    return has_role(user, WORKER)


def can_administer(user) -> bool:
    return has_role(user, ADMIN)


def is_keeper(user) -> bool:
    return has_role(user, KEEPER)


def keeper_station_ids(user) -> set[int]:
    """The stations whose pick-ups this keeper hands over."""
    return scope_ids(user, KEEPER, "station")


def can_hand_over(user, redemption) -> bool:
    return redemption.station_id in keeper_station_ids(user)


def can_see_pick_up_code(user, redemption) -> bool:
    """The QR code of a pick-up: its worker, the keeper of its station, the administrator."""
    return (
        redemption.worker_id == getattr(user, "pk", None)
        or can_hand_over(user, redemption)
        or can_administer(user)
    )
