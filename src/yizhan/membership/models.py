"""Membership and check-in: the data and its invariants.

- `Organisation`: a tree (union federation → district branches and county pools, party
  committee → branches and mobile-member stations, volunteer teams, liaison groups, community
  grid-member rosters), each tied to a place or a station. `Officer` rows give people posts in
  one organisation, with scope over it and everything below it.
- `Membership`: one person in one organisation, from application to end, with a history
  (`MembershipEvent`). Union and party membership follow the rule "join once, transfer as
  you move" (一次入会、动态接转): one live membership per person and family, and a `Transfer`
  moves it, keeping its number and its "member since" date.
- Who a member is never sits in clear text beside the organisation: `person` is encrypted and
  `person_index` is a keyed hash, so a stolen database does not list a party's members
  (party and union membership are sensitive personal information, PIPL art. 28).
- `GridAppointment`: a worker appointed by a community as a part-time grid member (兼职网格员).
- `Registry` and `RegistryQuery`: the registries that answer yes/no questions and the log of
  every question asked (who, why, under which legal basis, how many rows, how many yes).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yizhan.core.pii import EncryptedTextField


class Family(models.TextChoices):
    """What kind of belonging a membership is; decides the rules that apply to it."""

    UNION = "union", _("Trade union")
    PARTY = "party", _("Party organisation")
    TEAM = "team", _("Volunteer team")
    LIAISON = "liaison", _("Liaison group")
    GRID = "grid", _("Grid-member roster")


# Sensitive personal information (PIPL art. 28): separate consent, officers and the person only.
SENSITIVE_FAMILIES = (Family.UNION, Family.PARTY)
# Join once, transfer as you move: at most one live membership per person in these families.
EXCLUSIVE_FAMILIES = (Family.UNION, Family.PARTY)
# Card-number prefixes per family (工会 GH, 党员 DY, 志愿 ZY, 联络 LL).
NUMBER_PREFIX = {
    Family.UNION: "GH",
    Family.PARTY: "DY",
    Family.TEAM: "ZY",
    Family.LIAISON: "LL",
    Family.GRID: "WG",
}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        UNION_FEDERATION = "union_federation", _("Union federation")
        UNION_BRANCH = "union_branch", _("Union branch")
        UNION_POOL = "union_pool", _("County union pool for new-employment workers")
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        PARTY_BRANCH = "party_branch", _("Party branch")
        PARTY_STATION = "party_station", _("Mobile party-member station")
        VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
        LIAISON_GROUP = "liaison_group", _("Liaison group (1 member + 10 riders)")
        GRID_ROSTER = "grid_roster", _("Community grid-member roster")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    family = models.CharField(_("family"), max_length=10, choices=Family.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/1/4/17/": the ids from the root down to this one, for subtree queries.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    district = models.ForeignKey(
        "places.District",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        "places.Subdistrict",
        verbose_name=_("subdistrict"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "places.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station or centre"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepts_members = models.BooleanField(_("accepts members"), default=True)
    ack_working_days = models.PositiveSmallIntegerField(
        _("working days to acknowledge a check-in"), default=5
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path", "code"]
        indexes = [models.Index(fields=["family", "district"])]
        constraints = [
            models.CheckConstraint(
                name="org_ack_days_in_range",
                condition=Q(ack_working_days__gte=1, ack_working_days__lte=30),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_sensitive(self) -> bool:
        return self.family in SENSITIVE_FAMILIES

    @property
    def place_label(self) -> str:
        parts = []
        if self.district_id:
            parts.append(self.district.name)
        if self.subdistrict_id:
            parts.append(self.subdistrict.name)
        if self.community_id:
            parts.append(self.community.name)
        if self.station_id:
            parts.append(self.station.name)
        return " · ".join(parts)


KIND_FAMILY = {
    Organisation.Kind.UNION_FEDERATION: Family.UNION,
    Organisation.Kind.UNION_BRANCH: Family.UNION,
    Organisation.Kind.UNION_POOL: Family.UNION,
    Organisation.Kind.PARTY_COMMITTEE: Family.PARTY,
    Organisation.Kind.PARTY_BRANCH: Family.PARTY,
    Organisation.Kind.PARTY_STATION: Family.PARTY,
    Organisation.Kind.VOLUNTEER_TEAM: Family.TEAM,
    Organisation.Kind.LIAISON_GROUP: Family.LIAISON,
    Organisation.Kind.GRID_ROSTER: Family.GRID,
}


class Officer(models.Model):
    """A post in an organisation; its holder acts for it and for every organisation below it."""

    class Post(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        OFFICER = "officer", _("Officer")
        LEADER = "leader", _("Team leader")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="officers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="membership_posts",
    )
    post = models.CharField(_("post"), max_length=12, choices=Post.choices, default=Post.OFFICER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_post_per_org")
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_post_display()}"


class Membership(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Application under review")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TRANSFERRED = "transferred", _("Transferred")
        ENDED = "ended", _("Ended")
        REJECTED = "rejected", _("Rejected")

    class Via(models.TextChoices):
        APP = "app", _("Applied in the app")
        QR = "qr", _("Scanned the organisation's QR code")
        TRANSFER = "transfer", _("Transferred in (one-step check-in)")
        OFFICER = "officer", _("Entered by an officer")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    family = models.CharField(_("family"), max_length=10, choices=Family.choices)
    person = EncryptedTextField(_("person"))  # the user's id, encrypted
    person_index = models.CharField(max_length=64, db_index=True, editable=False)
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    employer = models.ForeignKey(
        "orgs.Employer",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    home_district = models.ForeignKey(
        "places.District",
        verbose_name=_("home district"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    number = models.CharField(_("membership number"), max_length=20, blank=True, db_index=True)
    member_since = models.DateField(_("member since"), null=True, blank=True)
    via = models.CharField(_("joined by"), max_length=10, choices=Via.choices, default=Via.APP)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("continues"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    applied_at = models.DateTimeField(_("applied at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-applied_at", "-id"]
        constraints = [
            # Join once: one live union (party) membership per person...
            models.UniqueConstraint(
                fields=["person_index", "family"],
                condition=Q(state__in=["pending", "active", "suspended"])
                & Q(family__in=["union", "party"]),
                name="membership_join_once",
            ),
            # ... and per ID number (the blind index catches a second account).
            models.UniqueConstraint(
                fields=["id_index", "family"],
                condition=Q(state__in=["pending", "active", "suspended"])
                & Q(family__in=["union", "party"])
                & ~Q(id_index=""),
                name="membership_join_once_per_id",
            ),
            # Elsewhere: one live membership per person and organisation.
            models.UniqueConstraint(
                fields=["person_index", "organisation"],
                condition=Q(state__in=["pending", "active", "suspended"]),
                name="membership_once_per_org",
            ),
            # A card number belongs to one live membership (it follows the member on transfer).
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(state__in=["active", "suspended"]) & ~Q(number=""),
                name="membership_number_unique",
            ),
            models.CheckConstraint(
                name="membership_active_has_number",
                condition=~Q(state__in=["active", "suspended"]) | ~Q(number=""),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="membership_org_state_idx"),
            models.Index(fields=["family", "state", "id_index"], name="membership_registry_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.number or self.get_state_display()}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def user_id(self) -> int | None:
        try:
            return int(self.person)
        except (TypeError, ValueError):
            return None


LIVE_STATES = (Membership.State.PENDING, Membership.State.ACTIVE, Membership.State.SUSPENDED)
HELD_STATES = (Membership.State.ACTIVE, Membership.State.SUSPENDED)


class MembershipEvent(models.Model):
    """One step in a membership's life: who did what, when, and why. Append-only."""

    class Action(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        ENDED = "ended", _("Ended")
        LEFT = "left", _("Left")
        CHECKED_IN = "checked_in", _("Checked in elsewhere (transfer requested)")
        TRANSFER_DECLINED = "transfer_declined", _("Transfer declined")
        TRANSFER_CANCELLED = "transfer_cancelled", _("Transfer cancelled")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        TRANSFERRED_IN = "transferred_in", _("Transferred in")
        ERASED = "erased", _("Personal data erased")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("membership history entry")
        verbose_name_plural = _("membership history")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.membership_id} {self.action}"


