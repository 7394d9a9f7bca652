"""The points reward bank (积分奖励库): a double-entry, append-only ledger of points, the
earning rules that feed it, workers' wishes (心愿), the catalogue they become and the
redemptions (兑换) that spend points at a station.

Balances are cached on `Account` and changed only by `ledger.post`, in the same
transaction as the entries; `yizhan points verify` recomputes them from the entries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sponsor(models.Model):
    """A company, union or charity that gives items for the catalogue or funds a pool."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    contact = models.CharField(_("contact"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Account(models.Model):
    """A place points sit. Workers' accounts and pools never go below zero; the issuance
    account (the city's mint) is the negative of every point ever issued."""

    class Kind(models.TextChoices):
        WORKER = "worker", _("Worker")
        POOL = "pool", _("City reward pool")
        SPONSOR = "sponsor", _("Sponsor pool")
        ISSUANCE = "issuance", _("Issuance")
        ESCROW = "escrow", _("Held for pick-up")
        REDEEMED = "redeemed", _("Redeemed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # System accounts have a code ("pool", "issuance", "escrow", "redeemed", "sponsor-7").
    code = models.CharField(_("code"), max_length=40, unique=True, null=True, blank=True)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_account",
    )
    sponsor = models.OneToOneField(
        Sponsor,
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                name="points_balance_not_negative",
                condition=Q(kind="issuance") | Q(balance__gte=0),
            ),
            models.CheckConstraint(
                name="points_account_has_its_owner",
                condition=Q(kind="worker", owner__isnull=False, code__isnull=True)
                | Q(~Q(kind="worker"), owner__isnull=True, code__isnull=False),
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.WORKER:
            return f"{self.get_kind_display()} #{self.owner_id}"
        if self.sponsor_id:
            return f"{self.get_kind_display()} · {self.sponsor}"
        return str(self.get_kind_display())


class EarningRule(models.Model):
    """How many points a kind of good deed earns, with caps per worker (set by the city)."""

    class Source(models.TextChoices):
        REPORT_VERIFIED = "report_verified", _("Verified hazard report")
        VOLUNTEER_HOUR = "volunteer_hour", _("Volunteering hour")
        TRAINING = "training", _("Training completed")
        EVENT = "event", _("Event attended")
        HARDSHIP = "hardship", _("Monthly hardship allowance")
        HONOURS = "honours", _("Monthly honours (top three of a district)")
        WELFARE = "welfare", _("Public-welfare activity")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    category = models.CharField(
        _("category"),
        max_length=40,
        blank=True,
        help_text=_("For hazard reports: the report category this rule applies to; empty: any."),
    )
    rank = models.PositiveSmallIntegerField(
        _("rank"), null=True, blank=True, help_text=_("For monthly honours: 1, 2 or 3.")
    )
    points = models.PositiveIntegerField(_("points"))
    daily_cap = models.PositiveIntegerField(
        _("daily cap per worker"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    monthly_cap = models.PositiveIntegerField(
        _("monthly cap per worker"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    funded_by = models.ForeignKey(
        Account,
        verbose_name=_("funded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind__in": ["pool", "sponsor"]},
        help_text=_("The pool the points come from; empty: the city's reward pool."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["source", "category", "rank", "code"]
        constraints = [
            models.CheckConstraint(name="points_rule_points_positive", condition=Q(points__gt=0))
        ]

    def __str__(self):
        return self.name


class Posting(models.Model):
    """One balanced movement of points (its entries sum to zero). Never edited or deleted:
    a mistake is corrected by a reversal that names the posting it reverses and why."""

    class Kind(models.TextChoices):
        ISSUANCE = "issuance", _("Issuance")
        AWARD = "award", _("Award")
        GRANT = "grant", _("Manual award")
        REVERSAL = "reversal", _("Reversal")
        HOLD = "hold", _("Redemption held")
        FULFIL = "fulfil", _("Redemption handed over")
        REFUND = "refund", _("Redemption refunded")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_type = models.CharField(_("source type"), max_length=30, blank=True)
    source_id = models.CharField(_("source id"), max_length=60, blank=True)
    rule = models.ForeignKey(
        EarningRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT
    )
    redemption = models.ForeignKey(
        "Redemption",
        verbose_name=_("redemption"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["id"]
        constraints = [
            # At most once per source and rule, however often the source event arrives.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "rule"],
                condition=Q(kind="award"),
                name="points_award_once_per_source_and_rule",
            ),
            models.CheckConstraint(
                name="points_award_names_source_and_rule",
                condition=~Q(kind="award")
                | Q(rule__isnull=False, source_type__gt="", source_id__gt=""),
            ),
            # A redemption is held once and then closed once (handed over or refunded).
            models.UniqueConstraint(
                fields=["redemption", "kind"],
                condition=Q(redemption__isnull=False),
                name="points_redemption_posting_once",
            ),
            models.UniqueConstraint(
                fields=["redemption"],
                condition=Q(kind__in=["fulfil", "refund"]),
                name="points_redemption_closed_once",
            ),
            models.CheckConstraint(
                name="points_reversal_names_reversed",
                condition=~Q(kind="reversal") | Q(reverses__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    """One line of a posting: `amount` points into (positive) or out of (negative) an account."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("points"))

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        indexes = [models.Index(fields=["account", "posting"], name="points_entry_account_idx")]
        constraints = [models.CheckConstraint(name="points_entry_not_zero", condition=~Q(amount=0))]

    def __str__(self):
        return f"{self.amount:+d} → {self.account}"


class AwardRequest(models.Model):
    """An event-driven award waiting to be posted (docs/POINTS.md, "Awards in batches").

    Subscribers stage one row per good deed (at most once per source, `ON CONFLICT DO
    NOTHING`); the batch applier resolves the rules, checks the worker and the caps and posts
    up to `POINTS_AWARD_BATCH` of them per transaction, then deletes them. A row whose
    funding pool is short waits (`not_before`) until the pool is topped up.
    """

    deed = models.CharField(_("deed"), max_length=20, choices=EarningRule.Source.choices)
    category = models.CharField(_("category"), max_length=40, blank=True)
    # A user id from the event's payload, checked (an active worker?) when applied.
    worker_id = models.BigIntegerField(_("worker"))
    source_type = models.CharField(_("source type"), max_length=30)
    source_id = models.CharField(_("source id"), max_length=60)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    created_at = models.DateTimeField(_("staged at"))
    not_before = models.DateTimeField(_("apply after"))

    class Meta:
        verbose_name = _("award waiting to be posted")
        verbose_name_plural = _("awards waiting to be posted")
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="points_award_request_once"
            )
        ]

    def __str__(self):
        return f"{self.deed} {self.source_type} {self.source_id} → {self.worker_id}"


class HardshipApproval(models.Model):
    """A worker approved for the monthly hardship allowance, from one month to another."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="hardship_approvals",
    )
    first_month = models.DateField(_("first month"), help_text=_("Any day of the month."))
    last_month = models.DateField(_("last month"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hardship approval")
        verbose_name_plural = _("hardship approvals")

    def __str__(self):
        return f"{self.worker} {self.first_month:%Y-%m}"


# The lowest price an item may have: the published rule is "redeemable from 2 points".
MIN_PRICE = 2


class CatalogItem(models.Model):
    """Something a worker can redeem points for, with its stock and pick-up stations."""

    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    # A product photo (public: it shows a thing, not a person), re-encoded by core.images.
    photo = models.ImageField(
        _("photo"),
        upload_to="catalogue/%Y/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    sponsor = models.ForeignKey(
        Sponsor, verbose_name=_("sponsor"), null=True, blank=True, on_delete=models.PROTECT
    )
    stations = models.ManyToManyField(
        "stations.Station", verbose_name=_("pick-up stations"), related_name="catalog_items"
    )
    active = models.BooleanField(_("offered"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue")
        ordering = ["price", "name"]
        constraints = [
            models.CheckConstraint(
                name="points_price_at_least_2", condition=Q(price__gte=MIN_PRICE)
            ),
            models.CheckConstraint(name="points_stock_not_negative", condition=Q(stock__gte=0)),
        ]

    def __str__(self):
        return self.name


class Wish(models.Model):
    """A worker's wish (心愿): the administrator puts it in the catalogue, fulfils it
    directly, or declines it with a reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        CATALOGUED = "catalogued", _("In the catalogue")
        FULFILLED = "fulfilled", _("Fulfilled directly")
        DECLINED = "declined", _("Declined")

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="wishes",
    )
    title = models.CharField(_("wish"), max_length=80)
    details = models.CharField(_("details"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    item = models.ForeignKey(
        CatalogItem,
        verbose_name=_("catalogue item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    answer = models.CharField(_("answer"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Redemption(models.Model):
    """Points exchanged for an item, picked up at a station with a code (兑换)."""

    class Status(models.TextChoices):
        HELD = "held", _("Ready for pick-up")
        FULFILLED = "fulfilled", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    code = models.CharField(_("pick-up code"), max_length=12, unique=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    item = models.ForeignKey(CatalogItem, verbose_name=_("item"), on_delete=models.PROTECT)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("pick-up station"), on_delete=models.PROTECT
    )
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("pick up before"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="points_redemption_due_idx")]

    def __str__(self):
        return f"{self.display_code} {self.item}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class RedemptionEvent(models.Model):
    """The history of a redemption: who changed its status, when and why."""

    redemption = models.ForeignKey(Redemption, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(_("status"), max_length=10, choices=Redemption.Status.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.redemption_id} {self.status}"
