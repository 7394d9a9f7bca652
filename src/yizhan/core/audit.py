"""Writing the audit log. Every staff read of unmasked personal data goes through here."""

from yizhan.core.models import AuditLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(*, actor, action: str, subject, fields=(), reason: str = "", request=None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        fields=",".join(fields),
        reason=reason[:300],
        ip=client_ip(request),
    )
