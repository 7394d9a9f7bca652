"""Points settings an operator may change, read from the environment (see docs/POINTS.md)."""

import os

# How long a worker has to pick up a redeemed item before it is refunded and restocked.
PICKUP_HOURS = int(os.environ.get("YIZHAN_POINTS_PICKUP_HOURS", "72"))
# The lowest price an item may have: the published rule is "redeemable from 2 points".
MIN_PRICE = 2
# Pick-up codes: 8 characters without look-alikes (no 0/O, 1/I/L), shown as ABCD-EFGH.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
