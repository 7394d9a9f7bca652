"""Reads: the queues each role works from, one case as a viewer may see it, and metrics."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.cases import permissions as perms
from yizhan.cases.deadlines import LOCAL
from yizhan.cases.models import Case, Category
from yizhan.cases.services import overdue_q

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
        raise Http404
    if not perms.can_view(user, case):
        raise PermissionDenied
    return case


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
    if q.isdigit():
        qs = qs.filter(Q(pk=int(q)) | Q(source_order_no=q))
    elif q:
        qs = qs.filter(source_order_no=q)
    return qs


def cases_of_worker(*, user):
    return _base().filter(worker=user).order_by("-created_at", "-id")


def dispatcher_queue(*, user, filters: dict):
    if not perms.sees_all(user):
        raise PermissionDenied
    qs = _base()
    if not filters.get("state"):
        qs = qs.exclude(state=Case.State.CLOSED)
    # The nearest running deadline first: what is late or nearly late is on top.
    return apply_filters(qs, filters).order_by(F("deadline_at").asc(nulls_last=True), "id")


def department_queue(*, user, filters: dict):
    departments = perms.department_ids(user)
    if not departments:
        raise PermissionDenied
    qs = _base().filter(department_id__in=departments)
    if not filters.get("state"):
        qs = qs.exclude(state__in=[Case.State.CLOSED, Case.State.RETURNED])
    return apply_filters(qs, filters).order_by(F("deadline_at").asc(nulls_last=True), "id")


def platform_queue(*, user, filters: dict):
    platforms = perms.platform_ids(user)
    if not platforms:
        raise PermissionDenied
    return apply_filters(_base().filter(platform_id__in=platforms), filters).order_by(
        "-created_at", "-id"
    )


def active_categories():
    return Category.objects.filter(active=True).select_related("default_department", "limit_type")


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
        raise PermissionDenied
    qs = Case.objects.all()
    if since:
        qs = qs.filter(created_at__gte=since)
    from yizhan.orgs.models import Department

    departments = dict(Department.objects.values_list("id", "name"))
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
