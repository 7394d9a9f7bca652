"""Reads: the queues each role works from, one case (its mediation, its attachments, a
symposium) as a viewer may see it, the person's own data, hotline sources, and metrics."""

import hmac
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.cases import permissions as perms
from yizhan.cases import presenters
from yizhan.cases.deadlines import LOCAL
from yizhan.cases.hotline import key_hash
from yizhan.cases.models import (
    OPEN_HANDLING_STATES,
    Attachment,
    Case,
    CaseEvent,
    Category,
    HotlineSource,
    Mediation,
    Symposium,
    in_reader_language,
)
from yizhan.core.errors import NotAllowed, NotFound
from yizhan.core.listing import Column, Sorting, param_flag, param_id, param_text
from yizhan.orgs import selectors as orgs

QUEUE_FILTERS = ("state", "category", "department", "channel", "overdue", "urged", "q")


def _base():
    # The worker too: the queues mask their name in the free text of each row (presenters).
    return Case.objects.select_related("category", "department", "platform", "limit_type", "worker")


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


def case_to_claim(*, user, case_id: int) -> Case:
    """A case filed under `user`'s number at a desk, which they may take into their account."""
    case = _base().filter(pk=case_id).first()
    if case is None:
        raise NotFound
    if not perms.can_claim(user, case):
        raise NotAllowed
    return case


def filed_by(*, user, case_id: int | None) -> Case | None:
    """A case this member of staff filed (the walk-in desk's confirmation), or None."""
    if case_id is None or not getattr(user, "is_authenticated", False):
        return None
    return _base().filter(pk=case_id, creator=user).first()


def mediation_for_viewer(*, user, case_id: int) -> tuple[Case, Mediation | None]:
    """A case and its mediation (None when there is none yet), if `user` may see the case."""
    case = case_for_viewer(user=user, case_id=case_id)
    return case, Mediation.objects.filter(case=case).first()


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
    return Symposium.objects.annotate(n_cases=Count("cases")).order_by("-held_on", "-id")[:limit]


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
    """Every history entry of a case, staff-only ones included: for staff views only."""
    return case.events.select_related("actor", "department").order_by("at", "id")


def history_for_viewer(*, user, case):
    """The history entries `user` may read: all of them for the dispatchers and the case's
    department, only those addressed to the worker for anyone else (the worker, a platform's
    representative)."""
    if perms.sees_staff_history(user, case):
        return case_history(case)
    return public_history(case)


def public_history(case):
    """The entries addressed to the worker (what the worker's page, API and export show)."""
    return case_history(case).filter(visibility=CaseEvent.Visibility.PUBLIC)


def apply_filters(qs, filters: dict, *, now=None):
    """The queue's filters, each read defensively: a value that is not one of the choices, or
    not an id the database can hold, is ignored (the list shows as if it were not set)."""
    now = now or timezone.now()
    if filters.get("state") in Case.State.values:
        qs = qs.filter(state=filters["state"])
    elif filters.get("state") == "open":
        qs = qs.exclude(state=Case.State.CLOSED)
    for name in ("category", "department"):
        value = param_id(filters.get(name))
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    if filters.get("channel") in Case.Channel.values:
        qs = qs.filter(channel=filters["channel"])
    if param_flag(filters.get("overdue")) or filters.get("overdue") is True:
        qs = qs.filter(overdue_q(now))
    if param_flag(filters.get("urged")):
        qs = qs.filter(urged_at__isnull=False)
    q = param_text(filters.get("q"), max_length=40).lstrip("#")
    # Only hotline cases carry an order number: saying so lets the number search use the
    # (order number, hotline) index instead of reading every case.
    by_order_no = Q(source__isnull=False, source_order_no=q)
    number = param_id(q)
    if number is not None:
        qs = qs.filter(Q(pk=number) | by_order_no)
    elif q:
        qs = qs.filter(by_order_no)
    return qs


def open_count_of_worker(*, user) -> int:
    """How many of the worker's demands are not closed yet (for their home page)."""
    return Case.objects.filter(worker=user).exclude(state=Case.State.CLOSED).count()


# The queues' columns: what a header may sort by (a whitelist, see core.listing).
QUEUE_COLUMNS = [
    Column("id", gettext_lazy("Work order"), ("id",)),
    Column("demand", gettext_lazy("Demand")),
    Column("state", gettext_lazy("State")),
    Column("channel", gettext_lazy("Channel"), ("channel", "id")),
    Column("department", gettext_lazy("Department"), ("department__name", "id")),
    Column("created", gettext_lazy("Filed at"), ("created_at", "id")),
    Column("deadline", gettext_lazy("Deadline"), ("deadline_at", "id")),
]


def queue_sorting(value, *, default="deadline") -> Sorting:
    return Sorting(QUEUE_COLUMNS, value, default=default)


def _sorted(qs, sort, default):
    if isinstance(sort, Sorting):
        return qs.order_by(*sort.order_by())
    return qs.order_by(*queue_sorting(sort, default=default).order_by())


def cases_of_worker(*, user):
    return _base().filter(worker=user).order_by("-created_at", "-id")


