"""Types shared by every app's API schemas, so the edge refuses what the database cannot hold.

A path or query id beyond a 64-bit integer, or a count beyond a column, is a 422 with a field
message here, never an OverflowError (SQLite) or NumericValueOutOfRange (PostgreSQL) later.
"""

import json
from typing import Annotated, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.parser import Parser
from pydantic import AfterValidator, Field
from pydantic import Field as PydField

BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1

# Primary keys (BigAutoField) as they arrive in paths, queries and bodies.
DbId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
# Counts, prices and offsets that live in 32-bit integer columns or drive OFFSET.
SmallCount = Annotated[int, Field(ge=0, le=INT_MAX)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def Text(max_length: int, **kwargs):  # noqa: N802 - a type, read as one
    """Text the database can hold: at most `max_length` characters, no NUL (PostgreSQL text
    columns refuse it). Over-long text is a 422 naming the field, never silently cut."""
    return Annotated[str, Field(max_length=max_length, **kwargs), AfterValidator(_no_nul)]


# Coordinates as they arrive: finite, in range (NaN, infinity and 91° are a 422 naming the
# field); `CoordType` says their datum, converted to WGS-84 at the edge (core.geo.to_wgs84).
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
CoordType = Literal["wgs84", "gcj02", "bd09"]

# A short code (category, platform, department) sent by reference.
Code = Annotated[str, Field(max_length=40), AfterValidator(_no_nul)]


# --- The edges of the API (used by yizhan.api for every app's operations) ---------------------

NUL_MESSAGE = _("The text contains a NUL character, which no form or field accepts.")
BODY_NOT_AN_OBJECT = _("The request body must be a JSON object.")
# What every string in the OpenAPI document promises: no NUL character (ECMA-262 regex).
NO_NUL_PATTERN = "^[^\\u0000]*$"


class NulText:
    """Stands in for a JSON string holding a NUL character: no `str` field accepts it, so the
    field that received it is named in the 422; an ignored extra property stays harmless."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def _mark_nul(value):
    if isinstance(value, str):
        return NulText(value) if "\x00" in value else value
    if isinstance(value, list):
        return [_mark_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark_nul(v) for k, v in value.items()}
    return value


class YizhanParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            # ninja would read a bare string "as an object", through its attributes.
            raise ValueError("the body must be a JSON object")
        return _mark_nul(data)

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if data is request.POST:  # a form body: as JSON, NUL named by its declared field
            parsed = _mark_nul(parsed)
        return parsed


def declare_no_nul(node) -> None:
    """Every plain string of the document excludes NUL, as the parser and the middleware do."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"enum", "const", "format", "pattern"} & set(node):
            node["pattern"] = NO_NUL_PATTERN
        for value in node.values():
            declare_no_nul(value)
    elif isinstance(node, list):
        for value in node:
            declare_no_nul(value)


class FieldError(Schema):
    field: str = PydField(
        description="The field, dotted for nested ones; empty for the whole request"
    )
    message: str


class ErrorOut(Schema):
    """Every error answer of the API has this shape."""

    message: str = PydField(description="What went wrong, in the caller's language")
    code: str = PydField(description="invalid, not_allowed, not_found, conflict, throttled, …")
    detail: list[FieldError] = PydField(default_factory=list)


def error_body(error) -> dict:
    """The JSON body for a `yizhan.core.errors` error."""
    fields = [{"field": f, "message": m} for f, m in error.field_errors() if f]
    return {
        "message": str(error.message),
        "code": error.code,
        "detail": fields or [{"field": "", "message": str(error.message)}],
    }


# The answers an operation may give besides success, for `response={...}` in routers:
#     @router.post("", response={201: CaseOut, **ERRORS})
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
