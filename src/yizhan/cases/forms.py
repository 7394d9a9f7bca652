"""Forms of the case pages: they shape input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yizhan.cases.models import Case, Category, HotlineSource
from yizhan.core.validators import validate_mobile
from yizhan.orgs import selectors as orgs

MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to three photos (JPEG, PNG) or PDF files of up to 5 MB each, sniffed by content."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        files = (
            [f for f in (data or []) if f]
            if isinstance(data, list | tuple)
            else ([data] if data else [])
        )
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most 3 files."))
        for f in files:
            if f.size > MAX_FILE_BYTES:
                raise forms.ValidationError(_("Each file must be smaller than 5 MB."))
            head = f.read(8)
            f.seek(0)
            if not head.startswith(_SIGNATURES):
                raise forms.ValidationError(_("Attach photos (JPEG, PNG) or PDF files only."))
        return files


class CategoryChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Category.objects.filter(active=True), label=_("What is it about?"), **kwargs
        )


class CaseForm(forms.Form):
    category = CategoryChoice(empty_label=None)
    description = forms.CharField(
        label=_("Describe your demand"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, since when, with whom (employer, station, platform)."),
    )
    platform = forms.ModelChoiceField(
        label=_("Platform concerned"),
        queryset=orgs.platforms(),
        required=False,
        empty_label=_("My own platform / none"),
    )
    withhold_identity = forms.BooleanField(
        label=_("Do not reveal my identity to the platform or employer concerned"), required=False
    )
    attachments = AttachmentsField(label=_("Photos or documents (optional)"))


class WalkInForm(forms.Form):
    mobile = forms.CharField(
        label=_("Worker's mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("If the worker has an account, the case is linked to it."),
    )
    name = forms.CharField(label=_("Worker's name"), max_length=40, required=False)
    category = CategoryChoice(empty_label=None)
    description = forms.CharField(
        label=_("The demand"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    platform = forms.ModelChoiceField(
        label=_("Platform concerned"),
        queryset=orgs.platforms(),
        required=False,
        empty_label=_("None / not known"),
    )
    withhold_identity = forms.BooleanField(
        label=_("Do not reveal the worker's identity to the platform or employer"), required=False
    )
    attachments = AttachmentsField(label=_("Photos or documents (optional)"))

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data["mobile"])


class SymposiumForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=120)
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SymposiumDemandForm(forms.Form):
    category = CategoryChoice(empty_label=None)
    description = forms.CharField(
        label=_("The demand"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    mobile = forms.CharField(
        label=_("Worker's mobile number (optional)"), max_length=20, required=False
    )
    name = forms.CharField(label=_("Worker's name (optional)"), max_length=40, required=False)

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        return validate_mobile(value) if value.strip() else ""


class ImportForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Hotline"), queryset=HotlineSource.objects.filter(active=True), empty_label=None
    )
    file = forms.FileField(
        label=_("Export file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=_("Up to 5 MB and 20,000 work orders."),
    )
    check_only = forms.BooleanField(label=_("Only check, do not import"), required=False)

    def clean_file(self):
        from yizhan.cases.hotline import MAX_BYTES
        from yizhan.core.uploads import UploadRejected, read_limited

        upload = self.cleaned_data["file"]
        try:
            upload.content = read_limited(upload, max_bytes=MAX_BYTES)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class QueueFilterForm(forms.Form):
    """The queue's filters as the page draws them; the selector reads the values itself and
    ignores what does not parse."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open (all states but closed)")), *Case.State.choices],
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=orgs.departments(),
        required=False,
        empty_label=_("All departments"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Case.Channel.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    urged = forms.BooleanField(label=_("Urged only"), required=False)
    q = forms.CharField(
        label=_("Case or hotline order number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": _("Case or hotline order number"), "type": "search"}
        ),
    )
