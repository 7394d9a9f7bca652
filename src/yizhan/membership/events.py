"""Membership and check-in: the domain events this app publishes (typed payloads).

No payload names a person: union and party membership are sensitive, and an event row
outlives the request. Subscribers that need the member ask `membership.selectors`.
"""

from typing import TypedDict


class MembershipJoined(TypedDict):
    """ "membership.joined": an application was approved (a new member, not a transfer)."""

    membership_id: int
    organisation_id: int
    family: str


class MemberCheckedIn(TypedDict):
    """ "membership.checked_in": one-step check-in; the receiving organisation must acknowledge."""

    transfer_id: int
    family: str
    from_org_id: int
    to_org_id: int


class MemberTransferred(TypedDict):
    """ "membership.transferred": the receiving organisation acknowledged; the membership moved."""

    transfer_id: int
    family: str
    from_org_id: int
    to_org_id: int
