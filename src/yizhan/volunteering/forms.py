"""Forms of the volunteer pages: they shape input; the services decide what is allowed."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.volunteering import scenario
from yizhan.volunteering.models import WEEKDAYS, Availability, Beneficiary

# Known destinations: the hospitals and exam sites volunteers drive to most.
PLACES = [(f"{lat},{lng}", name) for name, lat, lng in scenario.HOSPITALS + scenario.EXAM_SITES]


class TimeInput(forms.TimeInput):
    input_type = "time"


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        return value


def _dt_field(label, **kwargs):
    return forms.DateTimeField(
        label=label, widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"], **kwargs
    )


class AvailabilityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("When"),
        choices=[
            (Availability.Kind.WEEKLY, _("Every week")),
            (Availability.Kind.ONCE, _("One-off")),
        ],
        widget=forms.RadioSelect,
        initial=Availability.Kind.WEEKLY,
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=WEEKDAYS, coerce=int, required=False
    )
    starts = forms.TimeField(label=_("From"), widget=TimeInput(), required=False)
    ends = forms.TimeField(label=_("To"), widget=TimeInput(), required=False)
    starts_at = _dt_field(_("From (date and time)"), required=False)
    ends_at = _dt_field(_("To (date and time)"), required=False)


class FreeNowForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("Free for"),
        choices=[(30, _("30 minutes")), (60, _("an hour")), (90, _("90 minutes"))],
        coerce=int,
        initial=60,
    )
    share = forms.BooleanField(label=_("Share where I am (optional)"), required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class ConfirmForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number the text came to"), max_length=20)
    code = forms.CharField(label=_("Code in the text"), max_length=10)


class BeneficiaryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Who"), choices=Beneficiary.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=40)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    address = forms.CharField(label=_("Home address"), max_length=200)
    lat = forms.FloatField(label=_("Latitude (WGS-84)"), help_text=_("Click the map to fill in."))
    lng = forms.FloatField(label=_("Longitude (WGS-84)"))
    wheelchair = forms.BooleanField(label=_("Uses a wheelchair"), required=False)
    companion = forms.BooleanField(label=_("Travels with a companion"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=40, required=False)
    contact_mobile = forms.CharField(label=_("Contact's mobile"), max_length=20, required=False)
    health_note = forms.CharField(
        label=_("Health note (minimal)"),
        max_length=200,
        required=False,
        help_text=_("Only what a driver must know, e.g. 'cannot climb stairs'."),
    )
    diet_note = forms.CharField(label=_("Diet note"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_(
            "The person (or their guardian) consents to this record and its use for volunteer services"
        ),
        required=False,
    )
    consent_note = forms.CharField(
        label=_("How consent was given"),
        max_length=200,
        required=False,
        help_text=_("E.g. signed form, phone call with the daughter."),
    )


class BookForm(forms.Form):
    beneficiary = forms.ModelChoiceField(
        label=_("Beneficiary"), queryset=Beneficiary.objects.none()
    )
    place = forms.ChoiceField(
        label=_("Destination"),
        choices=[("", _("Other (give the position)"))] + PLACES,
        required=False,
    )
    dropoff_label = forms.CharField(label=_("Destination name"), max_length=120, required=False)
    dropoff_lat = forms.FloatField(label=_("Latitude (WGS-84)"), required=False)
    dropoff_lng = forms.FloatField(label=_("Longitude (WGS-84)"), required=False)
    day = forms.DateField(label=_("Date (first date for a standing ride)"), widget=DateInput())
    appointment = forms.TimeField(label=_("Appointment (arrive by)"), widget=TimeInput())
    lead = forms.TypedChoiceField(
        label=_("Pick up from"),
        choices=[
            (45, _("45 minutes before")),
            (60, _("60 minutes before")),
            (90, _("90 minutes before")),
        ],
        coerce=int,
        initial=60,
    )
    return_at = forms.TimeField(
        label=_("Ride home from (optional)"), widget=TimeInput(), required=False
    )
    standing = forms.BooleanField(label=_("Standing ride (repeats every week)"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(
        label=_("For how many days"), min_value=1, max_value=92, initial=30, required=False
    )
    urgent = forms.BooleanField(label=_("Urgent (less than 2 hours ahead)"), required=False)
    note = forms.CharField(label=_("Note for the driver"), max_length=200, required=False)

    def __init__(self, *args, beneficiaries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if beneficiaries is not None:
            self.fields["beneficiary"].queryset = beneficiaries
        self.fields["beneficiary"].label_from_instance = lambda b: (
            f"{b.masked_name} · {b.get_kind_display()} · {b.community.name}"
        )

    def clean(self):
        data = super().clean()
        place = data.get("place")
        if place:
            lat, lng = (float(x) for x in place.split(","))
            data["dropoff_lat"], data["dropoff_lng"] = lat, lng
            data["dropoff_label"] = data.get("dropoff_label") or dict(PLACES)[place]
        elif data.get("dropoff_lat") is None or data.get("dropoff_lng") is None:
            self.add_error("dropoff_lat", _("Choose a destination or give its position."))
        return data


class PinForm(forms.Form):
    volunteer = forms.IntegerField(required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=200)


class CallForm(forms.Form):
    note = forms.CharField(label=_("What they said"), max_length=200, required=False)
