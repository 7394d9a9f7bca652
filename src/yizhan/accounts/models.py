"""People and what they may do: users (login by mobile), worker profiles, staff roles with
their scopes, API tokens, one-time codes and the records behind login throttling.

Mobile numbers and ID numbers are encrypted (`EncryptedTextField`); their `*_index`
columns hold keyed hashes that make them unique and findable without decrypting.
"""

import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.pii import (
    EncryptedTextField,
    blind_index,
    mask_mobile,
    mask_name,
    mobile_mask_index,
    name_index,
)
from yizhan.core.validators import normalise_mobile


class Role(models.TextChoices):
    WORKER = "worker", _("Worker")
    STATION_KEEPER = "station_keeper", _("Station keeper")
    GRID_OFFICER = "grid_officer", _("Grid officer")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    DISPATCHER = "dispatcher", _("Dispatcher")
    PLATFORM_REP = "platform_rep", _("Platform representative")
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", _("Volunteer coordinator")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    CITY_ADMIN = "city_admin", _("City administrator")


# Which scope column each staff role must carry (None: city-wide).
ROLE_SCOPE = {
    Role.STATION_KEEPER: "station",
    Role.GRID_OFFICER: "community",
    Role.DEPARTMENT_OFFICER: "department",
    Role.PLATFORM_REP: "platform",
    Role.DISTRICT_OFFICER: "district",
    Role.DISPATCHER: None,
    Role.VOLUNTEER_COORDINATOR: None,
    Role.CITY_ADMIN: None,
}
SCOPE_FIELDS = ("station", "community", "department", "platform", "district")
CITY_WIDE_ROLES = (Role.DISPATCHER, Role.VOLUNTEER_COORDINATOR, Role.CITY_ADMIN)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """Accept a mobile number (what people type) or its index (what Django stores)."""
        mobile = normalise_mobile(username)
        return self.get(mobile_index=blind_index(mobile) if mobile.isdigit() else username)

    def get_by_mobile(self, mobile: str):
        return self.get(mobile_index=blind_index(normalise_mobile(mobile)))

    def create_user(self, mobile, password=None, **extra):
        mobile = normalise_mobile(mobile)
        user = self.model(mobile=mobile, mobile_index=blind_index(mobile), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, mobile, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(mobile, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    mobile = EncryptedTextField(_("mobile number"))
    # The login name Django sees (USERNAME_FIELD): the admin's login form labels it.
    mobile_index = models.CharField(_("mobile number"), max_length=64, unique=True, editable=False)
    name = EncryptedTextField(_("name"), blank=True)
    # Blind indexes for the staff's people search (kept by save()): the full name, and the
    # mask of the mobile (138****1234). See core.pii.
    name_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    mobile_mask_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("can use the back office"),
        default=False,
        help_text=_("City administrators use the Django admin."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    objects = UserManager()

    USERNAME_FIELD = "mobile_index"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{mask_name(self.name) or '-'} {self.masked_mobile}"

    def save(self, *args, **kwargs):
        """Keep the search indexes in step with the name and the mobile number."""
        update_fields = kwargs.get("update_fields")
        changed = set(update_fields or ()) & {"name", "mobile"}
        if update_fields is None or changed:
            self.name_index = name_index(self.name)
            self.mobile_mask_index = mobile_mask_index(self.mobile)
        if changed:
            kwargs["update_fields"] = {*update_fields, "name_index", "mobile_mask_index"}
        super().save(*args, **kwargs)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    def set_mobile(self, mobile: str) -> None:
        self.mobile = normalise_mobile(mobile)
        self.mobile_index = blind_index(self.mobile)

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class WorkerProfile(models.Model):
    """What a worker told us at registration, and their consent to the privacy notice."""

    class Kind(models.TextChoices):
        DELIVERY_RIDER = "delivery_rider", _("Delivery rider")
        COURIER = "courier", _("Courier")
        RIDE_HAILING_DRIVER = "ride_hailing_driver", _("Ride-hailing driver")
        TRUCK_DRIVER = "truck_driver", _("Truck driver")
        OTHER = "other", _("Other")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="worker")
    kind = models.CharField(_("kind of work"), max_length=24, choices=Kind.choices)
    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), null=True, blank=True, on_delete=models.PROTECT
    )
    employer = models.ForeignKey(
        "orgs.Employer", verbose_name=_("employer"), null=True, blank=True, on_delete=models.PROTECT
    )
    home_district = models.ForeignKey(
        "places.District", verbose_name=_("home district"), on_delete=models.PROTECT
    )
    id_number = EncryptedTextField(_("resident ID number"), blank=True)
    id_number_index = models.CharField(max_length=64, null=True, unique=True, editable=False)
    consent_version = models.CharField(_("privacy notice version"), max_length=20)
    consent_at = models.DateTimeField(_("consented at"))
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker profile")
        verbose_name_plural = _("worker profiles")
        indexes = [models.Index(fields=["home_district", "kind"])]

    def __str__(self):
        return str(self.user)


