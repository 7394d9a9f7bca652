"""The facts the cases app publishes (`core.events.publish`), with their payloads.

Subscribe in your AppConfig.ready: `core.events.subscribe(CASE_CLOSED, "yourapp.subscribers.f")`;
the handler receives the `core.Event` row, whose `payload` is the dict typed below. Payloads
carry ids and codes, never personal data: ask `cases.selectors` for more.
"""

from typing import TypedDict

CASE_CLOSED = "case.closed"


class CaseClosed(TypedDict):
    """A work order was closed (办结): by the worker's satisfied or basically satisfied rating,
    or by the dispatcher after a second dissatisfied rating or an unreachable worker.

    case_id: the case's id.
    rating: "satisfied", "basically", "dissatisfied", or "" when closed without a rating.
    """

    case_id: int
    rating: str
