"""Volunteer services (志愿服务): the data and its invariants.

Teams (a fleet under a co-building agreement, a 小蜜蜂 team, a service corps) have members,
who are workers; each member's credentials (licence, vehicle, background check,
orientation) expire; availability is weekly, one-off, or "free for the next hour".
Beneficiaries are registered with consent; their personal data is encrypted. Requests
(rides, standing rides, exam escorts, meals) are planned into trips; a trip confirmed by
both sides becomes an hours record (志愿时长), once per trip.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.pii import EncryptedTextField, mask_mobile, mask_name
from yizhan.core.storage import private_storage

USER = settings.AUTH_USER_MODEL
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Team(models.Model):
    class Kind(models.TextChoices):
        FLEET = "fleet", _("Ride-hailing fleet (co-building agreement)")
        LITTLE_BEE = "little_bee", _("Little Bee team")
        CORPS = "corps", _("Service corps")

    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    agreement_parties = models.CharField(_("agreement parties"), max_length=200, blank=True)
    agreement_starts = models.DateField(_("agreement from"), null=True, blank=True)
    agreement_ends = models.DateField(_("agreement until"), null=True, blank=True)
    agreement_scope = models.CharField(_("agreement scope"), max_length=300, blank=True)
    agreement_file = models.FileField(
        _("signed agreement"), storage=private_storage, upload_to="volunteering/", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """A worker who volunteers. Starts a trip from home or from their station."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="volunteer")
    home = EncryptedTextField(_("home point (lat,lng)"), blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return mask_name(self.user.name) or f"#{self.pk}"

    @property
    def home_point(self) -> tuple[float, float] | None:
        try:
            lat, lng = (float(x) for x in self.home.split(","))
        except (ValueError, AttributeError):
            return None
        return lat, lng

    @property
    def start_point(self) -> tuple[float, float] | None:
        if self.home_point:
            return self.home_point
        if self.station_id:
            return (self.station.lat, self.station.lng)
        return None


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    leader = models.BooleanField(_("team leader"), default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="vol_one_membership")
        ]

    def __str__(self):
        return f"{self.volunteer} @ {self.team}"