def dispatcher_queue(*, user, filters: dict, sort=None):
    """Every open case (or those of a chosen state); the nearest running deadline first, so
    what is late or nearly late is on top, unless the header asks for another order."""
    if not perms.can_use_dispatcher_queue(user):
        raise NotAllowed
    qs = _base()
    if not filters.get("state"):
        qs = qs.exclude(state=Case.State.CLOSED)
    return _sorted(apply_filters(qs, filters), sort, "deadline")


def department_queue(*, user, filters: dict, sort=None):
    departments = perms.department_ids(user)
    if not departments:
        raise NotAllowed
    qs = _base().filter(department_id__in=departments)
    if not filters.get("state"):
        qs = qs.exclude(state__in=[Case.State.CLOSED, Case.State.RETURNED])
    return _sorted(apply_filters(qs, filters), sort, "deadline")


def platform_queue(*, user, filters: dict, sort=None):
    platforms = perms.platform_ids(user)
    if not platforms:
        raise NotAllowed
    return _sorted(
        apply_filters(_base().filter(platform_id__in=platforms), filters), sort, "-created"
    )


QUEUES = {
    "cases:queue": (perms.can_use_dispatcher_queue, dispatcher_queue),
    "cases:department_queue": (perms.can_use_department_queue, department_queue),
    "cases:platform_queue": (perms.can_use_platform_queue, platform_queue),
}


def home_queue(user) -> str | None:
    """The name of the queue this person works from, or None (a worker)."""
    for name, (may, _fn) in QUEUES.items():
        if may(user):
            return name
    return None


# What waits for the people of each queue: the states (and the pending extension request)
# in which they have a step to take, beyond supervising.
_AWAITING = {
    "cases:queue": Q(
        state__in=[
            Case.State.SUBMITTED,
            Case.State.ACCEPTED,
            Case.State.RETURNED,
            Case.State.REPLIED,
            Case.State.FOLLOWED_UP,
        ]
    )
    | Q(state__in=OPEN_HANDLING_STATES, extension_days__isnull=False),
    "cases:department_queue": Q(state__in=OPEN_HANDLING_STATES),
}


def queue_awaits(queue: str) -> bool:
    """Whether the people of `queue` have steps of their own to take (a platform's
    representatives read their queue; they have none)."""
    return queue in _AWAITING


def next_in_queue(*, user, queue: str, filters: dict, sort=None, exclude_id=None, look=5):
    """The first case in `queue` (as the person last filtered and sorted it) that waits for a
    step of theirs, other than `exclude_id`; None when there is none. The database narrows
    to the states that wait for someone; the permission table has the last word."""
    may, fn = QUEUES.get(queue, (None, None))
    if fn is None or queue not in _AWAITING or not may(user):
        return None
    rows = fn(user=user, filters=filters, sort=sort).filter(_AWAITING[queue])
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return next((c for c in rows[:look] if perms.awaits(user, c)), None)


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
    categories = {c.pk: c.label for c in Category.objects.all()}
    by_month = qs.annotate(month=TruncMonth("created_at", tzinfo=LOCAL))
    return {
        "department": _metric_rows(
            qs, "department", lambda v: departments.get(v, "—") if v else undispatched
        ),
        "category": _metric_rows(qs, "category", lambda v: categories.get(v, "—")),
        "month": _metric_rows(by_month, "month", lambda v: v.strftime("%Y-%m") if v else "—"),
    }


# --- the person's own data -------------------------------------------------------------


def losses_on_deletion(user) -> list[str]:
    """Said before a worker deletes their account: open demands lose their text and can no
    longer be answered to them."""
    still_open = Case.objects.filter(worker=user).exclude(state=Case.State.CLOSED).count()
    if not still_open:
        return []
    return [
        _("Your %(n)s open demands are erased and can no longer be answered to you.")
        % {"n": still_open}
    ]


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
                for entry in presenters.timeline(case, public_history(case), user)
            ],
        }
        for case in cases
    ]


# --- city dashboards (驾驶舱, issue 18): facts and headlines for the portal ----------------
# Read by the portal only (yizhan.portal.dashboards); see core.dashboards for the protocol and
# docs/DASHBOARDS.md for what each metric means. Facts come from the append-only history
# (CaseEvent), so a day's count never changes once the day is over. Keys: k1 department id
# (the department of the step; "" before dispatch), k2 category id, k3 channel.

_DASHBOARD_ACTIONS = {
    "submit": "cases.filed",
    "dispatch": "cases.dispatched",
    "return": "cases.returned",
    "request_extension": "cases.extension_requested",
    "approve_extension": "cases.extended",
    "reopen": "cases.reopened",
    "supervise": "cases.overdue",
}


