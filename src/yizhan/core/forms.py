"""Form helpers shared by the pages of every app: the one place where a service's error
becomes what a form shows (see `yizhan.core.errors`)."""

from django.core.exceptions import ValidationError

from yizhan.core.errors import YizhanError, as_yizhan_error


def add_service_errors(form, exc: YizhanError | ValidationError) -> None:
    """Show a service's error on the form: each field's messages beside the field when the form
    has it, everything else at the top. The form keeps what the person typed."""
    error = as_yizhan_error(exc) or YizhanError(str(exc))
    for field, message in error.field_errors():
        form.add_error(field if field in form.fields else None, message)
