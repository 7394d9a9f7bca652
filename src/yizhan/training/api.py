"""Training and events: the JSON API (mounted at /api/v1/training/)."""

from ninja import Router

router = Router(tags=["training"])
