"""What the points bank does when other apps announce facts (domain events).

The contract, one event per good deed (payload keys in brackets):

- "report.verified"        (report_id, reporter_id, category)  → rule for that category,
                                                                  else the catch-all rule
- "volunteer.hours_logged" (record_id, worker_id, hours)       → points per hour x hours
- "training.completed"     (enrolment_id, worker_id)
- "event.attended"         (attendance_id, worker_id)
- "welfare.attended"       (participation_id, worker_id)       → public-welfare activity

Each handler is idempotent twice over: core.events delivers at most once per subscriber,
and the ledger posts at most one award per (source, rule). If the pool is empty the
handler raises, the delivery is not recorded, and `yizhan events-replay` retries later.
"""

from yizhan.accounts import selectors as accounts
from yizhan.core.events import subscribe
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


def _worker(user_id):
    return accounts.active_user(user_id)


def rule_for_report(category: str) -> EarningRule | None:
    """The active rule for this report category, or the catch-all rule (empty category)."""
    rules = EarningRule.objects.filter(
        source=EarningRule.Source.REPORT_VERIFIED, active=True, category__in=[category or "", ""]
    )
    return sorted(rules, key=lambda r: (r.category == "", r.pk))[0] if rules else None


def on_report_verified(event) -> None:
    payload = event.payload
    worker = _worker(payload.get("reporter_id"))
    rule = rule_for_report(str(payload.get("category") or ""))
    if worker is None or rule is None or payload.get("report_id") is None:
        return
    services.award(rule=rule, worker=worker, source_type="report", source_id=payload["report_id"])


def on_good_deed(event) -> None:
    source, source_type, id_key, worker_key, quantity_key = DEEDS[event.name]
    payload = event.payload
    worker = _worker(payload.get(worker_key))
    if worker is None or payload.get(id_key) is None:
        return
    quantity = 1
    if quantity_key:
        try:
            quantity = int(payload.get(quantity_key) or 0)
        except (TypeError, ValueError):
            return
    for rule in EarningRule.objects.filter(source=source, active=True):
        services.award(
            rule=rule,
            worker=worker,
            source_type=source_type,
            source_id=payload[id_key],
            quantity=quantity,
        )
