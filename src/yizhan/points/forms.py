"""Forms for the points pages: they shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.core.schema import BIGINT_MAX, INT_MAX
from yizhan.core.validators import validate_mobile
from yizhan.points.models import EarningRule, Sponsor, Wish
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


class StationCodesField(forms.CharField):
    """Station codes separated by commas or spaces (a city has a thousand stations)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Pick-up stations"))
        kwargs.setdefault(
            "help_text", _("Station codes separated by commas, e.g. LZ00001, LZ00002.")
        )
        super().__init__(max_length=2000, **kwargs)

    def clean(self, value):
        codes = [
            c
            for c in (super().clean(value) or "").replace("，", ",").replace(",", " ").split()
            if c
        ]
        found = list(stations.station_rows(codes=codes))
        unknown = sorted(set(codes) - {s.code for s in found})
        if unknown:
            raise forms.ValidationError(
                _("Unknown station codes: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        if not found:
            raise forms.ValidationError(_("Choose at least one pick-up station."))
        return found


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Item"), max_length=80)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    price = forms.IntegerField(
        label=_("Price in points"), help_text=_("2 points or more."), max_value=INT_MAX
    )
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=INT_MAX)
    stations = StationCodesField()
    sponsor = forms.ModelChoiceField(
        label=_("Sponsor"), queryset=Sponsor.objects.all(), required=False
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
        choices=[
            (Wish.Status.FULFILLED, _("Fulfil directly")),
            (Wish.Status.DECLINED, _("Decline")),
        ]
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


class RuleForm(forms.ModelForm):
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


class LedgerFilterForm(forms.Form):
    month = forms.CharField(required=False)
    status = forms.CharField(required=False)
    station = forms.CharField(required=False)