class Credential(models.Model):
    class Kind(models.TextChoices):
        LICENCE = "licence", _("Driving licence")
        VEHICLE = "vehicle", _("Vehicle")
        BACKGROUND = "background", _("Background check")
        ORIENTATION = "orientation", _("Orientation")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("credential"), max_length=12, choices=Kind.choices)
    valid_until = models.DateField(_("valid until"))
    licence_class = models.CharField(_("licence class"), max_length=4, blank=True)
    plate = EncryptedTextField(_("number plate"), blank=True)
    seats = models.PositiveSmallIntegerField(_("passenger seats"), default=0)
    wheelchair = models.BooleanField(_("takes a wheelchair"), default=False)
    inspected_on = models.DateField(_("last inspection"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        indexes = [models.Index(fields=["valid_until"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.valid_until}"

    @property
    def masked_plate(self) -> str:
        plate = self.plate or ""
        return plate[:2] + "*" * max(0, len(plate) - 4) + plate[-2:] if len(plate) > 4 else plate

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_until >= day


class Availability(models.Model):
    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        ONCE = "once", _("One-off")
        FREE_NOW = "free_now", _("Free for the next hour")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 = Monday
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)  # only when the volunteer opts in
    lng = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="vol_availability_shape",
                condition=Q(kind="weekly", weekday__isnull=False, starts__lt=models.F("ends"))
                | Q(~Q(kind="weekly"), starts_at__lt=models.F("ends_at")),
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.WEEKLY:
            return f"{self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"
        return f"{self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"

    @property
    def weekday_label(self):
        return dict(WEEKDAYS).get(self.weekday, "")


class Beneficiary(models.Model):
    """Someone the volunteers serve. Everything about them is personal and encrypted."""

    class Kind(models.TextChoices):
        ELDERLY = "elderly", _("Elderly person living alone")
        PATIENT = "patient", _("Critically ill patient")
        STUDENT = "student", _("Exam student")
        MEALS = "meals", _("Meal recipient")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = EncryptedTextField(_("name"))
    mobile = EncryptedTextField(_("mobile number"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True)
    address = EncryptedTextField(_("home address"))
    home = EncryptedTextField(_("home point (lat,lng)"))
    community = models.ForeignKey(
        "places.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    wheelchair = models.BooleanField(_("uses a wheelchair"), default=False)
    companion = models.BooleanField(_("travels with a companion"), default=False)
    contact_name = EncryptedTextField(_("contact person"), blank=True)
    contact_mobile = EncryptedTextField(_("contact's mobile"), blank=True)
    contact_index = models.CharField(max_length=64, blank=True, db_index=True)
    health_note = EncryptedTextField(_("health note"), blank=True)
    diet_note = EncryptedTextField(_("diet note"), blank=True)
    consent_at = models.DateTimeField(_("consent recorded at"))
    consent_note = models.CharField(_("how consent was given"), max_length=200)
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")

    def __str__(self):
        return mask_name(self.name) or f"#{self.pk}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile or self.contact_mobile)

    @property
    def home_point(self) -> tuple[float, float] | None:
        try:
            lat, lng = (float(x) for x in self.home.split(","))
        except (ValueError, AttributeError):
            return None
        return lat, lng

    @property
    def passengers(self) -> int:
        return 2 if self.companion else 1


class Campaign(models.Model):
    """An exam-escort campaign (爱心送考): sites, sessions, standby cars, a rehearsal."""

    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("first exam day"))
    ends_on = models.DateField(_("last exam day"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("exam-escort campaign")

    def __str__(self):
        return self.name


class ExamSite(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("exam site"), max_length=80)
    lat = models.FloatField()
    lng = models.FloatField()
    standby_cars = models.PositiveSmallIntegerField(_("standby cars"), default=1)
    backup = models.ForeignKey(
        Volunteer,
        verbose_name=_("backup car"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self):
        return self.name


class ExamSession(models.Model):
    site = models.ForeignKey(ExamSite, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("session starts"))
    subject = models.CharField(_("subject"), max_length=40, blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.site} {self.subject} {self.starts_at:%m-%d %H:%M}"


class Duty(models.Model):
    """Time at an exam site that is not a ride: standing by, backing up, the rehearsal."""

    class Kind(models.TextChoices):
        STANDBY = "standby", _("Standby at the site")
        BACKUP = "backup", _("Backup car")
        REHEARSAL = "rehearsal", _("Rehearsal the day before")

    site = models.ForeignKey(ExamSite, on_delete=models.CASCADE, related_name="duties")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="duties")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "volunteer", "kind", "starts_at"], name="vol_one_duty"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.site}"


class MealCentre(models.Model):
    """A community canteen (长者食堂) whose recipients get meals delivered off-peak."""

    name = models.CharField(_("name"), max_length=80)
    lat = models.FloatField()
    lng = models.FloatField()
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+")
    round_starts = models.TimeField(_("round starts"), default=dt.time(10, 30))
    round_ends = models.TimeField(_("round ends"), default=dt.time(12, 0))

    def __str__(self):
        return self.name


class MealSubscription(models.Model):
    centre = models.ForeignKey(MealCentre, on_delete=models.CASCADE, related_name="subscriptions")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="meals")
    preferred = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "beneficiary"], name="vol_one_subscription")
        ]

    def __str__(self):
        return f"{self.beneficiary} @ {self.centre}"


class MealConfirmation(models.Model):
    """The recipient (or the centre on their behalf) says yes for a day, by 09:00."""

    subscription = models.ForeignKey(
        MealSubscription, on_delete=models.CASCADE, related_name="confirmations"
    )
    day = models.DateField()
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "day"], name="vol_one_meal_confirmation"
            )
        ]

    def __str__(self):
        return f"{self.subscription_id} {self.day}"


