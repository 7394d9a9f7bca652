"""Reads: the queues each role works from, one case (its mediation, its attachments, a
symposium) as a viewer may see it, the person's own data, hotline sources, and metrics."""

import hmac
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.cases import permissions as perms
from yizhan.cases import presenters
from yizhan.cases.deadlines import LOCAL
from yizhan.cases.hotline import key_hash
from yizhan.cases.models import (
    OPEN_HANDLING_STATES,
    Attachment,
    Case,
    Category,
    HotlineSource,
    Mediation,
    Symposium,
)
from yizhan.core.errors import NotAllowed, NotFound
from yizhan.orgs import selectors as orgs

QUEUE_FILTERS = ("state", "category", "department", "channel", "overdue", "q")


def _base():
    return Case.objects.select_related("category", "department", "platform", "limit_type")


def case_for_viewer(*, user, case_id: int) -> Case:
    """One case, if `user` may see it (404 when it does not exist, 403 when not theirs)."""
    case = (
        _base()
        .select_related("worker", "symposium", "source", "employer", "district")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound
    if not perms.can_view(user, case):
        raise NotAllowed
    return case


def mediation_for_viewer(*, user, case_id: int) -> tuple[Case, Mediation | None]:
    """A case and its mediation (None when there is none yet), if `user` may see the case."""
    case = case_for_viewer(user=user, case_id=case_id)
    return case, Mediation.objects.filter(case=case).first()


def mediation_sessions(mediation: Mediation | None):
    return mediation.sessions.all() if mediation else []


def attachments_for_viewer(*, user, case: Case):
    """The case's attachments, or none for a viewer who may not learn who filed it."""
    if not perms.can_see_attachments(user, case):
        return Attachment.objects.none()
    return case.attachments.all()


def attachment_for_viewer(*, user, case_id: int, attachment_id: int) -> tuple[Case, Attachment]:
    case = case_for_viewer(user=user, case_id=case_id)
    if not perms.can_see_attachments(user, case):
        raise NotAllowed
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound
    return case, attachment


def symposia_for_viewer(*, user, limit: int = 20):
    if not perms.can_run_symposium(user):
        raise NotAllowed
    return Symposium.objects.all()[:limit]


def symposium_for_viewer(*, user, symposium_id: int) -> Symposium:
    if not perms.can_run_symposium(user):
        raise NotAllowed
    symposium = Symposium.objects.filter(pk=symposium_id).first()
    if symposium is None:
        raise NotFound
    return symposium


def symposium_cases(symposium: Symposium):
    return symposium.cases.select_related("category").order_by("id")


def overdue_q(now) -> Q:
    """Cases whose running deadline has passed."""
    return Q(state__in=OPEN_HANDLING_STATES, due_at__lt=now) | Q(
        state=Case.State.SUBMITTED, accept_due_at__lt=now
    )


def case_history(case):
    return case.events.select_related("actor", "department").order_by("at", "id")


def apply_filters(qs, filters: dict, *, now=None):
    now = now or timezone.now()
    if filters.get("state") in Case.State.values:
        qs = qs.filter(state=filters["state"])
    elif filters.get("state") == "open":
        qs = qs.exclude(state=Case.State.CLOSED)
    for name in ("category", "department"):
        value = str(filters.get(name) or "")
        if value.isdigit():
            qs = qs.filter(**{f"{name}_id": int(value)})
    if filters.get("channel") in Case.Channel.values:
        qs = qs.filter(channel=filters["channel"])
    if filters.get("overdue") in ("1", "true", "on", True):
        qs = qs.filter(overdue_q(now))
    q = str(filters.get("q") or "").strip().lstrip("#")
    # Only hotline cases carry an order number: saying so lets the number search use the
    # (order number, hotline) index instead of reading every case.
    by_order_no = Q(source__isnull=False, source_order_no=q)
    if q.isdigit():
        qs = qs.filter(Q(pk=int(q)) | by_order_no)
    elif q:
        qs = qs.filter(by_order_no)
    return qs


def cases_of_worker(*, user):
    return _base().filter(worker=user).order_by("-created_at", "-id")


def dispatcher_queue(*, user, filters: dict):
    if not perms.can_use_dispatcher_queue(user):
        raise NotAllowed
    qs = _base()
    if not filters.get("state"):
        qs = qs.exclude(state=Case.State.CLOSED)
    # The nearest running deadline first: what is late or nearly late is on top.
    return apply_filters(qs, filters).order_by(F("deadline_at").asc(nulls_last=True), "id")


def department_queue(*, user, filters: dict):
    departments = perms.department_ids(user)
    if not departments:
        raise NotAllowed
    qs = _base().filter(department_id__in=departments)
    if not filters.get("state"):
        qs = qs.exclude(state__in=[Case.State.CLOSED, Case.State.RETURNED])
    return apply_filters(qs, filters).order_by(F("deadline_at").asc(nulls_last=True), "id")


def platform_queue(*, user, filters: dict):
    platforms = perms.platform_ids(user)
    if not platforms:
        raise NotAllowed
    return apply_filters(_base().filter(platform_id__in=platforms), filters).order_by(
        "-created_at", "-id"
    )


def active_categories():
    return Category.objects.filter(active=True).select_related("default_department", "limit_type")


def active_category(*, category_id: int | None = None, code: str | None = None):
    """An active category by id or code, or None."""
    if category_id is not None:
        return active_categories().filter(pk=category_id).first()
    return active_categories().filter(code=code).first() if code else None


def departments():
    """The departments a case can be dispatched to."""
    return orgs.departments()


def department(*, department_id: int | None = None, code: str | None = None):
    return orgs.department_get(department_id=department_id, code=code)


def platform(*, code: str):
    return orgs.platform_get(code=code)


# --- hotline sources -------------------------------------------------------------------


def hotline_sources():
    return HotlineSource.objects.filter(active=True)


def hotline_source_for_key(*, code: str, key: str) -> HotlineSource | None:
    """The active hotline source `code` when `key` is its webhook key (compared in constant
    time against the stored hash), else None."""
    source = HotlineSource.objects.filter(code=code, active=True).first()
    if source is None or not source.key_hash or not key:
        return None
    if not hmac.compare_digest(source.key_hash, key_hash(key)):
        return None
    return source


# --- metrics ---------------------------------------------------------------------------


@dataclass
class MetricRow:
    key: str
    cases: int
    replied: int
    on_time: int
    rated: int
    satisfied: int
    mean_hours: float | None

    @property
    def on_time_rate(self):
        return self.on_time / self.replied if self.replied else None

    @property
    def satisfaction_rate(self):
        return self.satisfied / self.rated if self.rated else None


def _metric_rows(qs, group_by: str, label) -> list[MetricRow]:
    rows = (
        qs.values(group_by)
        .annotate(
            cases=Count("id"),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
            on_time_n=Count("id", filter=Q(on_time=True)),
            rated=Count("id", filter=~Q(rating="")),
            satisfied_n=Count(
                "id", filter=Q(rating__in=[Case.Rating.SATISFIED, Case.Rating.BASICALLY])
            ),
            mean_seconds=Avg("handling_seconds"),
        )
        .order_by(group_by)
    )
    return [
        MetricRow(
            key=label(r[group_by]),
            cases=r["cases"],
            replied=r["replied"],
            on_time=r["on_time_n"],
            rated=r["rated"],
            satisfied=r["satisfied_n"],
            mean_hours=r["mean_seconds"] / 3600 if r["mean_seconds"] is not None else None,
        )
        for r in rows
    ]


def metrics(*, user, since=None) -> dict[str, list[MetricRow]]:
    """On-time rate, satisfaction rate and mean handling time by department, category, month."""
    if not perms.can_read_metrics(user):
        raise NotAllowed
    qs = Case.objects.all()
    if since:
        qs = qs.filter(created_at__gte=since)
    departments = dict(orgs.departments().values_list("id", "name"))
    undispatched = _("Not dispatched yet")
    categories = dict(Category.objects.values_list("id", "name"))
    by_month = qs.annotate(month=TruncMonth("created_at", tzinfo=LOCAL))
    return {
        "department": _metric_rows(
            qs, "department", lambda v: departments.get(v, "—") if v else undispatched
        ),
        "category": _metric_rows(qs, "category", lambda v: categories.get(v, "—")),
        "month": _metric_rows(by_month, "month", lambda v: v.strftime("%Y-%m") if v else "—"),
    }


# --- the person's own data -------------------------------------------------------------


def personal_data_export(user) -> list[dict]:
    """The person's own cases as they see them (their description, the replies and the
    history shown to them), for their data export (PIPL art. 45)."""
    cases = (
        _base()
        .select_related("worker")
        .prefetch_related("attachments")
        .filter(worker=user)
        .order_by("created_at", "id")
    )
    return [
        {
            "id": case.pk,
            "channel": case.channel,
            "category": str(case.category.name),
            "description": case.description,
            "platform": case.platform.name if case.platform_id else None,
            "withhold_identity": case.withhold_identity,
            "state": case.state,
            "filed_at": case.created_at.isoformat(),
            "department": case.department.name if case.department_id else None,
            "reply": case.reply,
            "rating": case.rating,
            "attachments": [a.name for a in case.attachments.all()],
            "history": [
                {**entry, "at": entry["at"].isoformat(), "label": str(entry["label"])}
                for entry in presenters.timeline(case, case_history(case), user)
            ],
        }
        for case in cases
    ]


# --- Cases naming a platform, for the transparency scorecard (issue 16) -------------------


def platform_case_facts(*, platform_id: int, since=None) -> dict:
    """Aggregates over the cases naming one platform (no case, no person): how many, how
    many the department replied to and the median hours from filing to reply, how many are
    closed, rated and rated (basically) satisfied, and how many the platform answered with
    a statement."""
    from statistics import median

    from yizhan.cases.models import CaseEvent

    qs = Case.objects.filter(platform_id=platform_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    counts = qs.aggregate(
        cases=Count("id"),
        replied=Count("id", filter=Q(replied_at__isnull=False)),
        closed=Count("id", filter=Q(state=Case.State.CLOSED)),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=[Case.Rating.SATISFIED, Case.Rating.BASICALLY])),
    )
    hours = [
        (replied - created).total_seconds() / 3600
        for created, replied in qs.filter(replied_at__isnull=False).values_list(
            "created_at", "replied_at"
        )
    ]
    answered = (
        CaseEvent.objects.filter(case__in=qs, action=CaseEvent.Action.PLATFORM_STATEMENT)
        .values("case")
        .distinct()
        .count()
    )
    return {**counts, "median_reply_hours": median(hours) if hours else None, "answered": answered}


