"""The back office: the city edits service types, routing rules and the settings; disclosures,
the index and workers' data are read here but changed only through the services (history
is never overwritten)."""

from django.contrib import admin

from yizhan.transparency.models import (
    CommissionCap,
    CommissionIndex,
    Config,
    Disclosure,
    RoutingRule,
    ServiceType,
)


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "platform_kind", "position", "active")
    list_filter = ("platform_kind", "active")
    list_editable = ("position", "active")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("platform_kind", "service_type", "department", "updated_at")
    list_filter = ("platform_kind", "department")


@admin.register(Config)
class ConfigAdmin(admin.ModelAdmin):
    list_display = ("__str__", "k_anonymity", "stale_after_days", "updated_at")

    def has_add_permission(self, request):
        return not Config.objects.exists()


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CapInline(admin.TabularInline):
    model = CommissionCap
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnly):
    list_display = (
        "platform",
        "version",
        "state",
        "effective_from",
        "published_at",
        "confirmed_at",
    )
    list_filter = ("state", "platform")
    inlines = [CapInline]


@admin.register(CommissionIndex)
class CommissionIndexAdmin(ReadOnly):
    list_display = (
        "platform",
        "service_type",
        "month",
        "published",
        "workers",
        "median_bp",
        "p90_bp",
        "cap_bp",
    )
    list_filter = ("published", "platform", "month")
