"""Membership and check-in: the JSON API (mounted at /api/v1/membership/)."""

from ninja import Router

router = Router(tags=["membership"])
