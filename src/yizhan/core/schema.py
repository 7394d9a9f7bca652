"""Types shared by every app's API schemas, so the edge refuses what the database cannot hold.

A path or query id beyond a 64-bit integer, or a count beyond a column, is a 422 with a field
message here, never an OverflowError (SQLite) or NumericValueOutOfRange (PostgreSQL) later.
"""

from typing import Annotated

from pydantic import Field

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1

# Primary keys (BigAutoField) as they arrive in paths, queries and bodies.
DbId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# Counts, prices and offsets that live in 32-bit integer columns or drive OFFSET.
SmallCount = Annotated[int, Field(ge=0, le=INT_MAX)]
