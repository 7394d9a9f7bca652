from django.contrib import admin

from yizhan.places.models import Community, District, Landmark, Subdistrict


class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    readonly_fields = ("centroid_lat", "centroid_lng")

    def save_model(self, request, obj, form, change):
        obj.set_boundary(obj.boundary)  # validates and derives the box and centroid
        super().save_model(request, obj, form, change)


@admin.register(District)
class DistrictAdmin(AreaAdmin):
    pass


@admin.register(Subdistrict)
class SubdistrictAdmin(AreaAdmin):
    list_display = ("name", "code", "district")
    list_filter = ("district",)


@admin.register(Community)
class CommunityAdmin(AreaAdmin):
    list_display = ("name", "code", "subdistrict")
    list_filter = ("subdistrict__district",)
    list_select_related = ("subdistrict",)


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin):
    """One landmark at a time; a list is imported with `yizhan landmarks-import FILE.csv`."""

    list_display = ("name", "code", "kind", "active")
    list_filter = ("active", "kind")
    search_fields = ("name", "code", "initials", "pinyin")
    readonly_fields = ("initials", "pinyin")

    def save_model(self, request, obj, form, change):
        from yizhan.places.text import readings

        obj.initials, obj.pinyin = readings(obj.name)
        super().save_model(request, obj, form, change)
