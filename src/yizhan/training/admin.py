"""Training and events in the back office (read mostly: changes go through the console)."""

from django.contrib import admin

from yizhan.training.models import Activity, Attendance, CourseWish, Enrolment, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("number", "starts_at", "ends_at", "reminded_at")
    readonly_fields = ("reminded_at",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "station", "taken", "capacity", "state")
    list_filter = ("kind", "state", "audience")
    search_fields = ("title",)
    raw_id_fields = ("organiser", "station", "owner_station")
    readonly_fields = ("taken", "series", "case_symposium_id", "cites")
    inlines = [SessionInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("activity", "status", "signed_up_at", "completed_at", "certificate_code")
    list_filter = ("status",)
    raw_id_fields = ("activity", "worker")
    readonly_fields = ("completed_at", "certificate_code")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("enrolment", "session", "checked_in_at", "checked_out_at", "method")
    raw_id_fields = ("enrolment", "session", "recorded_by")


@admin.register(CourseWish)
class CourseWishAdmin(admin.ModelAdmin):
    list_display = ("topic", "district", "created_at", "answered_by")
    list_filter = ("topic",)
    raw_id_fields = ("worker", "answered_by")
