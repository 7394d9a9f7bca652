"""Platform transparency: what this app does when facts are announced (domain events).

- "transparency.disclosure_published" (disclosure_id, platform_id, version), our own:
  the platform's workers are told what changed, in the background and in batches.

New cases naming a platform are announced to its representatives by the cases app itself
(one writer for that notice), so this app does not listen for them.
"""

from yizhan.core.events import subscribe


def register() -> None:
    subscribe(
        "transparency.disclosure_published",
        "yizhan.transparency.subscribers.on_disclosure_published",
    )


def on_disclosure_published(event) -> None:
    from yizhan.transparency import services

    services.notify_workers_of_disclosure(disclosure_id=event.payload["disclosure_id"])
