"""Rest stations (驿站): where they are, what they offer, when they are open, who visits.

`Station.is_open_at(moment)` is the single source of truth for "open now"; it builds a
`hours.Schedule` from the rows below and asks `hours.is_open`, as the nearest-station index
does with the same schedule cached in memory.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yizhan.stations import hours

STALE_AFTER_DAYS = 30


class Amenity(models.Model):
    """One thing a station may offer (shower, e-bike charging, ...): a list the city manages."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("An emoji"))
    sort = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Station(models.Model):
    class Kind(models.TextChoices):
        UNION = "union", _("Union station")
        LITTLE_BEE = "little_bee", _("Little-bee station")
        BANK = "bank", _("Bank rider station")
        REGIONAL = "regional", _("Regional service centre")
        BUSINESS = "business", _("Business-district centre")

    class TempStatus(models.TextChoices):
        NONE = "", _("As scheduled")
        OPEN = hours.TEMP_OPEN, _("Open")
        CLOSED = hours.TEMP_CLOSED, _("Temporarily closed")
        FULL = hours.TEMP_FULL, _("Full")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    operator = models.CharField(_("operator"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    community = models.ForeignKey(
        "places.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )
    amenities = models.ManyToManyField(
        Amenity, through="StationAmenity", verbose_name=_("amenities"), blank=True
    )
    services = models.CharField(_("services"), max_length=300, blank=True)
    manager = models.CharField(_("manager"), max_length=60, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), null=True, blank=True)
    is_24h = models.BooleanField(_("open 24 hours"), default=False)
    temp_status = models.CharField(
        _("temporary status"), max_length=10, choices=TempStatus.choices, blank=True, default=""
    )
    temp_status_since = models.DateTimeField(_("temporary status since"), null=True, blank=True)
    temp_status_until = models.DateTimeField(_("temporary status until"), null=True, blank=True)
    temp_status_note = models.CharField(_("note"), max_length=120, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by keeper"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change to the station or its hours/amenities: the index fingerprint.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="station_lat_lng_in_range",
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
            ),
            models.CheckConstraint(
                name="station_temp_status_has_expiry",
                condition=Q(temp_status="") | Q(temp_status_until__isnull=False),
            ),
        ]

    def __str__(self):
        return self.name

    # --- opening hours ----------------------------------------------------------------

    def schedule(self) -> hours.Schedule:
        """This station's hours and temporary status as plain data (reads its rows)."""
        weekly: list[list] = [[] for _ in range(7)]
        for row in self.opening_hours.all():
            weekly[row.weekday].append(row.interval)
        dates, holidays = {}, None
        for exc in self.exceptions.all():
            if exc.date is not None:
                dates.setdefault(exc.date, [])
                if not exc.closed:
                    dates[exc.date].append(exc.interval)
            elif exc.on_holidays:
                holidays = (holidays or []) + ([] if exc.closed else [exc.interval])
        return hours.Schedule(
            is_24h=self.is_24h,
            weekly=tuple(tuple(sorted(day)) for day in weekly),
            dates={day: tuple(sorted(iv)) for day, iv in dates.items()},
            holidays=tuple(sorted(holidays)) if holidays is not None else None,
            temp_status=self.temp_status,
            temp_since=self.temp_status_since,
            temp_until=self.temp_status_until,
        )

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Whether the station admits visitors at `moment` (an aware datetime)."""
        return hours.is_open(self.schedule(), moment)

    @property
    def open_now(self) -> bool:
        return self.is_open_at(timezone.now())

    def active_temp_status(self, moment: dt.datetime | None = None) -> str:
        return hours.temp_status_at(self.schedule(), moment or timezone.now())

    @property
    def is_stale(self) -> bool:
        limit = timezone.now() - dt.timedelta(days=STALE_AFTER_DAYS)
        return self.confirmed_at is None or self.confirmed_at < limit

    @property
    def subdistrict(self):
        return self.community.subdistrict if self.community_id else None


class StationAmenity(models.Model):
    """A station offers an amenity; the keeper can mark it out of order for a while."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="offers")
    amenity = models.ForeignKey(Amenity, on_delete=models.PROTECT, related_name="offers")
    out_of_order = models.BooleanField(_("out of order"), default=False)

    class Meta:
        verbose_name = _("station amenity")
        verbose_name_plural = _("station amenities")
        constraints = [
            models.UniqueConstraint(fields=["station", "amenity"], name="one_offer_per_amenity")
        ]

    def __str__(self):
        return f"{self.station_id}:{self.amenity_id}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


class OpeningHours(models.Model):
    """One opening interval on a weekday. `closes` <= `opens` means it ends the next day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(name="weekday_0_to_6", condition=Q(weekday__lte=6)),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    @property
    def interval(self) -> hours.Interval:
        closes = _minutes(self.closes)
        return (_minutes(self.opens), hours.DAY_MINUTES if closes == 0 else closes)


class HoursException(models.Model):
    """A day (or every statutory holiday) when the station is closed or keeps special hours."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"), null=True, blank=True)
    on_holidays = models.BooleanField(_("on statutory holidays"), default=False)
    closed = models.BooleanField(_("closed"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("hours exception")
        verbose_name_plural = _("hours exceptions")
        ordering = ["on_holidays", "date"]
        constraints = [
            models.CheckConstraint(
                name="exception_is_a_date_or_holidays",
                condition=Q(date__isnull=False, on_holidays=False)
                | Q(date__isnull=True, on_holidays=True),
            ),
            models.CheckConstraint(
                name="exception_closed_or_has_hours",
                condition=Q(closed=True) | Q(opens__isnull=False, closes__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.date or 'holidays'} {'closed' if self.closed else self.interval}"

    @property
    def interval(self) -> hours.Interval:
        closes = _minutes(self.closes)
        return (_minutes(self.opens), hours.DAY_MINUTES if closes == 0 else closes)


def photo_path(instance, filename):
    return f"stations/{instance.station.code}/{timezone.now():%Y%m%d%H%M%S%f}.jpg"


class StationPhoto(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.caption or self.image.name


class StationVisit(models.Model):
    """A worker's check-in at a station: at most one per worker, station and hour."""

    class Method(models.TextChoices):
        QR = "qr", _("Scanned the QR code")
        NEARBY = "nearby", _("Checked in nearby")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits")
    # Empty once the worker's personal data is erased: the visit still counts in the
    # station's usage figures, but no longer says who it was.
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="station_visits",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    hour = models.DateTimeField(_("hour"), editable=False)  # `at` floored to the hour (UTC)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "station", "hour"], name="one_visit_per_worker_station_hour"
            )
        ]
        indexes = [models.Index(fields=["station", "at"])]

    def __str__(self):
        return f"{self.station_id} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        self.hour = self.at.replace(minute=0, second=0, microsecond=0)
        super().save(*args, **kwargs)


class ImportJob(models.Model):
    """A station file being imported in the background, with its progress and row errors."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking rows")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(max_length=8)  # xlsx | csv
    content = models.BinaryField()
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": 3, "column": "经度", "message": "..."}]
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("station import")
        verbose_name_plural = _("station imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))