class MembershipCounter(models.Model):
    """The last card number issued per family and year (numbers never repeat)."""

    family = models.CharField(max_length=10, choices=Family.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "year"], name="one_counter_per_family_year")
        ]

    def __str__(self):
        return f"{self.family} {self.year}: {self.last}"


class Transfer(models.Model):
    """A one-step check-in (一键报到): the member asks the receiving organisation to take over
    their membership; it must acknowledge within its working-day limit. The membership stays
    active in the sending organisation until then, so it is continuous."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DECLINED = "declined", pgettext_lazy("transfer", "Declined")
        CANCELLED = "cancelled", _("Cancelled")

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="transfers"
    )
    family = models.CharField(max_length=10, choices=Family.choices)
    from_org = models.ForeignKey(
        Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_org = models.ForeignKey(
        Organisation, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("checked in at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    client_key = models.CharField(max_length=64, blank=True)
    requested_at = models.DateTimeField(_("checked in at"))
    working_days = models.PositiveSmallIntegerField(_("working days to acknowledge"))
    due_at = models.DateTimeField(_("acknowledge by"))
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the city"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    new_membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_by"
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(state="pending"),
                name="one_pending_transfer_per_membership",
            ),
            models.UniqueConstraint(
                fields=["membership", "client_key"],
                condition=~Q(client_key=""),
                name="transfer_once_per_client_key",
            ),
            models.CheckConstraint(
                name="transfer_between_two_orgs", condition=~Q(from_org=models.F("to_org"))
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state="pending"),
                name="transfer_pending_due_idx",
            ),
            models.Index(fields=["to_org", "state"], name="transfer_to_state_idx"),
            # The dashboards count a period's check-ins (issue 18).
            models.Index(fields=["requested_at"], name="transfer_requested_idx"),
        ]

    def __str__(self):
        return f"{self.from_org} → {self.to_org} ({self.get_state_display()})"


class SensitiveConsent(models.Model):
    """A person's separate, explicit consent (PIPL art. 29) to the processing of their union or
    party membership. Withdrawing it ends the memberships it covered."""

    person = EncryptedTextField()
    person_index = models.CharField(max_length=64, db_index=True, editable=False)
    family = models.CharField(max_length=10, choices=Family.choices)
    version = models.CharField(_("consent text version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to sensitive processing")
        verbose_name_plural = _("consents to sensitive processing")
        constraints = [
            models.UniqueConstraint(
                fields=["person_index", "family"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_consent_per_family",
            )
        ]

    def __str__(self):
        return f"consent {self.family} {self.given_at:%Y-%m-%d}"


class GridAppointment(models.Model):
    """A worker appointed by a community as a part-time grid member (兼职网格员), with consent."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for the worker's consent")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")
        DECLINED = "declined", _("Declined by the worker")

    roster = models.ForeignKey(
        Organisation,
        verbose_name=_("roster"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    community = models.ForeignKey(
        "places.Community", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid member"),
        on_delete=models.CASCADE,
        related_name="grid_appointments",
    )
    grid = models.CharField(
        _("grid"), max_length=100, blank=True, help_text=_("Empty: the whole community.")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("grid-member appointment")
        verbose_name_plural = _("grid-member appointments")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "user"],
                condition=Q(state__in=["proposed", "active", "suspended"]),
                name="one_live_appointment_per_roster",
            )
        ]
        indexes = [models.Index(fields=["user", "community", "state"], name="grid_member_idx")]

    def __str__(self):
        return f"{self.community} · {self.grid or '-'}"


