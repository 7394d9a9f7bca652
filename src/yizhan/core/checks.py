"""Deploy checks (`yizhan check --deploy`): a production configuration must not run on the
keys published in this repository, on a weak lookup key, or texting codes into a log."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Keys that anyone who has read the repository knows.
PUBLISHED_PII_KEYS = {"ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="}
PUBLISHED_HASH_KEYS = {"demo-only-hash-key"}
MIN_HASH_KEY_LENGTH = 32
LOG_SMS_BACKENDS = {"yizhan.core.sms.LogSmsBackend", "yizhan.core.sms.OutboxSmsBackend"}


@register(Tags.security, deploy=True)
def personal_data_keys(app_configs=None, **kwargs):
    errors = []
    if PUBLISHED_PII_KEYS & set(settings.PII_KEYS):
        errors.append(
            Error(
                "YIZHAN_PII_KEYS holds the demo key published in the repository.",
                hint="Generate a Fernet key (docs/OPERATIONS.md) and put it first; "
                "rotate the data with `yizhan pii-rotate`.",
                id="yizhan.E001",
            )
        )
    hash_key = settings.PII_HASH_KEY or ""
    if hash_key in PUBLISHED_HASH_KEYS or len(hash_key) < MIN_HASH_KEY_LENGTH:
        errors.append(
            Error(
                f"YIZHAN_PII_HASH_KEY is published or shorter than {MIN_HASH_KEY_LENGTH} "
                "characters: mobile and ID-number lookups could be brute-forced.",
                hint='python -c "import secrets; print(secrets.token_urlsafe(48))"',
                id="yizhan.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def sms_gateway(app_configs=None, **kwargs):
    if settings.SMS_BACKEND in LOG_SMS_BACKENDS and not settings.SMS_LOG_BACKEND_ALLOWED:
        return [
            Error(
                "The SMS backend writes messages to a log or file instead of sending them.",
                hint="Set YIZHAN_SMS_BACKEND to your gateway's backend, or "
                "YIZHAN_SMS_LOG_BACKEND_ALLOWED=true for a staging system without SMS.",
                id="yizhan.E003",
            )
        ]
    return []


@register()
def map_provider(app_configs=None, **kwargs):
    """A map provider that cannot work (no Tianditu key, a tile URL without {z}/{x}/{y}, an
    unknown datum) is said at start-up, not discovered as a blank map by a rider."""
    from yizhan.core.maps import MapConfigError, configured

    try:
        configured()
    except MapConfigError as exc:
        return [
            Error(
                f"The map provider is misconfigured: {exc}.",
                hint="docs/OPERATIONS.md, Maps: YIZHAN_MAP_PROVIDER and its settings.",
                id="yizhan.E004",
            )
        ]
    return []