class RoleAssignment(models.Model):
    """A staff role held by a user, with its scope (a station, community, department, platform)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    community = models.ForeignKey(
        "places.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    platform = models.ForeignKey(
        "orgs.Platform", verbose_name=_("platform"), null=True, blank=True, on_delete=models.CASCADE
    )
    district = models.ForeignKey(
        "places.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            # Exactly the scope column the role needs is set; the others are empty.
            models.CheckConstraint(
                name="role_has_its_scope",
                condition=(
                    Q(role=Role.STATION_KEEPER, station__isnull=False)
                    | Q(role=Role.GRID_OFFICER, community__isnull=False)
                    | Q(role=Role.DEPARTMENT_OFFICER, department__isnull=False)
                    | Q(role=Role.PLATFORM_REP, platform__isnull=False)
                    | Q(role=Role.DISTRICT_OFFICER, district__isnull=False)
                    | Q(role__in=CITY_WIDE_ROLES)
                )
                & Q(
                    Q(station__isnull=True) | Q(role=Role.STATION_KEEPER),
                    Q(community__isnull=True) | Q(role=Role.GRID_OFFICER),
                    Q(department__isnull=True) | Q(role=Role.DEPARTMENT_OFFICER),
                    Q(platform__isnull=True) | Q(role=Role.PLATFORM_REP),
                    Q(district__isnull=True) | Q(role=Role.DISTRICT_OFFICER),
                ),
            ),
            # One row per user, role and scope (one constraint per scope column, since
            # SQLite has no NULLS NOT DISTINCT).
            *[
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(role=role),
                    name=f"one_{role}_per_{field}",
                )
                for role, field in ROLE_SCOPE.items()
                if field
            ],
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role__in=CITY_WIDE_ROLES),
                name="one_city_wide_role",
            ),
        ]

    def __str__(self):
        scope = self.scope
        return f"{self.get_role_display()}" + (f" · {scope}" if scope else "")

    @property
    def scope(self):
        field = ROLE_SCOPE.get(self.role)
        return getattr(self, field) if field else None


class ApiToken(models.Model):
    """A bearer token for the mobile app. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"


class OneTimeCode(models.Model):
    """An SMS code (to log in, or to prove a number at registration): stored hashed,
    short-lived, a few attempts, used once, good only for its purpose."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Log in")
        REGISTER = "register", _("Register")

    mobile_index = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.LOGIN)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"code {self.pk} until {self.expires_at:%H:%M}"


class LoginFailure(models.Model):
    """One counted attempt for throttling (accounts.services): a failed login per account,
    per (account, client) pair and per client address; an SMS code sent; a registration."""

    key = models.CharField(max_length=80, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.key} {self.at:%Y-%m-%d %H:%M}"


class DeletionRequest(models.Model):
    """A person's request to delete their data (PIPL art. 47), processed by a background task.
    A run that dies (the worker killed mid-erasure) is found by the recovery sweep and queued
    again; the erasure is one transaction, so a re-run starts from clean data. The person
    follows it on a page named by `token` (they are logged out by then)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deletion_requests")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    processed_at = models.DateTimeField(null=True, blank=True)
    # When the erasure was last queued, and how many times (more than one: a run was lost).
    queued_at = models.DateTimeField(null=True, blank=True)
    runs_queued = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")

    def __str__(self):
        return f"{self.user_id} {self.status}"
