"""Grievance work orders (诉求工单): a worker's demand, its route through the departments,
its deadlines, and the history of every step.

The life of a case is in `services.py`; which step is legal from which state is the table
`services.STEPS`. Denormalised columns (`on_time`, `handling_seconds`, the claim columns of
the deadline sweep) exist so that queues, sweeps and metrics stay single indexed queries at
hundreds of thousands of cases.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yizhan.core.pii import EncryptedTextField, mask_mobile, mask_name
from yizhan.core.storage import private_storage


class TimeLimitType(models.Model):
    """A handling time limit in working days (0: the same working day). 时限类型."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("name in English"), max_length=40, blank=True)
    working_days = models.PositiveSmallIntegerField(
        _("working days"), help_text=_("0 means the same working day.")
    )

    class Meta:
        verbose_name = _("time-limit type")
        verbose_name_plural = _("time-limit types")
        ordering = ["working_days", "code"]

    def __str__(self):
        return f"{self.label} ({self.working_days})"

    @property
    def label(self) -> str:
        return in_reader_language(self.name, self.name_en)


def in_reader_language(name: str, name_en: str) -> str:
    """The city enters a name in Chinese, and in English if it likes: the reader's one."""
    if name_en and not (get_language() or "zh").startswith("zh"):
        return name_en
    return name


class Category(models.Model):
    """A kind of demand, with the department it goes to by default and its time limit."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    default_department = models.ForeignKey(
        "orgs.Department", verbose_name=_("default department"), on_delete=models.PROTECT
    )
    limit_type = models.ForeignKey(
        TimeLimitType, verbose_name=_("time-limit type"), on_delete=models.PROTECT
    )
    is_labour_dispute = models.BooleanField(
        _("labour dispute"), default=False, help_text=_("Offer mediation for these cases.")
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return in_reader_language(self.name, self.name_en)


class HotlineSource(models.Model):
    """A hotline centre (12345, 12328) that sends work orders; its webhook key is hashed."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    key_hash = models.CharField(_("key (SHA-256)"), max_length=64, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hotline source")
        verbose_name_plural = _("hotline sources")

    def __str__(self):
        return self.name


class Symposium(models.Model):
    """A face-to-face session (座谈会) where a facilitator records many demands."""

    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=120)
    attendees = models.TextField(_("attendees"), blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitator"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("symposium")
        verbose_name_plural = _("symposia")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on} {self.place}"


