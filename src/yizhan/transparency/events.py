"""Platform transparency: the domain events this app publishes (typed payloads).

- "transparency.disclosure_published": a platform's disclosure version was published by
  the city. Payload: disclosure_id (int), platform_id (int), version (int). Published once
  per version, inside the publishing transaction (`services.disclosure_publish`).
"""

from typing import TypedDict

DISCLOSURE_PUBLISHED = "transparency.disclosure_published"


class DisclosurePublished(TypedDict):
    disclosure_id: int
    platform_id: int
    version: int