LIVE_APPOINTMENT_STATES = (
    GridAppointment.State.PROPOSED,
    GridAppointment.State.ACTIVE,
    GridAppointment.State.SUSPENDED,
)


class AppointmentEvent(models.Model):
    appointment = models.ForeignKey(
        GridAppointment, on_delete=models.CASCADE, related_name="history"
    )
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.appointment_id} {self.action}"


class Registry(models.Model):
    """A registry that answers yes/no questions about ID numbers: Yizhan's own data, a
    department's list delivered as CSV, or a department's registry over HTTP (HMAC-signed)."""

    class Kind(models.TextChoices):
        LOCAL = "local", _("Yizhan's own records")
        CSV = "csv", _("CSV file")
        HTTP = "http", _("HTTP registry (HMAC-signed)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    question = models.CharField(_("question answered"), max_length=40)
    csv_path = models.CharField(_("CSV file"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=300, blank=True)
    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    secret = EncryptedTextField(_("signing secret"), blank=True)
    match_key = EncryptedTextField(
        _("matching key"),
        blank=True,
        help_text=_("Shared with the registry: ID numbers travel as keyed hashes, never in clear."),
    )
    timeout_seconds = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("registry")
        verbose_name_plural = _("registries")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RegistryQuery(models.Model):
    """One yes/no question asked of a registry (one row however many ID numbers it carried).
    The ID numbers are not kept: only how many, how many yes, and a digest of their hashes."""

    at = models.DateTimeField(_("time"), db_index=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registry = models.ForeignKey(
        Registry, verbose_name=_("registry"), null=True, blank=True, on_delete=models.SET_NULL
    )
    question = models.CharField(_("question"), max_length=40)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    yes = models.PositiveIntegerField(_("yes"))
    digest = models.CharField(max_length=64)
    channel = models.CharField(_("channel"), max_length=10, default="page")

    class Meta:
        verbose_name = _("registry query")
        verbose_name_plural = _("registry queries")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.question} ×{self.rows}"
