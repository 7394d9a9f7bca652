"""News and notices: the JSON API (mounted at /api/v1/news/)."""

from ninja import Router

router = Router(tags=["news"])