# --- for the training app: symposia held as events, and training needs ----------------------


def symposium_get(*, symposium_id: int):
    """The symposium record (or None) that a training event's demands are filed under."""
    from yizhan.cases.models import Symposium

    return Symposium.objects.filter(pk=symposium_id).first()


def symposium_demands(*, symposium_id: int) -> list[dict]:
    """What became of each demand recorded at a symposium, without who raised it."""
    rows = (
        _base()
        .filter(symposium_id=symposium_id)
        .order_by("id")
        .values_list(
            "id", "category__name", "description", "state", "replied_at", "reply", "worker_id"
        )
    )
    labels = dict(Case.State.choices)
    return [
        {
            "id": pk,
            "category": category,
            "description": description,
            "state": state,
            "state_label": labels.get(state, state),
            "replied_at": replied_at,
            "reply": reply,
            "worker_id": worker_id,
        }
        for pk, category, description, state, replied_at, reply, worker_id in rows
    ]


def training_need_cases(*, since=None, category_code: str = "training") -> list[dict]:
    """Demands filed under the training-need category (培训需求), for grouping by topic."""
    qs = Case.objects.filter(category__code=category_code)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return [
        {"id": pk, "description": d, "district_id": district, "worker_id": w, "created_at": at}
        for pk, d, district, w, at in qs.order_by("id").values_list(
            "id", "description", "district_id", "worker_id", "created_at"
        )
    ]
