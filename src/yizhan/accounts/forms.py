"""Forms for the account pages. Validation of identifiers lives in core.validators and the
services; forms only shape input and carry field errors back in the user's language."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from yizhan.accounts.models import WorkerProfile
from yizhan.core.validators import validate_id_number, validate_mobile
from yizhan.orgs import selectors as orgs
from yizhan.places import selectors as places

_MOBILE_ATTRS = {"inputmode": "numeric", "autocomplete": "tel", "maxlength": "16"}


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("widget", forms.TextInput(attrs=_MOBILE_ATTRS))
        super().__init__(max_length=20, **kwargs)

    def clean(self, value):
        return validate_mobile(super().clean(value))


class LoginForm(forms.Form):
    mobile = MobileField()
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpRequestForm(forms.Form):
    mobile = MobileField()


class OtpVerifyForm(forms.Form):
    mobile = MobileField(widget=forms.HiddenInput())
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RegistrationCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Real name"), max_length=40)
    mobile = MobileField()
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    kind = forms.ChoiceField(label=_("Kind of work"), choices=WorkerProfile.Kind.choices)
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=orgs.platforms(),
        required=False,
        empty_label=_("None / other"),
    )
    home_district = forms.ModelChoiceField(
        label=_("Home district"), queryset=places.districts(), empty_label=None
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    consent = forms.BooleanField(
        label=_("I have read and agree to the privacy notice"),
        required=True,
        error_messages={"required": _("You must agree to the privacy notice to register.")},
    )

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        password, password2 = data.get("password"), data.get("password2")
        if password and password2 and password != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password:
            try:
                password_validation.validate_password(password)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class FindByMobileForm(forms.Form):
    mobile = MobileField(label=_("Full mobile number"))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see this person's full data?"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. calling back about case 123")}),
    )


class PeopleSearchForm(forms.Form):
    """The people list's search box. It posts: a mobile number stays out of URLs and logs."""

    q = forms.CharField(
        label=_("Name or mobile number"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Whole name, mobile, or 138****1234"),
            }
        ),
    )
