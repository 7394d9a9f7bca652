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
    readonly_fields = (
        "at",
        "actor",
        "action",
        "from_state",
        "to_state",
        "department",
        "note",
        "visibility",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only here: every change of a case goes through its steps, which keep the history."""

    list_display = ("id", "category", "state", "channel", "department", "created_at", "due_at")
    list_filter = ("state", "channel", "category", "department")
    search_fields = ("=id", "=source_order_no")
    inlines = [CaseEventInline]
    raw_id_fields = ("worker", "creator", "symposium", "employer")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(Symposium)
admin.site.register(Mediation)
admin.site.register(MediationSession)
