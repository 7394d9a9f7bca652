"""The back office for the city administrator. Personal data is masked here too; the
people pages (/staff/people/) reveal it with a reason, and that read is audited."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.accounts.models import ApiToken, RoleAssignment, User, WorkerProfile
from yizhan.core.pii import blind_index, mask_id_number, mask_name
from yizhan.core.validators import normalise_mobile, validate_mobile


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    # Pickers that search by name or code, not ids typed by hand.
    autocomplete_fields = ("station", "community", "department", "platform", "district")


class UserCreationForm(forms.ModelForm):
    new_mobile = forms.CharField(label=_("Mobile number"), validators=[validate_mobile])
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("name", "is_staff", "language")

    def clean_new_mobile(self):
        mobile = normalise_mobile(self.cleaned_data["new_mobile"])
        if User.objects.filter(mobile_index=blind_index(mobile)).exists():
            raise forms.ValidationError(_("An account with this mobile number already exists."))
        return mobile

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_mobile(self.cleaned_data["new_mobile"])
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("masked_name", "masked_mobile", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "role_assignments__role")
    search_fields = ("mobile_index",)
    search_help_text = _("Search by the full mobile number.")
    fields = ("masked_name", "masked_mobile", "is_active", "is_staff", "language", "date_joined")
    readonly_fields = ("masked_name", "masked_mobile", "date_joined")
    inlines = [RoleAssignmentInline]
    ordering = ("-date_joined",)

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj):
        return obj.masked_mobile

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UserCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("new_mobile", "password", "name", "is_staff", "language")
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_search_results(self, request, queryset, search_term):
        if search_term:
            index = blind_index(normalise_mobile(search_term))
            return queryset.filter(mobile_index=index), False
        return queryset, False


@admin.register(WorkerProfile)
class WorkerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "platform", "home_district", "masked_id", "consent_version")
    list_filter = ("kind", "platform", "home_district")
    list_select_related = ("user", "platform", "home_district")
    fields = (
        "user",
        "kind",
        "platform",
        "employer",
        "home_district",
        "masked_id",
        "consent_version",
        "consent_at",
        "erased_at",
    )
    readonly_fields = ("user", "masked_id", "consent_version", "consent_at", "erased_at")
    autocomplete_fields = ("employer",)

    @admin.display(description=_("resident ID number"))
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    def has_add_permission(self, request):
        return False  # workers register themselves, with their consent


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at")
    fields = list_display
    readonly_fields = ("prefix", "user", "created_at", "expires_at", "last_used_at")

    def has_add_permission(self, request):
        return False
