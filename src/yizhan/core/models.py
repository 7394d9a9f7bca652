"""Shared records: the audit log of personal-data reads and the working-day overrides."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yizhan.core.pii import EncryptedTextField


class AuditLog(models.Model):
    """Who read or changed what personal data, when, and why. Append-only."""

    class Action(models.TextChoices):
        PII_READ = "pii_read", _("Read personal data")
        PII_EXPORT = "pii_export", _("Exported own data")
        PII_ERASE = "pii_erase", _("Erased personal data")
        ROLE_CHANGE = "role_change", _("Changed a role")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64)
    fields = models.CharField(_("fields"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}#{self.subject_id}"


class WorkdayOverride(models.Model):
    """A day whose working status the administrator set (announced schedule or local change)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    name = models.CharField(
        _("name"), max_length=60, blank=True, help_text=_("e.g. Spring Festival")
    )

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class Event(models.Model):
    """A domain event (e.g. "report.verified"), kept for delivery and replay."""

    name = models.CharField(_("name"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} #{self.pk}"


class EventDelivery(models.Model):
    """That one subscriber has handled one event (at most once: the pair is unique)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=200)
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="deliver_once")]

    def __str__(self):
        return f"{self.event} → {self.subscriber}"


class Notification(models.Model):
    """A message in a person's in-app inbox (the bell). Any app writes them via `notify`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    verb = models.CharField(_("kind"), max_length=40, blank=True)
    # What to say, as a message id (an English msgid) and its parameters: it is put into
    # words when read, in the reader's language at that moment.
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    text = models.CharField(_("text"), max_length=500, blank=True)  # free text, no message id
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.recipient_id}: {self.render()[:40]}"

    def render(self) -> str:
        """The notification in the active language."""
        from yizhan.core.notifications import render

        return render(self.message, self.params) if self.message else self.text


class PeriodicJob(models.Model):
    """When a registered periodic job (a sweep) next runs; see core.periodic."""

    name = models.CharField(max_length=80, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class IdempotencyRecord(models.Model):
    """The first response to a request that carried an idempotency key (see core.idempotency)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_key_once")
        ]

    def __str__(self):
        return f"{self.scope} {self.key} → {self.status_code}"


class SmsMessage(models.Model):
    """A text kept by the demo's outbox SMS backend (core.sms), encrypted; kept one day."""

    mobile = EncryptedTextField(_("mobile number"))
    text = EncryptedTextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("text message (demo outbox)")
        verbose_name_plural = _("text messages (demo outbox)")

    def __str__(self):
        from yizhan.core.pii import mask_mobile

        return f"{mask_mobile(self.mobile)} {self.sent_at:%H:%M}"
