"""Platform transparency: what this app does when facts are announced (domain events).

- "transparency.disclosure_published" (disclosure_id, platform_id, version), our own:
  the platform's workers are told what changed, in the background and in batches.
- "case.filed" (case_id, platform_id), when the cases app announces new cases: the
  representatives of the platform a case names are told. Commission cases filed from
  here were announced to them already (`services.dispute_file`) and are skipped.
"""

from yizhan.core.events import subscribe


def register() -> None:
    subscribe(
        "transparency.disclosure_published",
        "yizhan.transparency.subscribers.on_disclosure_published",
    )
    subscribe("case.filed", "yizhan.transparency.subscribers.on_case_filed")


def on_disclosure_published(event) -> None:
    from yizhan.transparency import services

    services.notify_workers_of_disclosure(disclosure_id=event.payload["disclosure_id"])


def on_case_filed(event) -> None:
    from yizhan.transparency import services

    platform_id = event.payload.get("platform_id")
    if platform_id:
        services.tell_platform_of_case(case_id=event.payload["case_id"], platform_id=platform_id)
