"""Platform transparency: the few constants and deployment settings in one place."""

from django.conf import settings

# A disclosure's changes should reach workers before they apply (scorecard, "contracts").
ADVANCE_NOTICE_DAYS = 7
# Statement files: bytes and rows (statements.py refuses more).
STATEMENT_MAX_MB = 20
# Notices to a platform's workers go out in batches of this many rows.
NOTIFY_BATCH = 2000


def city() -> str:
    """The city whose caps Yizhan checks (a disclosure may list other cities too)."""
    return getattr(settings, "YIZHAN_CITY_NAME", "兰州市")
