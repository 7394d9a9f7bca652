"""News and notices: the domain events this app publishes (typed payloads).

news.published   article_id: int, district_id: int | None, category: str
    An article went live (at once, or when its scheduled time came). Published exactly once
    per article going live, inside the transaction that changed its status.
"""

from typing import TypedDict


class NewsPublished(TypedDict):
    article_id: int
    district_id: int | None
    category: str
