from django.contrib import admin

from yizhan.places.models import Community, District, Subdistrict


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
