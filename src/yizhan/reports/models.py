"""Hazard reports (随手拍): a worker's photo and spot, routed to the community whose grid
contains it (or to a department, or to the city), handled and closed.

Every change of state is a `ReportEvent` row; nothing is edited away.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A kind of hazard, managed by the city: who owns it and its response target. What a verified
    report earns is not here: it is set once, in the points rules (`points.selectors`)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the community whose grid contains the spot handles it."),
        related_name="report_categories",
    )
    photo_required = models.BooleanField(_("photo required"), default=True)
    response_days = models.PositiveSmallIntegerField(_("response target (working days)"), default=3)
    duplicate_radius_m = models.PositiveIntegerField(_("duplicate radius (m)"), default=250)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (the city enters Chinese, and English if it likes)."""
        if self.name_en and not get_language().startswith("zh"):
            return self.name_en
        return self.name


class State(models.TextChoices):
    # Plain gettext_lazy, not pgettext_lazy: a notification stores the label as a message id
    # and translates it when read, and `core.notifications` keeps no message context.
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATES = (State.SUBMITTED, State.ACCEPTED, State.IN_PROGRESS)


class RejectReason(models.TextChoices):
    INVALID = "invalid", _("Not a valid report")
    DUPLICATE = "duplicate", _("Duplicate of another report")


class LocationSource(models.TextChoices):
    """How the reporter said where: the spot itself, or only an area around it."""

    POINT = "point", _("a point (the phone's position or a tap on the map)")
    PHOTO = "photo", _("the location stored in the photo")
    PLACE = "place", _("a named place (its position)")
    COMMUNITY = "community", _("a community chosen from the list (its centre)")


class Report(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    source = models.CharField(_("source"), max_length=60, default="app")
    client_key = models.CharField(max_length=64, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    description = models.CharField(_("description"), max_length=500, blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    location_source = models.CharField(
        _("location from"),
        max_length=12,
        choices=LocationSource.choices,
        default=LocationSource.POINT,
    )
    address = models.CharField(
        _("street address or spot"),
        max_length=200,
        blank=True,
        help_text=_("Typed by the reporter, e.g. the gate or the building; shown with the report."),
    )
    community = models.ForeignKey(
        "places.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    reject_reason = models.CharField(
        _("rejection reason"), max_length=16, choices=RejectReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.SET_NULL
    )
    photo_reused = models.BooleanField(_("photo seen before"), default=False)
    media_url = models.URLField(
        _("photo link (Open311)"),
        max_length=500,
        blank=True,
        help_text=_("A partner system's own photo address; shown as a link, never fetched."),
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    due_at = models.DateTimeField(_("response due"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hazard report")
        verbose_name_plural = _("hazard reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "client_key"],
                condition=~models.Q(client_key=""),
                name="report_once_per_client_key",
            )
        ]
        indexes = [
            # The officers' queues: open reports of a scope, nearest deadline first. Partial
            # indexes over the open states let PostgreSQL read them in order instead of
            # sorting a city's hundreds of thousands of open reports.
            models.Index(
                fields=["community", "due_at", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="report_open_queue_idx",
            ),
            models.Index(
                fields=["department", "due_at", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="report_open_dept_queue_idx",
            ),
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(state__in=OPEN_STATES),
                name="report_open_city_queue_idx",
            ),
            models.Index(fields=["state", "due_at"], name="report_state_due_idx"),
            models.Index(fields=["category", "state", "lat", "lng"], name="report_nearby_idx"),
            models.Index(fields=["state", "resolved_at"], name="report_autoclose_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.category}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def routed_to_city(self) -> bool:
        return self.community_id is None and self.department_id is None

    @property
    def location_is_approximate(self) -> bool:
        """Only an area was given (a community's or a place's position), not the spot."""
        return self.location_source in (LocationSource.COMMUNITY, LocationSource.PLACE)


class Photo(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", _("Reported")
        AFTER = "after", _("After the fix")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.BEFORE)
    image = models.ImageField(upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    phash = models.CharField(max_length=16, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} photo of report {self.report_id}"


ACTION_LABELS = {
    "submitted": pgettext_lazy("report step", "Submitted"),
    "accepted": pgettext_lazy("report step", "Accepted"),
    "started": pgettext_lazy("report step", "Work started"),
    "resolved": pgettext_lazy("report step", "Resolved"),
    "closed": pgettext_lazy("report step", "Closed"),
    "rejected": pgettext_lazy("report step", "Rejected"),
    "reopened": pgettext_lazy("report step", "Reopened"),
    "transferred": pgettext_lazy("report step", "Transferred"),
    "merged": pgettext_lazy("report step", "Duplicate merged in"),
}


class ReportEvent(models.Model):
    """One step in a report's life: who did what, when, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("report history entry")
        verbose_name_plural = _("report history")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.report_id} {self.action}"

    def get_action_label(self):
        return ACTION_LABELS.get(self.action, self.action)


class Follower(models.Model):
    """Someone told about every change of a report: its reporter and those who saw it too."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="follow_once")]

    def __str__(self):
        return f"{self.user_id} follows {self.report_id}"


class Open311Key(models.Model):
    """An API key for a partner system posting requests through Open311 (only its hash is kept)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
