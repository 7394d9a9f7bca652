from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yizhan.core import workdays
from yizhan.core.models import AuditLog, Notification, WorkdayOverride

admin.site.site_header = _("Yizhan back office")
admin.site.site_title = _("Yizhan back office")
admin.site.index_title = _("City administration")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "subject_type", "subject_id", "fields", "reason", "ip")
    list_filter = ("action", "subject_type")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # append-only


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        workdays.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workdays.clear_cache()


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "verb", "text", "read_at")
    list_filter = ("verb",)
    raw_id_fields = ("recipient",)