class Case(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted, awaiting dispatch")
        RETURNED = "returned", _("Returned, awaiting re-dispatch")
        DISPATCHED = "dispatched", _("Dispatched, awaiting sign-for")
        SIGNED = "signed", _("Signed for")
        HANDLING = "handling", _("Being handled")
        REPLIED = "replied", _("Replied, awaiting follow-up")
        FOLLOWED_UP = "followed_up", _("Followed up, awaiting closure")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        APP = "app", _("App")
        HOTLINE_12345 = "12345", _("12345 hotline")
        HOTLINE_12328 = "12328", _("12328 hotline")
        SYMPOSIUM = "symposium", _("Symposium")
        WALK_IN = "walk_in", _("Walk-in")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    # Foreign keys without an index of their own (db_index=False) are covered by a composite
    # index that starts with them, or are never looked up by the app (docs/CASES.md, "Indexes").
    source = models.ForeignKey(
        HotlineSource,
        verbose_name=_("hotline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    source_order_no = models.CharField(_("hotline order number"), max_length=40, blank=True)
    symposium = models.ForeignKey(
        Symposium,
        verbose_name=_("symposium"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,
    )
    # Callers without an account (hotline, walk-in): kept encrypted like every personal field.
    caller_name = EncryptedTextField(_("caller's name"), blank=True)
    caller_mobile = EncryptedTextField(_("caller's mobile"), blank=True)
    withhold_identity = models.BooleanField(
        _("do not reveal my identity to the platform or employer"), default=False
    )
    platform = models.ForeignKey(
        "orgs.Platform",
        verbose_name=_("platform concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    employer = models.ForeignKey(
        "orgs.Employer",
        verbose_name=_("employer concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    district = models.ForeignKey(
        "places.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, db_index=False
    )
    limit_type = models.ForeignKey(
        TimeLimitType,
        verbose_name=_("time-limit type"),
        on_delete=models.PROTECT,
        db_index=False,
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    description = models.TextField(_("description"))
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.SUBMITTED
    )
    created_at = models.DateTimeField(_("filed at"))
    accept_due_at = models.DateTimeField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("reply due by"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    return_due_at = models.DateTimeField(_("may be returned until"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.CharField(_("satisfaction"), max_length=12, choices=Rating.choices, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    extension_days = models.PositiveSmallIntegerField(
        _("extension requested (working days)"), null=True, blank=True
    )
    # The dispatcher's last urging (催办) of the department handling it now: the queues show
    # it without reading the history.
    urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)
    # The deadline running now (acceptance, or the reply; empty once replied): the queue's
    # order, kept by every step so the page reads 25 rows off an index, not sorts them all.
    deadline_at = models.DateTimeField(_("running deadline"), null=True, blank=True)
    # Metrics, set when the department replies.
    on_time = models.BooleanField(_("replied on time"), null=True, blank=True)
    handling_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Claims of the deadline sweep (a conditional update on these decides who acts).
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    accept_overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The order number first: the number search of the queues uses it too.
            models.UniqueConstraint(
                fields=["source_order_no", "source"],
                condition=Q(source__isnull=False),
                name="one_case_per_hotline_order",
            ),
            models.UniqueConstraint(
                fields=["creator", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_case_per_idempotency_key",
            ),
        ]
        # Each index is used by a query of the app (EXPLAIN on PostgreSQL at 200,000 cases,
        # docs/CASES.md "Indexes"); 11 in all with the key, the two unique constraints and the
        # symposium's foreign key.
        indexes = [
            models.Index(fields=["deadline_at", "id"]),  # the queues' order
            # reminders, overdue marks and acceptance misses (state first), state filter
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["department", "state", "due_at"]),  # department filter
            models.Index(fields=["platform", "created_at"], name="cases_case_platform_created"),
            models.Index(fields=["worker", "created_at"]),  # a worker's own cases
            models.Index(fields=["category", "created_at"]),  # category filter
            models.Index(fields=["channel", "created_at"]),  # channel filter
        ]

    def __str__(self):
        return f"#{self.pk} {self.category}"

    # --- who the case is about, with the masks staff see --------------------------

    @property
    def person_name(self) -> str:
        return (self.worker.name if self.worker_id else self.caller_name) or ""

    @property
    def person_mobile(self) -> str:
        return (self.worker.mobile if self.worker_id else self.caller_mobile) or ""

    @property
    def masked_person(self) -> str:
        return f"{mask_name(self.person_name)} {mask_mobile(self.person_mobile)}".strip()

    @property
    def current_due_at(self):
        """The deadline that is running now: acceptance, or the reply, or none."""
        return running_deadline(self.state, self.accept_due_at, self.due_at)

    def is_overdue(self, now) -> bool:
        due = self.current_due_at
        return due is not None and now > due


def running_deadline(state, accept_due_at, due_at):
    if state == Case.State.SUBMITTED:
        return accept_due_at
    if state in (Case.State.REPLIED, Case.State.FOLLOWED_UP, Case.State.CLOSED):
        return None
    return due_at


OPEN_HANDLING_STATES = (
    Case.State.DISPATCHED,
    Case.State.SIGNED,
    Case.State.HANDLING,
)
OPEN_STATES = tuple(s for s in Case.State.values if s != Case.State.CLOSED)


class CaseEvent(models.Model):
    """One step in a case's life: who, when, what, why. Append-only."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Filed")
        ACCEPT = "accept", _("Accepted")
        DISPATCH = "dispatch", _("Dispatched")
        SIGN_FOR = "sign_for", _("Signed for")
        RETURN = "return", _("Returned as misrouted")
        HANDLE = "handle", _("Handling note")
        REQUEST_EXTENSION = "request_extension", _("Extension requested")
        APPROVE_EXTENSION = "approve_extension", _("Extension approved")
        REFUSE_EXTENSION = "refuse_extension", _("Extension refused")
        REPLY = "reply", _("Replied to the worker")
        FOLLOW_UP = "follow_up", _("Followed up")
        REOPEN = "reopen", _("Reopened for redo")
        CLOSE = "close", _("Closed")
        REMIND = "remind", _("Deadline reminder")
        SUPERVISE = "supervise", _("Overdue: supervision notice")
        MEDIATION = "mediation", _("Mediation")
        PLATFORM_STATEMENT = "platform_statement", _("Platform's statement")
        URGE = "urge", _("Urged by the dispatcher")
        REASSIGN = "reassign", _("Reassigned to another department")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("The worker and staff")
        STAFF = "staff", _("Staff only")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("step"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("why / what"), blank=True)
    # Who the entry is addressed to. Staff only unless a step says otherwise: the
    # dispatcher's note to a department or a department's handling note never reaches the
    # worker (nor a platform's representative) by accident.
    visibility = models.CharField(
        _("seen by"), max_length=8, choices=Visibility.choices, default=Visibility.STAFF
    )

    class Meta:
        verbose_name = _("case history entry")
        verbose_name_plural = _("case history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"#{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


# The steps told to the worker, whose history entries are addressed to them too: filing,
# acceptance, sign-for, the reply, their own rating, closing, mediation, a platform's
# statement. Routing, handling notes, returns, extensions and deadline notices are staff
# business (a department may still address a handling note to the worker: `case_handle`).
PUBLIC_ACTIONS = frozenset(
    {
        CaseEvent.Action.SUBMIT,
        CaseEvent.Action.ACCEPT,
        CaseEvent.Action.SIGN_FOR,
        CaseEvent.Action.REPLY,
        CaseEvent.Action.FOLLOW_UP,
        CaseEvent.Action.REOPEN,
        CaseEvent.Action.CLOSE,
        CaseEvent.Action.MEDIATION,
        CaseEvent.Action.PLATFORM_STATEMENT,
    }
)


def visibility_of(action: str) -> str:
    """Who a history entry of this step is addressed to, unless the step says otherwise."""
    return CaseEvent.Visibility.PUBLIC if action in PUBLIC_ACTIONS else CaseEvent.Visibility.STAFF


def _attachment_path(instance, filename):
    # A random name: the person's file name (often their own name) stays in `name` only.
    suffix = Path(filename).suffix.lower()[:8]
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=private_storage)
    name = models.CharField(_("name"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class Mediation(models.Model):
    """A labour-dispute mediation (劳动争议调解) opened from a case: 15 days by statute."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("In progress")
        AGREEMENT = "agreement", _("Mediation agreement")
        FAILED = "failed", _("Failed: referred to arbitration")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mediation")
    parties = models.TextField(_("parties"), help_text=_("One party per line."))
    opened_at = models.DateTimeField(_("opened at"))
    due_on = models.DateField(_("statutory limit"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mediator"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")

    def __str__(self):
        return f"mediation of #{self.case_id}"

    @property
    def party_list(self) -> list[str]:
        return [p.strip() for p in self.parties.splitlines() if p.strip()]


class MediationSession(models.Model):
    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=120)
    note = models.TextField(_("record"), blank=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at"]

    def __str__(self):
        return f"{self.held_at:%Y-%m-%d} {self.place}"
