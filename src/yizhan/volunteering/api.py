"""Volunteer services: the JSON API (mounted at /api/v1/volunteering/)."""

from ninja import Router

router = Router(tags=["volunteering"])
