"""The back office's view of the cases app. Personal data is masked here as on the site
(cases.presenters): the caller's name and number, and every mobile, ID number and name in a
mediation's parties and records. Cases and mediations change only through their steps."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.cases import services
from yizhan.cases.models import (
    Case,
    CaseEvent,
    Category,
    HotlineSource,
    Mediation,
    MediationSession,
    Symposium,
    TimeLimitType,
)
from yizhan.core.pii import mask_mobile, mask_name, mask_text


@admin.register(TimeLimitType)
class TimeLimitTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "working_days")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "default_department",
        "limit_type",
        "is_labour_dispute",
        "active",
    )
    list_filter = ("active", "default_department")
    list_editable = ("default_department", "limit_type", "active")


class HotlineSourceForm(forms.ModelForm):
    new_key = forms.CharField(
        label=_("New webhook key"),
        required=False,
        min_length=24,
        help_text=_(
            "Give the hotline centre this key; only its hash is kept. Leave empty to keep the current key."
        ),
    )

    class Meta:
        model = HotlineSource
        fields = ("code", "name", "active")


@admin.register(HotlineSource)
class HotlineSourceAdmin(admin.ModelAdmin):
    form = HotlineSourceForm
    list_display = ("code", "name", "active", "has_key")

    @admin.display(boolean=True, description=_("key set"))
    def has_key(self, obj):
        return bool(obj.key_hash)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("new_key"):
            services.hotline_source_set_key(source=obj, key=form.cleaned_data["new_key"])


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = (
        "at",
        "actor",
        "action",
        "from_state",
        "to_state",
        "department",
        "masked_note",
        "visibility",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("why / what"))
    def masked_note(self, obj):
        return mask_text(obj.note, names=[obj.case.person_name])


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only here: every change of a case goes through its steps, which keep the history."""

    list_display = ("id", "category", "state", "channel", "department", "created_at", "due_at")
    list_filter = ("state", "channel", "category", "department")
    search_fields = ("=id", "=source_order_no")
    inlines = [CaseEventInline]
    raw_id_fields = ("worker", "creator", "symposium", "employer")
    exclude = ("caller_name", "caller_mobile", "description", "reply")
    readonly_fields = ("caller", "masked_description", "masked_reply")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("caller"))
    def caller(self, obj):
        return f"{mask_name(obj.caller_name)} {mask_mobile(obj.caller_mobile)}".strip() or "—"

    @admin.display(description=_("description"))
    def masked_description(self, obj):
        return mask_text(obj.description, names=[obj.person_name])

    @admin.display(description=_("reply"))
    def masked_reply(self, obj):
        return mask_text(obj.reply, names=[obj.person_name])


class MediationSessionInline(admin.TabularInline):
    model = MediationSession
    extra = 0
    can_delete = False
    fields = ("held_at", "place", "masked_note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("record"))
    def masked_note(self, obj):
        return mask_text(obj.note, names=[obj.mediation.case.person_name])


@admin.register(Mediation)
class MediationAdmin(admin.ModelAdmin):
    """Read-only: the parties and records masked; the mediating officers read them in full
    on the case's mediation page, where the read is audited."""

    list_display = ("case", "outcome", "opened_at", "due_on", "mediator")
    list_filter = ("outcome",)
    fields = ("case", "masked_parties", "opened_at", "due_on", "outcome", "masked_outcome_note")
    readonly_fields = fields
    inlines = [MediationSessionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("parties"))
    def masked_parties(self, obj):
        return mask_text(obj.parties, names=[obj.case.person_name])

    @admin.display(description=_("outcome note"))
    def masked_outcome_note(self, obj):
        return mask_text(obj.outcome_note, names=[obj.case.person_name])


@admin.register(Symposium)
class SymposiumAdmin(admin.ModelAdmin):
    list_display = ("held_on", "place", "facilitator")
    fields = ("held_on", "place", "masked_attendees", "facilitator")
    readonly_fields = ("masked_attendees",)

    @admin.display(description=_("attendees"))
    def masked_attendees(self, obj):
        return mask_text(obj.attendees)
