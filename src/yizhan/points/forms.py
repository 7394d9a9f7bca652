"""Forms for the points pages: they shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.core.forms import picker_select_multiple
from yizhan.core.schema import BIGINT_MAX, INT_MAX
from yizhan.core.validators import validate_mobile
from yizhan.points.models import EarningRule, Sponsor, Wish
from yizhan.reports import selectors as report_selectors
from yizhan.stations import selectors as stations


class RedeemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=BIGINT_MAX)
    station = forms.IntegerField(label=_("Pick up at"), min_value=1, max_value=BIGINT_MAX)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class WishForm(forms.Form):
    title = forms.CharField(
        label=_("What do you wish for?"),
        max_length=80,
        help_text=_("For example: a helmet, rain gear, a meal voucher, a school bag for my child."),
    )
    details = forms.CharField(label=_("Details (optional)"), max_length=300, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Pick-up code"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "ABCD-EFGH",
            }
        ),
    )


class StationsField(forms.ModelMultipleChoiceField):
    """Pick-up stations chosen from a list with a search box (a city has a thousand: type part
    of the name or the code); the form sends their codes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Pick-up stations"))
        kwargs.setdefault(
            "help_text", _("Type part of a station's name or code to find it; choose one or more.")
        )
        super().__init__(
            queryset=stations.station_rows(),
            to_field_name="code",
            widget=picker_select_multiple(size=8),
            error_messages={
                "invalid_choice": _("No station has the code %(value)s."),
                "required": _("Choose at least one pick-up station."),
            },
            **kwargs,
        )

    def label_from_instance(self, station):
        return f"{station.name} ({station.code})"

    def clean(self, value):
        return list(super().clean(value))


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Item"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    price = forms.IntegerField(
        label=_("Price in points"), help_text=_("2 points or more."), max_value=INT_MAX
    )
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=INT_MAX)
    stations = StationsField()
    sponsor = forms.ModelChoiceField(
        label=_("Sponsor"),
        queryset=Sponsor.objects.all(),
        required=False,
        empty_label=_("None (the city's reward pool)"),
    )
    photo = forms.FileField(
        label=_("Product photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class ApproveForm(ItemForm):
    name = forms.CharField(label=_("Item"), max_length=80, required=False)
    description = None
    photo = None


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        widget=forms.RadioSelect,
        initial=Wish.Status.FULFILLED,
        choices=[
            (Wish.Status.FULFILLED, _("Fulfil directly")),
            (Wish.Status.DECLINED, _("Decline")),
        ],
    )
    text = forms.CharField(label=_("Answer to the worker"), max_length=300)


class RestockForm(forms.Form):
    add = forms.IntegerField(
        label=_("Add to stock"),
        help_text=_("Negative to withdraw."),
        min_value=-INT_MAX,
        max_value=INT_MAX,
    )


class GrantForm(forms.Form):
    mobile = forms.CharField(label=_("Worker's mobile number"), max_length=20)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=100_000)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data["mobile"])


class ReverseForm(forms.Form):
    posting = forms.IntegerField(label=_("Posting number"), min_value=1, max_value=BIGINT_MAX)
    reason = forms.CharField(label=_("Reason"), max_length=300)


def _report_categories():
    return [
        ("", _("Any hazard report")),
        *((c.code, c.label) for c in report_selectors.categories()),
    ]


class RuleForm(forms.ModelForm):
    # The report category by its name, from the list (not its code typed by hand).
    category = forms.ChoiceField(
        label=_("Report category"),
        required=False,
        choices=_report_categories,
        help_text=_("For hazard reports: the category this rule applies to; “any” for all."),
    )

    class Meta:
        model = EarningRule
        fields = [
            "code",
            "name",
            "source",
            "category",
            "rank",
            "points",
            "daily_cap",
            "monthly_cap",
            "active",
        ]
        help_texts = {"code": _("Letters, digits and dashes; it never changes once saved.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = EarningRule.Source.choices  # no "---------"


class LedgerFilterForm(forms.Form):
    month = forms.CharField(required=False)
    status = forms.CharField(required=False)
    station = forms.CharField(required=False)
