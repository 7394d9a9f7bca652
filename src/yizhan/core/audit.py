"""Writing the audit log. Every staff read of unmasked personal data goes through here.

`client_ip` is the one place that decides who a request came from. Behind a proxy the socket
address is the proxy's, so it reads the forwarding header, but only when the request really
came through a proxy the operator trusts (YIZHAN_TRUSTED_PROXIES): a header from anyone else
is ignored, so nobody can pick their own address to dodge the login limits.
"""

import ipaddress

from django.conf import settings

from yizhan.core.models import AuditLog


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _trusted(remote):
        return remote
    forwarded = request.META.get(settings.CLIENT_IP_HEADER, "")
    # X-Forwarded-For: client, proxy1, proxy2 — walk back from the right past our own proxies.
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


def record(*, actor, action: str, subject, fields=(), reason: str = "", request=None) -> AuditLog:
    """One entry; `subject` is the record read (None for a search that found nobody)."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        fields=",".join(fields),
        reason=reason[:300],
        ip=client_ip(request),
    )
