"""The back office for the city administrator. Personal data is masked here too; the
people pages (/staff/people/) reveal it with a reason, and that read is audited."""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from yizhan.accounts import services
from yizhan.accounts.models import ApiToken, RoleAssignment, User, WorkerProfile
from yizhan.core.audit import client_ip
from yizhan.core.errors import Invalid, Throttled
from yizhan.core.pii import blind_index, mask_id_number, mask_mobile, mask_name
from yizhan.core.validators import normalise_mobile, validate_mobile

logger = logging.getLogger("yizhan.security")


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The back office's login under the site's limits (accounts.services): each try counted
    before the password is checked, per (account, client), per client and per account."""

    def clean(self):
        mobile = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if mobile is None or not password:
            return self.cleaned_data
        ip = client_ip(self.request)
        try:
            attempt = services.login_attempt_begin(mobile=mobile, ip=ip)
        except Throttled as exc:
            raise forms.ValidationError(exc.message, code="throttled") from None
        self.user_cache = authenticate(self.request, username=mobile, password=password)
        if self.user_cache is None:
            logger.warning("back-office login failed for %s from %s", mask_mobile(mobile), ip)
            raise self.get_invalid_login_error()
        services.login_attempt_succeeded(attempt)
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = ThrottledAdminLoginForm


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
    # Searching by number is a POST (find_view): never in a URL, so never in an access log.
    change_list_template = "admin/accounts/user/change_list.html"
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

    def get_urls(self):
        find = self.admin_site.admin_view(self.find_view)
        return [path("find/", find, name="accounts_user_find"), *super().get_urls()]

    def find_view(self, request):
        """A user by their full mobile number, sent in a POST body; the search is audited."""
        changelist = reverse("admin:accounts_user_changelist")
        if request.method != "POST":
            return redirect(changelist)
        try:
            user = services.user_find_by_mobile(
                staff=request.user, mobile=request.POST.get("mobile", ""), request=request
            )
        except Invalid as exc:
            self.message_user(request, exc.field_errors()[0][1], level=messages.ERROR)
            return redirect(changelist)
        if user is None:
            self.message_user(request, _("No account has this mobile number."), messages.WARNING)
            return redirect(changelist)
        return redirect(reverse("admin:accounts_user_change", args=[user.pk]))


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
