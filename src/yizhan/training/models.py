"""Training and events (技能培训与活动): courses and events, their sessions, sign-ups with a
waiting list, attendance at the door, quizzes, certificates, and the course wishes that
tell organisers what workers want to learn.

An `Activity` is a course (课程) or an event (a birthday party 暖心生日会, a ceremony, a joint
event, a symposium 座谈会). A course has one or more sessions and one sign-up covers them
all; a recurring event is a series of activities, one per occurrence, each with its own
sign-up. `Activity.taken` counts the places held (confirmed sign-ups and open offers); a
CHECK constraint keeps it within the capacity whatever the code above it does.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What a course teaches; course wishes and training-need cases are grouped by it."""

    EBIKE_SAFETY = "ebike_safety", _("E-bike safety")
    FIRST_AID = "first_aid", _("First aid")
    TRAFFIC_RULES = "traffic_rules", _("Traffic rules")
    ELECTRICIAN = "electrician", _("Electrician skills")
    LABOUR_RIGHTS = "labour_rights", _("Labour rights and the law")
    DIGITAL = "digital", _("Digital skills")
    CAREER = "career", _("Vocational skills and qualifications")
    OTHER = "other", _("Other")


class Activity(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        PARTY = "party", _("Party")
        CEREMONY = "ceremony", _("Ceremony")
        GATHERING = "gathering", _("Joint event")
        SYMPOSIUM = "symposium", _("Symposium")

    class Audience(models.TextChoices):
        ALL = "all", _("All workers")
        PLATFORM = "platform", _("One platform's workers")
        DISTRICT = "district", _("One district's workers")
        INVITED = "invited", _("Invited workers only")

    class State(models.TextChoices):
        PUBLISHED = "published", _("Open")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PUBLISHED
    )
    # Who organises it, and on whose behalf: the scope decides who else may manage it.
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_station = models.ForeignKey(
        "stations.Station", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_department = models.ForeignKey(
        "orgs.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_platform = models.ForeignKey(
        "orgs.Platform", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where: a station (regional centres are stations too), or online.
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_activities",
    )
    online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(_("link for online sessions"), blank=True)
    venue = models.CharField(_("room or address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    # When: the first start and the last end of its sessions (denormalised for lists).
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    capacity = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(_("places taken"), default=0)
    offer_hours = models.PositiveSmallIntegerField(_("hours to accept a freed place"), default=12)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    audience_platform = models.ForeignKey(
        "orgs.Platform",
        verbose_name=_("platform"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_district = models.ForeignKey(
        "places.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    walk_ins = models.BooleanField(_("walk-ins welcome"), default=False)
    certificate = models.BooleanField(_("certificate on completion"), default=False)
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"), default=0
    )
    quiz_pass_percent = models.PositiveSmallIntegerField(
        _("quiz pass mark (%)"), null=True, blank=True
    )
    series = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    # The demand this course answers: {"topic", "district_id", "case_ids", "wish_ids"}.
    cites = models.JSONField(default=dict, blank=True)
    # A symposium's record in the cases app (cases.Symposium id): its demands link there.
    case_symposium_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("course or event")
        verbose_name_plural = _("courses and events")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(name="activity_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="activity_taken_within_capacity", condition=Q(taken__lte=F("capacity"))
            ),
            models.CheckConstraint(
                name="activity_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.CheckConstraint(
                name="activity_attendance_percent", condition=Q(min_attendance_percent__lte=100)
            ),
            models.UniqueConstraint(
                fields=["organiser", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_activity_per_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self):
        return self.title

    @property
    def is_course(self) -> bool:
        return self.kind == self.Kind.COURSE

    @property
    def is_symposium(self) -> bool:
        return self.kind == self.Kind.SYMPOSIUM

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def place_label(self) -> str:
        if self.online and not self.station_id:
            return str(_("Online"))
        parts = [self.station.name if self.station_id else "", self.venue]
        return " · ".join(p for p in parts if p)


class Session(models.Model):
    """One sitting of a course (or the one occurrence of an event)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="one_session_number"),
            models.CheckConstraint(
                name="session_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
        ]
        indexes = [models.Index(fields=["reminded_at", "starts_at"])]

    def __str__(self):
        return f"{self.activity} #{self.number}"

    @property
    def minutes(self) -> int:
        return max(0, int((self.ends_at - self.starts_at).total_seconds() // 60))


class Enrolment(models.Model):
    """A worker's sign-up: a place (confirmed), a place offered from the waiting list, a
    place in the queue, or a past one. One row per worker and activity, revived on re-sign-up."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Signed up")
        OFFERED = "offered", _("Place offered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Offer declined")
        EXPIRED = "expired", _("Offer lapsed")

    HOLDS_PLACE = (Status.CONFIRMED, Status.OFFERED)
    ACTIVE = (Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="enrolments")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_enrolments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    signed_up_at = models.DateTimeField(_("signed up"))
    queued_at = models.DateTimeField(null=True, blank=True)  # the waiting list's order
    offered_until = models.DateTimeField(_("offer open until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    quiz_score = models.PositiveSmallIntegerField(_("quiz score (%)"), null=True, blank=True)
    quiz_passed_at = models.DateTimeField(null=True, blank=True)
    # Set once, by a conditional update: the one moment that publishes the completion event.
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    certificate_code = models.CharField(max_length=12, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "worker"], name="one_enrolment_per_worker"),
            models.CheckConstraint(
                name="offer_has_deadline",
                condition=~Q(status="offered") | Q(offered_until__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at"]),
            models.Index(fields=["status", "offered_until"]),
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.worker_id} {self.status}"

    @property
    def holds_place(self) -> bool:
        return self.status in self.HOLDS_PLACE

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def display_certificate_code(self) -> str:
        code = self.certificate_code or ""
        return f"{code[:5]}-{code[5:]}" if code else ""


class Attendance(models.Model):
    """A worker at one session: checked in once (repeated scans find this row), checked out
    for courses that need proof of staying."""

    class Method(models.TextChoices):
        DOOR_QR = "door_qr", _("Scanned the code at the door")
        PERSONAL_QR = "personal_qr", _("Personal code scanned by the organiser")
        MANUAL = "manual", _("Found by name")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="one_check_in_per_session"
            )
        ]

    def __str__(self):
        return f"{self.enrolment_id}@{self.session_id}"


class Invitation(models.Model):
    """Who may sign up for an invited-only activity (a symposium's participants)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="invitations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["activity", "worker"], name="one_invitation_per_worker")
        ]

    def __str__(self):
        return f"{self.activity_id}:{self.worker_id}"


class QuizQuestion(models.Model):
    """One multiple-choice question of a course's quiz."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list)  # ["...", "...", ...]
    answer = models.PositiveSmallIntegerField(_("right choice (0 = first)"))

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class CourseWish(models.Model):
    """A worker asks for a course (课程心愿): grouped with training-need cases by topic and
    district for organisers, answered when a course cites it."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_wishes"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    district = models.ForeignKey(
        "places.District", verbose_name=_("district"), null=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("what you would like to learn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answered_by = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="answered_wishes"
    )

    class Meta:
        verbose_name = _("course wish")
        verbose_name_plural = _("course wishes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["topic", "district"])]

    def __str__(self):
        return f"{self.topic} ({self.district_id})"


def new_series() -> uuid.UUID:
    return uuid.uuid4()