class StandingRide(models.Model):
    """A ride that repeats (dialysis Tue/Thu/Sat 07:30 for 30 days), kept with one driver
    where possible: `preferred` is the volunteer who accepted it first."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="standing_rides"
    )
    weekdays = models.CharField(_("weekdays"), max_length=20)  # "1,3,5" (0 = Monday)
    appointment = models.TimeField(_("appointment time"))
    starts_on = models.DateField()
    ends_on = models.DateField()
    return_at = models.TimeField(_("return pick-up"), null=True, blank=True)
    preferred = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booked_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.beneficiary} {self.weekdays} {self.appointment:%H:%M}"

    def weekday_list(self) -> list[int]:
        return [int(x) for x in self.weekdays.split(",") if x.strip()]


class Request(models.Model):
    """A ride, an exam escort or a meal: pick up at A, drop off at B within a window."""

    class Kind(models.TextChoices):
        RIDE = "ride", _("Free ride")
        EXAM = "exam", _("Exam escort")
        MEAL = "meal", _("Meal delivery")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a volunteer")
        PLANNED = "planned", _("Planned")
        ASSIGNED = "assigned", _("Volunteer accepted")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call to the coordinator")
        COMMUNITY = "community", _("Community staff")
        CAMPAIGN = "campaign", _("Campaign sign-up")
        MEALS = "meals", _("Meal round")

    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.RIDE)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="requests")
    standing = models.ForeignKey(
        StandingRide, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    session = models.ForeignKey(
        ExamSession, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    centre = models.ForeignKey(
        MealCentre, null=True, blank=True, on_delete=models.CASCADE, related_name="requests"
    )
    return_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="return_trip"
    )
    pickup_label = models.CharField(_("pick-up"), max_length=120)
    pickup_lat = models.FloatField()
    pickup_lng = models.FloatField()
    dropoff_label = models.CharField(_("drop-off"), max_length=120)
    dropoff_lat = models.FloatField()
    dropoff_lng = models.FloatField()
    earliest = models.DateTimeField(_("earliest pick-up"))
    latest = models.DateTimeField(_("latest drop-off"))
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    passengers = models.PositiveSmallIntegerField(default=1)
    wheelchair = models.BooleanField(default=False)
    max_ride_minutes = models.PositiveSmallIntegerField(
        _("maximum ride time (minutes)"), default=60
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    ticket = EncryptedTextField(_("admission ticket number"), blank=True)
    pinned = models.ForeignKey(
        Volunteer,
        verbose_name=_("pinned volunteer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    booked_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    client_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [models.Index(fields=["earliest"])]
        constraints = [
            models.CheckConstraint(
                name="vol_window_order", condition=Q(earliest__lt=models.F("latest"))
            ),
            models.UniqueConstraint(
                fields=["booked_by", "client_key"],
                condition=~Q(client_key=""),
                name="vol_request_once",
            ),
        ]

    def __str__(self):
        return (
            f"#{self.pk} {self.get_kind_display()} {timezone.localtime(self.earliest):%m-%d %H:%M}"
        )

    @property
    def pickup(self) -> tuple[float, float]:
        return (self.pickup_lat, self.pickup_lng)

    @property
    def dropoff(self) -> tuple[float, float]:
        return (self.dropoff_lat, self.dropoff_lng)

    @property
    def masked_ticket(self) -> str:
        t = self.ticket or ""
        return t[:2] + "*" * max(0, len(t) - 4) + t[-2:] if len(t) > 4 else t


class Plan(models.Model):
    """One solve: the figures of the OR-Tools plan and of the greedy baseline on the same input."""

    day = models.DateField(db_index=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict)
    baseline = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"plan {self.pk} {self.day}"


class Trip(models.Model):
    """A volunteer's part of a request: planned → offered → accepted → picked up → dropped off
    → confirmed (or declined, withdrawn, cancelled, no-show)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", pgettext_lazy("trip", "Accepted")
        PICKED_UP = "picked_up", _("Picked up")
        DROPPED_OFF = "dropped_off", _("Dropped off")
        CONFIRMED = "confirmed", pgettext_lazy("trip", "Confirmed")
        DECLINED = "declined", pgettext_lazy("trip", "Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    ACTIVE = ("accepted", "picked_up", "dropped_off", "confirmed")
    OPEN = ("planned", "offered", "accepted", "picked_up", "dropped_off")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="trips")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="trips")
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="trips"
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    start_lat = models.FloatField()
    start_lng = models.FloatField()
    leave_at = models.DateTimeField()
    pickup_at = models.DateTimeField(_("planned pick-up"))
    dropoff_at = models.DateTimeField(_("planned drop-off"))
    empty_km = models.FloatField(default=0)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    dropped_off_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=12, blank=True)
    confirm_code = models.CharField(max_length=64, blank=True)  # HMAC of the SMS code
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pickup_at"]
        constraints = [
            # At most one volunteer has a request in hand.
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["accepted", "picked_up", "dropped_off", "confirmed"]),
                name="vol_one_active_trip",
            )
        ]

    def __str__(self):
        return f"trip {self.pk} {self.status}"

    @property
    def planned_minutes(self) -> int:
        return round((self.dropoff_at - self.leave_at).total_seconds() / 60)


class TripEvent(models.Model):
    """The history of a trip: who did what, when."""

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Trip.Status.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.trip_id} {self.status}"


class HoursRecord(models.Model):
    """Service hours (志愿时长) from one confirmed trip: one row per trip, never two."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="hours")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    minutes = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    credited_hours = models.PositiveSmallIntegerField()  # whole hours sent to the points bank
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.hours} h (trip {self.trip_id})"
