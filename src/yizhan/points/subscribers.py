"""What the points bank does when other apps announce facts (domain events).

The contract, one event per good deed (payload keys in brackets):

- "report.verified"        (report_id, reporter_id, category)  → rule for that category,
                                                                  else the catch-all rule
- "volunteer.hours_logged" (record_id, worker_id, hours)       → points per hour x hours
- "training.completed"     (enrolment_id, worker_id)
- "event.attended"         (attendance_id, worker_id)
- "welfare.attended"       (participation_id, worker_id)       → public-welfare activity

Each handler stages the award (`services.award_request`: one INSERT … ON CONFLICT DO
NOTHING) and the batch applier posts it within moments (docs/POINTS.md, "Awards in
batches"). Idempotent three times over: core.events delivers at most once per subscriber,
a source is staged once, and the ledger posts at most one award per (source, rule). If the
pool is empty the staged award waits, and is posted once the pool is topped up.
"""

from yizhan.core.events import subscribe
from yizhan.core.schema import INT_MAX
from yizhan.points import services
from yizhan.points.models import EarningRule

# event name → (rule source, source type, payload key of the source id, of the worker, of a quantity)
DEEDS = {
    "volunteer.hours_logged": (
        EarningRule.Source.VOLUNTEER_HOUR,
        "volunteering",
        "record_id",
        "worker_id",
        "hours",
    ),
    "training.completed": (
        EarningRule.Source.TRAINING,
        "training",
        "enrolment_id",
        "worker_id",
        None,
    ),
    "event.attended": (EarningRule.Source.EVENT, "event", "attendance_id", "worker_id", None),
    "welfare.attended": (
        EarningRule.Source.WELFARE,
        "welfare",
        "participation_id",
        "worker_id",
        None,
    ),
}


def register() -> None:
    subscribe("report.verified", "yizhan.points.subscribers.on_report_verified")
    for name in DEEDS:
        subscribe(name, "yizhan.points.subscribers.on_good_deed")


def _user_id(value) -> int | None:
    """A user id from an event's payload, or None for one that cannot be an id."""
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        return None
    return user_id if 0 < user_id < 2**63 else None


def on_report_verified(event) -> None:
    """Stage the award (one INSERT); the batch applier finds the rule for the report's
    category (else the catch-all), checks the worker and the caps, and posts it."""
    payload = event.payload
    user_id = _user_id(payload.get("reporter_id"))
    if user_id is None or payload.get("report_id") is None:
        return
    services.award_request(
        deed=EarningRule.Source.REPORT_VERIFIED,
        worker_id=user_id,
        source_id=payload["report_id"],
        category=str(payload.get("category") or ""),
    )


def on_good_deed(event) -> None:
    source, _source_type, id_key, worker_key, quantity_key = DEEDS[event.name]
    payload = event.payload
    user_id = _user_id(payload.get(worker_key))
    if user_id is None or payload.get(id_key) is None:
        return
    quantity = 1
    if quantity_key:
        try:
            quantity = int(payload.get(quantity_key) or 0)
        except (TypeError, ValueError):
            return
    if quantity <= 0:
        return
    services.award_request(
        deed=source, worker_id=user_id, source_id=payload[id_key], quantity=min(quantity, INT_MAX)
    )
