"""Forms of the transparency pages: they turn typed text into integers (fen, basis points,
minutes); the services decide what is allowed and say why not."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.transparency import links, selectors
from yizhan.transparency.models import ScorecardAnswer, ServiceType
from yizhan.transparency.money import AmountError, percent_to_bp
from yizhan.transparency.statements import MAX_BYTES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YuanField(forms.CharField):
    """Yuan with at most two decimals → fen (an int, possibly negative: the service says
    what is wrong with a negative amount, so the page and the API say the same thing)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in (None, ""):
            return None
        text = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in yuan, like 25.80.")) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= 10**11:
            raise forms.ValidationError(_("Enter an amount in yuan, like 25.80."))
        return int(amount * 100)


class HoursField(forms.CharField):
    """Hours with at most two decimals → minutes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in (None, ""):
            return None
        try:
            hours = Decimal(text.strip())
        except InvalidOperation:
            raise forms.ValidationError(_("Enter hours, like 8.5.")) from None
        if not hours.is_finite() or abs(hours) > 10_000:
            raise forms.ValidationError(_("Enter hours, like 8.5."))
        return int((hours * 60).to_integral_value())


class PlatformField(forms.TypedChoiceField):
    def __init__(self, *, choices=None, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.choices = choices or []  # set by the form: no query at import time


class ServiceTypeField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=ServiceType.objects.filter(active=True), **kwargs)

    def label_from_instance(self, obj):
        return obj.name


def _platform_choices(worker):
    return [(p.pk, p.name) for p in selectors.worker_platform_choices(worker)]


class OrderForm(forms.Form):
    platform = PlatformField(label=_("Platform"))
    service_type = ServiceTypeField(label=_("Service"), empty_label=None)
    completed_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    fare = YuanField(label=_("Fare paid by the customer (yuan)"))
    payout = YuanField(label=_("Your payout (yuan)"))
    order_no = forms.CharField(label=_("Order number (optional)"), required=False, max_length=64)
    screenshot = forms.FileField(
        label=_("Screenshot as evidence (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = _platform_choices(worker)


class StatementForm(forms.Form):
    platform = PlatformField(label=_("Platform"))
    file = forms.FileField(
        label=_("Earnings statement (CSV or Excel)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        help_text=_("Exported from the platform's app: UTF-8 or GBK CSV, or .xlsx."),
    )
    screenshot = forms.FileField(
        label=_("Screenshot as evidence (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = _platform_choices(worker)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}
            )
        return upload


class WorkDayForm(forms.Form):
    platform = PlatformField(label=_("Platform"))
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    online = HoursField(label=_("Online (hours)"))
    driving = HoursField(label=_("Driving or delivering (hours)"))

    def __init__(self, *args, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = _platform_choices(worker)


class DisclosureForm(forms.Form):
    """A new version: one cap field per service type of the platform's kind."""

    effective_from = forms.DateField(label=_("In force from"), widget=DATE_INPUT)
    pricing_rules = forms.CharField(
        label=_("Pricing rules"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pay_standards = forms.CharField(
        label=_("Pay standards for workers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_continuous_minutes = forms.IntegerField(
        label=_("Maximum continuous online time (minutes)"), required=False
    )
    forced_rest_minutes = forms.IntegerField(
        label=_("Forced rest after it (minutes)"), required=False
    )
    max_daily = HoursField(label=_("Maximum online time per day (hours)"))
    max_weekly = HoursField(label=_("Maximum online time per week (hours)"))
    injury_insurance = forms.CharField(
        label=_("Occupational-injury insurance"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    appeal_channel = forms.CharField(
        label=_("Deactivation appeal channel"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, platform=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_types = list(selectors.service_types(kind=platform.kind))
        caps = {c.service_type_id: c.cap_bp for c in current.caps.all()} if current else {}
        for st in self.service_types:
            initial = caps.get(st.pk)
            self.fields[f"cap_{st.code}"] = forms.CharField(
                label=_("Commission cap, %(service)s (%%)") % {"service": st.name},
                required=False,
                max_length=10,
                initial=f"{initial / 100:g}" if initial is not None else "",
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        if current and not self.is_bound:
            for name in ("pricing_rules", "pay_standards", "injury_insurance", "appeal_channel"):
                self.fields[name].initial = getattr(current, name)
            self.fields["max_continuous_minutes"].initial = current.max_continuous_minutes
            self.fields["forced_rest_minutes"].initial = current.forced_rest_minutes
            for name, minutes in (
                ("max_daily", current.max_daily_minutes),
                ("max_weekly", current.max_weekly_minutes),
            ):
                self.fields[name].initial = f"{minutes / 60:g}" if minutes else ""

    def cap_fields(self):
        return [self[f"cap_{st.code}"] for st in self.service_types]

    def other_fields(self):
        return [f for f in self if not f.name.startswith("cap_")]

    def clean(self):
        data = super().clean()
        caps = []
        for st in self.service_types:
            text = (data.get(f"cap_{st.code}") or "").strip()
            if not text:
                continue
            try:
                caps.append((st.pk, percent_to_bp(text)))
            except AmountError:
                self.add_error(f"cap_{st.code}", _("Enter a percentage, like 25 or 25.5."))
        data["caps"] = caps
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("What must be corrected"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    principle = forms.ChoiceField(label=_("Principle"), choices=ScorecardAnswer.Principle.choices)
    text = forms.CharField(
        label=_("The platform's answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseStatementForm(forms.Form):
    text = forms.CharField(
        label=_("The platform's statement"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("It becomes part of the case history, seen by the worker and the city."),
    )


class ConfigForm(forms.Form):
    k_anonymity = forms.IntegerField(label=_("Minimum distinct workers (k)"))
    stale_after_days = forms.IntegerField(label=_("Stale after (days)"))


class RouteForm(forms.Form):
    platform_kind = forms.ChoiceField(label=_("Platform kind"))
    service_type = ServiceTypeField(label=_("Service (empty: all)"), required=False)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)

    def __init__(self, *args, **kwargs):
        from yizhan.orgs.selectors import PlatformKind

        super().__init__(*args, **kwargs)
        self.fields["platform_kind"].choices = PlatformKind.choices
        self.fields["department"].choices = [(d.pk, d.name) for d in links.departments()]


class IndexForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

    def clean_month(self):
        try:
            first = dt.date.fromisoformat(f"{self.cleaned_data['month']}-01")
        except ValueError:
            raise forms.ValidationError(_("Choose a month.")) from None
        return first
