"""Platform transparency (阳光行动): what platforms disclose, and what workers check against it.

- A platform's disclosure is versioned: each filing is a new `Disclosure` row (commission caps
  per service type and city, pricing rules, pay standards, working-time and fatigue limits,
  occupational-injury insurance, the deactivation appeal channel). The city publishes or
  rejects it; a published version is never edited, it is superseded by a later one.
- A worker's orders (`Order`), entered by hand or imported from an earnings `Statement`,
  carry money as integers in fen and the effective commission as integer basis points
  (1 bp = 0.01 %), so no float ever touches a comparison with a cap.
- `CommissionIndex` holds the monthly median and 90th percentile per platform and service,
  and the database refuses a row that shows figures from fewer than k distinct workers.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from yizhan.core.storage import private_storage
from yizhan.orgs.selectors import PlatformKind

BP = 10_000  # basis points in 100 %


class ServiceType(models.Model):
    """A kind of order a platform of one kind offers (快车, 专车, 外卖配送, 同城货运 …).
    City-configurable in the back office; caps and checks name one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=40)
    platform_kind = models.CharField(
        _("platform kind"), max_length=20, choices=PlatformKind.choices
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["platform_kind", "position", "code"]

    def __str__(self):
        return self.name


class RoutingRule(models.Model):
    """Which department a commission case goes to: a rule for one service type wins over the
    rule for its platform kind (网约车、货运 → 交通运输局; 外卖 → 市场监督管理局)."""

    platform_kind = models.CharField(
        _("platform kind"), max_length=20, choices=PlatformKind.choices
    )
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service type"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every service of this platform kind."),
    )
    department = models.ForeignKey(
        "orgs.Department", verbose_name=_("department"), on_delete=models.PROTECT
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["platform_kind", "service_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform_kind"],
                condition=Q(service_type__isnull=True),
                name="transparency_one_rule_per_kind",
            ),
            models.UniqueConstraint(
                fields=["service_type"],
                condition=Q(service_type__isnull=False),
                name="transparency_one_rule_per_service",
            ),
        ]

    def __str__(self):
        return f"{self.service_type or self.get_platform_kind_display()} → {self.department}"


