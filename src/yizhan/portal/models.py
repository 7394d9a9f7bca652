"""The portal's own tables: caches and artefacts of the dashboards, never domain facts.

- `Rollup`: daily (and monthly) sums of the facts the apps report (`dashboard_facts` in their
  selectors), plus nightly snapshots; rebuilt from the apps' data at any time
  (`yizhan dashboard-refresh --rebuild`). Nothing else writes or trusts it.
- `RollupWide`: the same sums for the metric families read as a whole (the grievance cube):
  one row per key combination with a column per metric.
- `RollupState`: up to which local day the rollups are complete.
- `MonthlyReport`: the printable monthly report, kept as generated.
- `PlanningRun`, `ActivitySpot`, `CandidateSite`: station planning's inputs (imported from CSV)
  and its results.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rollup(models.Model):
    class Grain(models.TextChoices):
        DAY = "d", _("day")
        MONTH = "m", _("month")
        SNAPSHOT = "s", _("snapshot")
        LIVE = "l", _("today so far")
        # The same sums over k1, k2, k3 (by district only): trends and totals without a key
        # filter read these, a handful of rows a day instead of one per key combination.
        DAY_BY_DISTRICT = "t", _("day, by district")
        MONTH_BY_DISTRICT = "u", _("month, by district")

    metric = models.CharField(max_length=48)
    grain = models.CharField(max_length=1, choices=Grain.choices, default=Grain.DAY)
    day = models.DateField()  # the local day; a month's first day; a snapshot's day
    district = models.BigIntegerField(null=True)
    k1 = models.CharField(max_length=40, blank=True, default="")
    k2 = models.CharField(max_length=40, blank=True, default="")
    k3 = models.CharField(max_length=40, blank=True, default="")
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("dashboard rollup")
        verbose_name_plural = _("dashboard rollups")
        indexes = [models.Index(fields=["metric", "grain", "day"], name="portal_rollup_read_idx")]

    def __str__(self):
        return f"{self.metric} {self.grain} {self.day} = {self.value}"


class RollupWide(models.Model):
    """Rollups of a family of metrics with the same keys (`rollups.WIDE`: the grievance cube's
    16 metrics over district × department × category × channel): column v<i> holds the i-th
    metric of the family, so a page reading the whole cube reads 16 times fewer rows."""

    WIDTH = 16

    family = models.CharField(max_length=24)  # the app label: "cases"
    grain = models.CharField(max_length=1, choices=Rollup.Grain.choices, default=Rollup.Grain.DAY)
    day = models.DateField()
    district = models.BigIntegerField(null=True)
    k1 = models.CharField(max_length=40, blank=True, default="")
    k2 = models.CharField(max_length=40, blank=True, default="")
    k3 = models.CharField(max_length=40, blank=True, default="")
    v0 = models.BigIntegerField(default=0)
    v1 = models.BigIntegerField(default=0)
    v2 = models.BigIntegerField(default=0)
    v3 = models.BigIntegerField(default=0)
    v4 = models.BigIntegerField(default=0)
    v5 = models.BigIntegerField(default=0)
    v6 = models.BigIntegerField(default=0)
    v7 = models.BigIntegerField(default=0)
    v8 = models.BigIntegerField(default=0)
    v9 = models.BigIntegerField(default=0)
    v10 = models.BigIntegerField(default=0)
    v11 = models.BigIntegerField(default=0)
    v12 = models.BigIntegerField(default=0)
    v13 = models.BigIntegerField(default=0)
    v14 = models.BigIntegerField(default=0)
    v15 = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard rollup (wide)")
        verbose_name_plural = _("dashboard rollups (wide)")
        indexes = [
            models.Index(fields=["family", "grain", "day"], name="portal_rollupwide_read_idx")
        ]

    def __str__(self):
        return f"{self.family} {self.grain} {self.day}"


class RollupState(models.Model):
    """One row per rollup family: days before `complete_until` are rolled up. The row "live"
    says the LIVE rows cover `complete_until` (a day) up to the moment `refreshed_at`."""

    name = models.CharField(max_length=40, unique=True)
    complete_until = models.DateField()
    refreshed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} < {self.complete_until}"


class MonthlyReport(models.Model):
    """The month's figures as a printable page (HTML), generated once the month is over."""

    month = models.DateField(_("month"))  # its first day
    district = models.BigIntegerField(_("district"), null=True, blank=True)
    html = models.TextField()
    created_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "district"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "district"], name="one_monthly_report_per_scope"
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(district__isnull=True),
                name="one_city_monthly_report",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.district or 'city'}"


class ActivitySpot(models.Model):
    """Where and when workers are busy (delivery hot spots from the platforms, CSV)."""

    label = models.CharField(_("label"), max_length=80, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"))
    hour = models.PositiveSmallIntegerField(_("hour"))
    weight = models.PositiveIntegerField(_("orders or workers"))
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity hot spot")
        verbose_name_plural = _("activity hot spots")

    def __str__(self):
        return f"{self.label} {self.weekday}/{self.hour} ×{self.weight}"


class CandidateSite(models.Model):
    """A place that could host a new station (a bank branch, a community centre)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("candidate site")
        verbose_name_plural = _("candidate sites")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PlanningRun(models.Model):
    """One run of the coverage analysis and the placement models, with its results."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    sites = models.PositiveSmallIntegerField(_("new sites to propose"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"planning {self.pk} ({self.status})"
