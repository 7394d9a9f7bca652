from django.contrib import admin

from yizhan.orgs.models import Department, Employer, Platform


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind")
    search_fields = ("name", "code")


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "platform", "district")
    list_filter = ("platform", "district")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("platform",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)
