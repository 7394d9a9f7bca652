from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.core.forms import picker_select
from yizhan.places import selectors as places
from yizhan.points.selectors import reward_for_report_category
from yizhan.reports.models import Category, RejectReason


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


class CategoryChoiceField(forms.ModelChoiceField):
    """Each hazard category with what a verified report of it earns (from the points rules)."""

    rewards: dict = {}

    def label_from_instance(self, category):
        points = reward_for_report_category(category.code, rewards=self.rewards)
        if not points:
            return category.label
        return _("%(name)s · %(points)s points") % {"name": category.label, "points": points}


class ReportForm(forms.Form):
    category = CategoryChoiceField(
        label=_("What is it?"),
        queryset=Category.objects.filter(active=True),
        empty_label=None,
        to_field_name="code",
    )
    photos = MultiplePhotoField(label=_("Photo"), required=False)
    description = forms.CharField(
        label=_("A few words (optional)"),
        help_text=_("Shown with the report on the public map: please no names or phone numbers."),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Not an input: where the service's error about the spot is shown, beside the map.
    location = forms.CharField(required=False, widget=forms.HiddenInput)
    # Where, without a map (or without JavaScript): a community from the list, or a place's
    # name; and, either way, the street address or spot in words.
    community = forms.ChoiceField(label=_("Or choose the community"), required=False)
    place = forms.CharField(
        label=_("Or a place's name nearby"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 中山桥, a station, a community")}),
    )
    address = forms.CharField(
        label=_("Street address or where exactly (optional)"),
        help_text=_("e.g. 张掖路 87 号 north gate, by the bus stop"),
        required=False,
        max_length=200,
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    crs = forms.ChoiceField(
        choices=[("wgs84", "wgs84"), ("gcj02", "gcj02"), ("bd09", "bd09")],
        initial="wgs84",
        required=False,  # a page without JavaScript sends none: the browser's own WGS-84
        widget=forms.HiddenInput,
    )
    use_photo_location = forms.BooleanField(
        label=_("Use the location stored in the photo (if my phone has no location fix)"),
        required=False,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, rewards: dict | None = None, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].rewards = rewards or {}
        self.fields["community"].choices = [("", _("— choose —")), *communities]

    def clean(self):
        # The hidden coordinates have no place on the page to show an error: a bad spot is
        # said once, beside the location, as the service says a missing one.
        cleaned = super().clean()
        if [self._errors.pop(name) for name in ("lat", "lng", "crs") if name in self._errors]:
            self.add_error("location", _("This spot is not a place on the map. Pick it again."))
        return cleaned


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(NoteForm):
    after_photo = forms.FileField(
        label=_("Photo after the fix"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class RejectForm(NoteForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectReason.choices)
    duplicate_of = forms.IntegerField(
        label=_("Original report number"), required=False, min_value=1
    )


def _transfer_targets():
    return [("", _("The city dispatcher")), *places.community_choices(value="code")]


class TransferForm(NoteForm):
    # A picker of the city's communities (by name, subdistrict or code), not a typed code.
    community_code = forms.ChoiceField(
        label=_("Transfer to"),
        required=False,
        choices=_transfer_targets,
        widget=picker_select(),
    )
