"""Form helpers shared by the pages of every app: the one place where a service's error
becomes what a form shows (see `yizhan.core.errors`), and the staff consoles' pickers."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import YizhanError, as_yizhan_error


def add_service_errors(form, exc: YizhanError | ValidationError) -> None:
    """Show a service's error on the form: each field's messages beside the field when the form
    has it, everything else at the top. The form keeps what the person typed."""
    error = as_yizhan_error(exc) or YizhanError(str(exc))
    for field, message in error.field_errors():
        form.add_error(field if field in form.fields else None, message)


# --- pickers: a select with a search box above it (static/yizhan/staff.js), for choosing one
# of a city's 800 communities or 1,100 stations by typing part of the name or code. Without
# JavaScript it is the plain select.


def picker_attrs(*, multiple: bool = False) -> dict:
    attrs = {"data-picker": _("Type to filter…")}
    if multiple:
        attrs["data-picker-count"] = _("%s selected")
    return attrs


def picker_select(**attrs) -> forms.Select:
    return forms.Select(attrs={**picker_attrs(), **attrs})


def picker_select_multiple(**attrs) -> forms.SelectMultiple:
    return forms.SelectMultiple(attrs={**picker_attrs(multiple=True), **attrs})
