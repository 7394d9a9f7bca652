"""Platform transparency: the JSON API (mounted at /api/v1/transparency/)."""

from ninja import Router

router = Router(tags=["transparency"])