def dashboard_facts(*, start, end):
    """Per local day in [start, end): cases filed, accepted (and on time), dispatched,
    returned, extended, reopened, marked overdue, and closed with the 12345 indicators of
    the closed case (replied on time, resolved at the first reply, rated, satisfied, handling
    seconds). A case is closed once and then frozen, so its indicators count on that day."""
    from django.db.models import Sum
    from django.db.models.functions import TruncDate

    from yizhan.cases.models import CaseEvent
    from yizhan.core.dashboards import Fact, first_id_since

    first = first_id_since(CaseEvent.objects.all(), "at", start)
    if first is None:
        return
    events = CaseEvent.objects.filter(pk__gte=first, at__gte=start, at__lt=end).annotate(
        local_day=TruncDate("at", tzinfo=LOCAL)
    )
    keys = ("local_day", "case__district_id", "department_id", "case__category_id", "case__channel")
    satisfied = [Case.Rating.SATISFIED, Case.Rating.BASICALLY]
    closed = Q(action="close")
    measures = {
        metric: Count("id", filter=Q(action=action))
        for action, metric in _DASHBOARD_ACTIONS.items()
    } | {
        "cases.accepted": Count("id", filter=Q(action="accept")),
        "cases.accepted_on_time": Count(
            "id", filter=Q(action="accept", at__lte=F("case__accept_due_at"))
        ),
        "cases.closed": Count("id", filter=closed),
        "cases.closed_replied": Count(
            "id", filter=closed & Q(case__handling_seconds__isnull=False)
        ),
        "cases.closed_on_time": Count("id", filter=closed & Q(case__on_time=True)),
        "cases.closed_first_time": Count(
            "id", filter=closed & Q(case__reopened=0, case__replied_at__isnull=False)
        ),
        "cases.closed_rated": Count("id", filter=closed & ~Q(case__rating="")),
        "cases.closed_satisfied": Count("id", filter=closed & Q(case__rating__in=satisfied)),
        "cases.handling_seconds": Sum("case__handling_seconds", filter=closed),
    }
    wanted = [*_DASHBOARD_ACTIONS, "accept", "close"]
    rows = events.filter(action__in=wanted).values(*keys).annotate(**measures).order_by()
    for row in rows:
        for metric in measures:
            value = row[metric]
            if value:
                yield Fact(
                    metric=metric,
                    day=row["local_day"],
                    district=row["case__district_id"],
                    value=int(value),
                    k1=str(row["department_id"] or ""),
                    k2=str(row["case__category_id"]),
                    k3=row["case__channel"],
                )


def dashboard_open_now(*, district_ids=None, department_id=None, category_id=None, now=None):
    """Cases not yet closed, and those past their running deadline, now (indexed counts)."""
    now = now or timezone.now()
    # state IN (…) rather than state <> closed: the (state, due_at) index serves it.
    qs = Case.objects.filter(state__in=[s for s in Case.State.values if s != Case.State.CLOSED])
    if district_ids is not None:
        qs = qs.filter(district_id__in=district_ids)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    return qs.aggregate(open=Count("id"), overdue=Count("id", filter=overdue_q(now)))


def dashboard_labels() -> dict[str, dict[str, str]]:
    """Names for the keys of the facts: {"department": {id: name}, "category": {...},
    "channel": {...}} (in the reader's language where the model has one)."""
    return {
        "department": {str(k): v for k, v in orgs.departments().values_list("id", "name")},
        "category": {str(c.pk): c.label for c in Category.objects.all()},
        "channel": {k: str(v) for k, v in Case.Channel.choices},
    }


def dashboard_headlines(*, scope):
    """Open and overdue work orders now, within the scope (district, department, category)."""
    from yizhan.core.dashboards import Headline

    category = int(scope.category) if str(scope.category).isdigit() else None
    counts = dashboard_open_now(
        district_ids=scope.district_ids,
        department_id=scope.department_id,
        category_id=category,
        now=scope.now,
    )
    group = "Grievances"
    return [
        Headline("cases.open", "Open work orders", counts["open"], group=group),
        Headline(
            "cases.overdue_now",
            "Work orders past their deadline",
            counts["overdue"],
            group=group,
        ),
    ]


# --- Cases naming a platform, for the transparency scorecard (issue 16) -------------------


def reply_counts(*, case_ids) -> dict:
    """Of the cases `case_ids` (ids, or a values_list subquery): how many were replied to and
    how many of those on time (one indexed aggregate; the transparency dashboard asks)."""
    return Case.objects.filter(pk__in=case_ids).aggregate(
        cases=Count("id"),
        replied=Count("id", filter=Q(replied_at__isnull=False)),
        on_time=Count("id", filter=Q(replied_at__isnull=False, on_time=True)),
    )


def platform_case_facts(*, platform_id: int, since=None) -> dict:
    """Aggregates over the cases naming one platform (no case, no person): how many, how
    many the department replied to and the median hours from filing to reply, how many are
    closed, rated and rated (basically) satisfied, and how many the platform answered with
    a statement."""
    from statistics import median

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
            "id",
            "category__name",
            "category__name_en",
            "description",
            "state",
            "replied_at",
            "reply",
            "worker_id",
        )
    )
    labels = dict(Case.State.choices)
    return [
        {
            "id": pk,
            "category": in_reader_language(category, category_en),
            "description": description,
            "state": state,
            "state_label": labels.get(state, state),
            "replied_at": replied_at,
            "reply": reply,
            "worker_id": worker_id,
        }
        for pk, category, category_en, description, state, replied_at, reply, worker_id in rows
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
