"""Membership forms: they parse and bound what people type; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.membership.models import Family, Officer, Organisation

REASON = forms.CharField(
    label=_("Reason"),
    max_length=300,
    widget=forms.TextInput(attrs={"autocomplete": "off"}),
    help_text=_("The person concerned will read it."),
)


class ApplyForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I agree, separately from the privacy notice, that Yizhan processes my membership "
            "of this organisation: it is sensitive personal information, encrypted, seen only "
            "by the organisation's officers and me, and I can withdraw this consent at any time."
        ),
        required=False,
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)


class ReasonForm(forms.Form):
    reason = REASON


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full name and mobile number?"),
        max_length=300,
        help_text=_("Your reading is recorded in the audit log with this reason."),
    )


class AppointForm(forms.Form):
    mobile = forms.CharField(label=_("Worker's mobile number"), max_length=20)
    grid = forms.CharField(
        label=_("Grid"),
        max_length=100,
        required=False,
        help_text=_(
            "Empty: the whole community. Or name a part, e.g. Grid 3, north of Donggang Road."
        ),
    )


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("Letters, digits and dashes.")
    )
    ack_working_days = forms.IntegerField(
        label=_("Working days to acknowledge a check-in"), min_value=1, max_value=30, initial=5
    )
    station_code = forms.CharField(
        label=_("Station code"),
        max_length=20,
        required=False,
        help_text=_("Optional: tie it to a station."),
    )


class OfficerForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number of the person"), max_length=20)
    post = forms.ChoiceField(label=_("Post"), choices=Officer.Post.choices)


class RegistryForm(forms.Form):
    question = forms.ChoiceField(label=_("Question"))
    organisation = forms.TypedChoiceField(
        label=_("Organisation (for membership questions)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        help_text=_("The law, regulation or agreement that allows this check."),
    )
    id_numbers = forms.CharField(
        label=_("ID numbers, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=_("…or a CSV or text file (first column)"),
        required=False,
        help_text=_("Up to 100,000 rows and 4 MB."),
    )

    def __init__(self, *args, questions=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = list(questions)
        self.fields["organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > 4 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 4 MB."))
        return upload

    def id_list(self) -> list[str]:
        rows = [
            line for line in self.cleaned_data.get("id_numbers", "").splitlines() if line.strip()
        ]
        upload = self.cleaned_data.get("file")
        if upload:
            text = upload.read().decode("utf-8-sig", errors="replace")
            for line in text.splitlines():
                first = line.split(",")[0].strip().strip('"')
                if first and not first.lower().startswith(("id", "身份证")):
                    rows.append(first)
        return rows


class FamilyForm(forms.Form):
    family = forms.ChoiceField(choices=Family.choices, required=False)
