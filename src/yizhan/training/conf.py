"""Training settings an operator may change, read from the environment (docs/TRAINING.md)."""

import os
from pathlib import Path

# The rotating door code changes every STEP seconds and is accepted for the current and the
# previous step, so a code on the screen works for 30 to 60 s and never after.
DOOR_QR_STEP_SECONDS = int(os.environ.get("YIZHAN_TRAINING_QR_STEP_SECONDS", "30"))
# After a fresh scan the worker has this long to press "Check in" (and to log in first).
SCAN_GRACE_SECONDS = int(os.environ.get("YIZHAN_TRAINING_SCAN_GRACE_SECONDS", "180"))
# A worker who shares their location must be this close to the venue.
CHECK_IN_RADIUS_M = int(os.environ.get("YIZHAN_TRAINING_CHECK_IN_RADIUS_M", "300"))
# The door opens this long before a session starts.
DOORS_OPEN_MINUTES = int(os.environ.get("YIZHAN_TRAINING_DOORS_OPEN_MINUTES", "60"))
# The default time a worker on the waiting list has to accept a freed place.
OFFER_HOURS = int(os.environ.get("YIZHAN_TRAINING_OFFER_HOURS", "12"))
# Reminders go out this long before a session starts ("the day before").
REMINDER_HOURS = int(os.environ.get("YIZHAN_TRAINING_REMINDER_HOURS", "24"))
# A Chinese TrueType font for certificates (Debian: fonts-wqy-zenhei). Empty: look for one.
CERTIFICATE_FONT = os.environ.get("YIZHAN_TRAINING_CERTIFICATE_FONT", "")
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
]
# Certificate codes: 10 characters without look-alikes, shown as ABCDE-FGHJK.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_CAPACITY = 100_000
MAX_REPEAT = 52