class Config(models.Model):
    """The city's settings for transparency (one row)."""

    k_anonymity = models.PositiveSmallIntegerField(
        _("minimum distinct workers (k)"),
        default=20,
        help_text=_(
            "A monthly index figure is published only when at least k workers sent orders."
        ),
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("stale after (days)"),
        default=90,
        help_text=_("A disclosure not confirmed for this long is flagged stale."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("transparency settings")
        verbose_name_plural = _("transparency settings")
        constraints = [
            models.CheckConstraint(
                name="transparency_k_at_least_2", condition=Q(k_anonymity__gte=2)
            ),
            models.CheckConstraint(
                name="transparency_stale_days_positive", condition=Q(stale_after_days__gte=1)
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)


class Disclosure(models.Model):
    """One version of a platform's disclosure. Filed by its representative, published or
    rejected by the city; never edited after filing."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Returned for correction")
        WITHDRAWN = "withdrawn", _("Replaced before review")

    platform = models.ForeignKey(
        "orgs.Platform",
        verbose_name=_("platform"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SUBMITTED
    )
    effective_from = models.DateField(_("effective from"))
    pricing_rules = models.TextField(_("pricing rules"), blank=True)
    pay_standards = models.TextField(_("pay standards"), blank=True)
    max_continuous_minutes = models.PositiveSmallIntegerField(
        _("maximum continuous online time (minutes)"), null=True, blank=True
    )
    forced_rest_minutes = models.PositiveSmallIntegerField(
        _("forced rest after it (minutes)"), null=True, blank=True
    )
    max_daily_minutes = models.PositiveSmallIntegerField(
        _("maximum online time per day (minutes)"), null=True, blank=True
    )
    max_weekly_minutes = models.PositiveSmallIntegerField(
        _("maximum online time per week (minutes)"), null=True, blank=True
    )
    injury_insurance = models.TextField(_("occupational-injury insurance"), blank=True)
    appeal_channel = models.TextField(_("deactivation appeal channel"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"))
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decision_note = models.TextField(_("review note"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The last time the platform said "this is still accurate" (or published it).
    confirmed_at = models.DateTimeField(_("last confirmed at"), null=True, blank=True)
    stale_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["platform", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "version"], name="transparency_one_version_number"
            ),
            models.UniqueConstraint(
                fields=["filed_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="transparency_disclosure_idempotency",
            ),
            models.CheckConstraint(
                name="transparency_published_has_date",
                condition=~Q(state="published") | Q(published_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["platform", "state", "effective_from"])]

    def __str__(self):
        return f"{self.platform_id} v{self.version}"


class CommissionCap(models.Model):
    """A disclosed commission cap for one service type in one city, in basis points."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="caps")
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT
    )
    city = models.CharField(_("city"), max_length=40)
    cap_bp = models.PositiveIntegerField(_("commission cap (basis points)"))

    class Meta:
        verbose_name = _("commission cap")
        verbose_name_plural = _("commission caps")
        ordering = ["service_type__position", "service_type__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "service_type", "city"], name="transparency_one_cap"
            ),
            models.CheckConstraint(name="transparency_cap_within_100", condition=Q(cap_bp__lte=BP)),
        ]

    def __str__(self):
        return f"{self.service_type} {self.cap_bp / 100:.1f}%"


class DisclosureEvent(models.Model):
    """The history of a disclosure version: filed, published, returned, confirmed. Append-only."""

    class Action(models.TextChoices):
        FILE = "file", _("Filed")
        PUBLISH = "publish", _("Published")
        REJECT = "reject", _("Returned for correction")
        WITHDRAW = "withdraw", _("Replaced by a newer filing")
        CONFIRM = "confirm", _("Confirmed as still accurate")
        STALE = "stale", _("Flagged stale")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("step"), max_length=10, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("disclosure history entry")
        verbose_name_plural = _("disclosure history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.disclosure_id} {self.action}"


def _private_name(prefix):
    def upload_to(instance, filename):
        # A random name: the person's file name (often their own name) stays in `name` only.
        suffix = Path(filename).suffix.lower()[:8]
        return f"transparency/{prefix}/{uuid.uuid4().hex}{suffix}"

    return upload_to


def statement_path(instance, filename):
    return _private_name("statements")(instance, filename)


def screenshot_path(instance, filename):
    return _private_name("screenshots")(instance, filename)


class Statement(models.Model):
    """An earnings statement a worker uploaded (CSV or Excel), kept privately as evidence."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=statement_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=120)
    sha256 = models.CharField(max_length=64)
    screenshot = models.FileField(
        _("screenshot"), upload_to=screenshot_path, storage=private_storage, blank=True
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported = models.PositiveIntegerField(_("orders imported"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates ignored"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("earnings statement")
        verbose_name_plural = _("earnings statements")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.name


class Order(models.Model):
    """One order a worker checks: the fare, their payout and what the platform kept."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        STATEMENT = "statement", _("From a statement")

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT
    )
    order_no = models.CharField(_("order number"), max_length=64, blank=True)
    completed_on = models.DateField(_("date"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    fare_fen = models.PositiveBigIntegerField(_("fare (fen)"))
    payout_fen = models.PositiveBigIntegerField(_("payout (fen)"))
    # (fare - payout) * 10000 // fare: kept so the monthly index is one aggregate.
    rate_bp = models.PositiveSmallIntegerField(_("effective commission (basis points)"))
    driving_minutes = models.PositiveIntegerField(
        _("driving time (minutes)"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    screenshot = models.FileField(
        _("screenshot"), upload_to=screenshot_path, storage=private_storage, blank=True
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "platform", "order_no"],
                condition=~Q(order_no=""),
                name="transparency_order_once",
            ),
            models.CheckConstraint(name="transparency_fare_positive", condition=Q(fare_fen__gt=0)),
            models.CheckConstraint(
                name="transparency_payout_within_fare", condition=Q(payout_fen__lte=F("fare_fen"))
            ),
            models.CheckConstraint(
                name="transparency_rate_within_100", condition=Q(rate_bp__lte=BP)
            ),
        ]
        indexes = [
            models.Index(fields=["worker", "completed_on"]),
            models.Index(fields=["completed_on", "platform", "service_type"]),
        ]

    def __str__(self):
        return self.order_no or f"#{self.pk}"

    @property
    def commission_fen(self) -> int:
        return self.fare_fen - self.payout_fen


class WorkDay(models.Model):
    """A worker's online and driving time on one day for one platform, in minutes."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        STATEMENT = "statement", _("From a statement")

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    online_minutes = models.PositiveSmallIntegerField(_("online (minutes)"), null=True, blank=True)
    driving_minutes = models.PositiveSmallIntegerField(
        _("driving (minutes)"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("working day")
        verbose_name_plural = _("working days")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "platform", "day"], name="transparency_one_workday"
            ),
            models.CheckConstraint(
                name="transparency_day_has_24_hours",
                condition=(Q(online_minutes__isnull=True) | Q(online_minutes__lte=1440))
                & (Q(driving_minutes__isnull=True) | Q(driving_minutes__lte=1440)),
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.online_minutes}"


class Dispute(models.Model):
    """A commission case a worker filed from a week above the cap: the figures as filed and
    the case it became (read through cases.selectors). One per worker, service and week."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT
    )
    week_start = models.DateField(_("week of"))
    case_id = models.PositiveBigIntegerField(_("case"), db_index=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("routed to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    orders = models.PositiveIntegerField(_("orders"))
    fare_fen = models.PositiveBigIntegerField(_("fares (fen)"))
    commission_fen = models.PositiveBigIntegerField(_("commission (fen)"))
    rate_bp = models.PositiveSmallIntegerField(_("effective commission (basis points)"))
    cap_bp = models.PositiveIntegerField(_("cap (basis points)"))
    created_at = models.DateTimeField(_("filed at"))

    class Meta:
        verbose_name = _("commission dispute")
        verbose_name_plural = _("commission disputes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "platform", "service_type", "week_start"],
                name="transparency_one_dispute_per_week",
            )
        ]

    def __str__(self):
        return f"case {self.case_id}"


class CommissionIndex(models.Model):
    """The monthly commission index of one platform and service. Figures exist only when at
    least k distinct workers contributed: the CHECK constraint makes any other row impossible."""

    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), on_delete=models.CASCADE, related_name="+"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.CASCADE
    )
    month = models.DateField(_("month"))
    orders = models.PositiveIntegerField(_("orders"))
    workers = models.PositiveIntegerField(_("distinct workers"))
    k = models.PositiveSmallIntegerField(_("k at computation"))
    published = models.BooleanField(_("published"))
    median_bp = models.PositiveSmallIntegerField(_("median (basis points)"), null=True)
    p90_bp = models.PositiveSmallIntegerField(_("90th percentile (basis points)"), null=True)
    cap_bp = models.PositiveIntegerField(_("published cap (basis points)"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("commission index")
        verbose_name_plural = _("commission index")
        ordering = ["platform", "service_type", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "service_type", "month"], name="transparency_one_index_row"
            ),
            models.CheckConstraint(
                name="transparency_index_k_anonymous",
                condition=Q(published=True, workers__gte=F("k"), median_bp__isnull=False)
                | Q(published=False, median_bp__isnull=True, p90_bp__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.platform_id}/{self.service_type_id} {self.month:%Y-%m}"


class ScorecardAnswer(models.Model):
    """The platform's written answer to its scorecard, shown beside it. Append-only: the
    newest answer per principle is shown, earlier ones stay on record."""

    class Principle(models.TextChoices):
        PAY = "pay", _("Fair pay")
        CONDITIONS = "conditions", _("Fair conditions")
        CONTRACTS = "contracts", _("Fair contracts")
        MANAGEMENT = "management", _("Fair management")
        REPRESENTATION = "representation", _("Fair representation")

    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), on_delete=models.CASCADE, related_name="+"
    )
    principle = models.CharField(_("principle"), max_length=16, choices=Principle.choices)
    text = models.TextField(_("answer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("scorecard answer")
        verbose_name_plural = _("scorecard answers")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.platform_id} {self.principle}"
