"""The one error hierarchy. Services raise these; nothing else decides what the user is told.

    Invalid     422  the input is wrong; `fields` maps a field name to its messages
    Unauthenticated 401  who is asking is not known (API only; pages redirect to login)
    NotAllowed  403  this user may not do this (to this object)
    NotFound    404  no such thing, or none this user may see
    Conflict    409  the thing is in a state that does not allow it (someone else moved it,
                     not enough points, a key reused with another body…)
    Throttled   429  too many tries; `retry_after` seconds

They are turned into responses in exactly two places: `yizhan.api` (JSON: `{"message",
"code", "detail": [{"field", "message"}]}`) and `yizhan.core.forms.add_service_errors`
(field errors beside the field, the rest at the top of the form). Pages that call a service
outside a form get the message and a redirect back from `ServiceErrorMiddleware`.

`NotAllowed` is a `PermissionDenied` and `NotFound` an `Http404`, so Django's own handlers
render them as the 403 and 404 pages. Messages are lazy translation strings: they are
rendered in the language of whoever reads them.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class YizhanError(Exception):
    status = 400
    code = "error"
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, fields: dict | None = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = {k: _as_list(v) for k, v in (fields or {}).items()}
        if code:
            self.code = code
        super().__init__(str(self.message))

    def field_errors(self) -> list[tuple[str, str]]:
        """(field, message) pairs; the field is "" for errors about the whole request."""
        pairs = [(name, str(m)) for name, messages in self.fields.items() for m in messages]
        if not pairs:
            pairs = [("", str(self.message))]
        return pairs

    def __str__(self):
        return str(self.message)


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


class Invalid(YizhanError):
    status = 422
    code = "invalid"
    default_message = _("Please correct the errors below.")

    def __init__(self, message=None, *, fields=None, code=None, field: str | None = None):
        # `Invalid("Too far away", field="lat")`: a single message about one field.
        if field and message is not None and not fields:
            fields = {field: [message]}
        super().__init__(message, fields=fields, code=code)

    @classmethod
    def from_django(cls, exc: DjangoValidationError) -> "Invalid":
        """A model's or form's ValidationError, kept field by field."""
        if hasattr(exc, "error_dict"):
            fields = {
                ("" if name == "__all__" else name): msgs for name, msgs in exc.message_dict.items()
            }
            top = fields.pop("", None)
            return cls(top[0] if top else None, fields=fields)
        messages = exc.messages
        return cls(messages[0] if messages else None)


class Unauthenticated(YizhanError):
    status = 401
    code = "unauthenticated"
    default_message = _("Log in first: send a valid bearer token or session.")


class NotAllowed(YizhanError, PermissionDenied):
    status = 403
    code = "not_allowed"
    default_message = _("You may not do this.")


class NotFound(YizhanError, Http404):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(YizhanError):
    status = 409
    code = "conflict"
    default_message = _("This changed a moment ago. Reload and try again.")


class Throttled(YizhanError):
    status = 429
    code = "throttled"
    default_message = _("Too many attempts. Please wait and try again.")

    def __init__(self, message=None, *, retry_after: int = 60, **kwargs):
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


def as_yizhan_error(exc: BaseException) -> YizhanError | None:
    """Map Django's own errors onto the hierarchy (models raise ValidationError, decorators
    raise PermissionDenied and Http404); None for anything else."""
    if isinstance(exc, YizhanError):
        return exc
    if isinstance(exc, DjangoValidationError):
        return Invalid.from_django(exc)
    if isinstance(exc, PermissionDenied):
        return NotAllowed()
    if isinstance(exc, Http404):
        return NotFound()
    return None
