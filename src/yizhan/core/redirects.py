"""Where to send someone back to (`next`, the Referer): a path on this site, or a full URL
of this host, and nothing else: never another site, and never a bare word, which Django's
`redirect()` would try to read as a URL name (a Referer of "x:y" was a server error)."""

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme


def safe_target(request, target: str | None, fallback: str) -> str:
    target = (target or "").strip()
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    if target.startswith("/") or urlsplit(target).scheme in ("http", "https"):
        return target
    return fallback
