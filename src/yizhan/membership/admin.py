"""The back office for the city administrator: organisations, officers, registries and the
registry log (read-only). Memberships are not here: they are sensitive and belong to the
organisations' own consoles."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.membership.models import GridAppointment, Officer, Organisation, Registry, RegistryQuery


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "kind",
        "district",
        "accepts_members",
        "ack_working_days",
        "active",
    ]
    list_filter = ["family", "kind", "active"]
    search_fields = ["name", "code"]
    readonly_fields = ["family", "path"]
    raw_id_fields = ["parent", "district", "subdistrict", "community", "station"]
    inlines = [OfficerInline]

    def has_add_permission(self, request):
        return False  # created on the console, where the tree path is kept

    def has_delete_permission(self, request, obj=None):
        return False


class RegistryForm(forms.ModelForm):
    """Secrets are write-only: left empty, the stored value stays."""

    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https", max_length=300)
    secret = forms.CharField(
        label=_("signing secret"), required=False, widget=forms.PasswordInput(render_value=False)
    )
    match_key = forms.CharField(
        label=_("matching key"), required=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = Registry
        fields = [
            "code",
            "name",
            "department",
            "kind",
            "question",
            "csv_path",
            "url",
            "key_id",
            "secret",
            "match_key",
            "timeout_seconds",
            "active",
        ]

    def clean(self):
        data = super().clean()
        for name in ("secret", "match_key"):
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(self.instance, name)
        return data


@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    form = RegistryForm
    list_display = ["name", "code", "kind", "question", "department", "active"]
    list_filter = ["kind", "active"]


@admin.register(RegistryQuery)
class RegistryQueryAdmin(admin.ModelAdmin):
    list_display = ["at", "question", "department", "asked_by", "purpose", "rows", "yes", "channel"]
    list_filter = ["question", "channel", "department"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GridAppointment)
class GridAppointmentAdmin(admin.ModelAdmin):
    list_display = ["community", "grid", "state", "started_at", "ended_at"]
    list_filter = ["state"]
    raw_id_fields = ["roster", "community", "user", "proposed_by"]
