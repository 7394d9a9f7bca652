from django.contrib import admin

from yizhan.reports.models import Category, Open311Key, Report, ReportEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "department",
        "photo_required",
        "response_days",
        "active",
    )
    list_editable = ("response_days", "active")


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "from_state", "to_state", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "category",
        "state",
        "community",
        "department",
        "created_at",
        "due_at",
        "photo_reused",
    )
    list_filter = ("state", "category", "photo_reused")
    date_hierarchy = "created_at"
    raw_id_fields = ("reporter", "community", "department", "duplicate_of")
    readonly_fields = [f.name for f in Report._meta.fields]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "active", "created_at")
    readonly_fields = ("prefix", "created_at")
    fields = ("name", "prefix", "active", "created_at")

    def has_add_permission(self, request):
        return False  # keys are made with `yizhan open311-key create`, which shows the key once
