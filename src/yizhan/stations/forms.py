"""Forms of the station pages: the finder's filters and the keeper's console."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.stations import hours
from yizhan.stations.importing import MAX_BYTES
from yizhan.stations.models import Station, Weekday


class FinderForm(forms.Form):
    """The finder's question. Where from: the phone's position or a tap on the map (lat/lng,
    with JavaScript), or — without — a district or community from the list, or a place's
    name (a landmark, a station, a community; pinyin initials work)."""

    area = forms.ChoiceField(label=_("District or community"), required=False)
    place = forms.CharField(
        label=_("Or a place's name"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. 中山桥, or zsq"), "enterkeyhint": "search"}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Station.Kind.choices]
    )
    amenity = forms.MultipleChoiceField(
        label=_("Has"), required=False, widget=forms.CheckboxSelectMultiple
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    near = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, amenities=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenity"].choices = [(a.code, a.label) for a in amenities]
        self.fields["area"].choices = [("", _("— choose —")), *areas]

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError(_("Give both latitude and longitude."))
        return data


DURATIONS = [
    ("1h", _("for 1 hour")),
    ("2h", _("for 2 hours")),
    ("4h", _("for 4 hours")),
    ("today", _("until the end of today")),
    ("tomorrow", _("until the end of tomorrow")),
]


def duration_end(choice: str, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    if choice.endswith("h"):
        return now + dt.timedelta(hours=int(choice[:-1]))
    local = timezone.localtime(now)
    midnight = (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + dt.timedelta(days=1 if choice == "tomorrow" else 0)


class TempStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Station.TempStatus.choices, required=False
    )
    duration = forms.ChoiceField(label=_("How long"), choices=DURATIONS, initial="2h")
    note = forms.CharField(label=_("Note for riders"), max_length=120, required=False)


class HoursForm(forms.Form):
    is_24h = forms.BooleanField(label=_("Open 24 hours"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in Weekday.choices:
            self.fields[f"day{day}"] = forms.CharField(
                label=label,
                required=False,
                max_length=80,
                help_text=_("e.g. 08:00-22:00; 22:00-06:00 runs past midnight; blank: closed")
                if day == 0
                else "",
            )

    def clean(self):
        data = super().clean()
        weekly = {}
        for day in range(7):
            text = (data.get(f"day{day}") or "").strip()
            if not text or text in hours.CLOSED_WORDS:
                weekly[day] = ()
                continue
            try:
                weekly[day] = (
                    hours.FULL_DAY if hours.is_all_day(text) else hours.parse_intervals(text)
                )
            except ValueError:
                self.add_error(
                    f"day{day}", _("Write hours like 08:00-22:00 (several separated by commas).")
                )
        data["weekly"] = weekly
        return data

    @classmethod
    def initial_for(cls, station: Station) -> dict:
        schedule = station.schedule()
        initial = {"is_24h": station.is_24h}
        for day in range(7):
            initial[f"day{day}"] = hours.format_intervals(schedule.weekly[day])
        return initial


class ExceptionForm(forms.Form):
    WHEN = [("date", _("On a date")), ("holidays", _("On every statutory holiday"))]
    when = forms.ChoiceField(label=_("When"), choices=WHEN, initial="date")
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closed = forms.BooleanField(label=_("Closed all day"), required=False, initial=True)
    hours = forms.CharField(label=_("Special hours"), required=False, max_length=80)
    note = forms.CharField(label=_("Note"), required=False, max_length=120)

    def clean(self):
        data = super().clean()
        if data.get("when") == "date" and not data.get("date"):
            self.add_error("date", _("Choose the date."))
        data["intervals"] = ()
        if not data.get("closed"):
            try:
                data["intervals"] = hours.parse_intervals(data.get("hours") or "")
            except ValueError:
                self.add_error("hours", _("Write hours like 08:00-22:00."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Station file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class PhotoForm(forms.Form):
    # A plain file field: the photo is looked at once, by core.images, which refuses it
    # above the byte and pixel limits before decoding it (Django's ImageField would open it).
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic"}
        ),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=120)
