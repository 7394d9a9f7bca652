from django.contrib import admin

from yizhan.stations.models import (
    Amenity,
    HoursException,
    ImportJob,
    OpeningHours,
    Station,
    StationAmenity,
    StationPhoto,
    StationVisit,
)


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "icon", "sort")
    list_editable = ("sort",)
    search_fields = ("code", "name", "name_en")


class OfferInline(admin.TabularInline):
    model = StationAmenity
    extra = 0


class HoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ExceptionInline(admin.TabularInline):
    model = HoursException
    extra = 0


class PhotoInline(admin.TabularInline):
    model = StationPhoto
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "community", "is_24h", "temp_status", "confirmed_at")
    list_filter = ("kind", "is_24h", "temp_status")
    search_fields = ("name", "code", "address")
    raw_id_fields = ("community",)
    inlines = [OfferInline, HoursInline, ExceptionInline, PhotoInline]


@admin.register(StationVisit)
class StationVisitAdmin(admin.ModelAdmin):
    list_display = ("station", "at", "method")
    list_filter = ("method",)
    raw_id_fields = ("station", "worker")
    date_hierarchy = "at"


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "filename",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "created_at",
    )
    exclude = ("content",)
    readonly_fields = ("created_by", "filename", "file_format", "status", "errors")
