from django.contrib import admin

from yizhan.stations.models import Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "community")
    list_filter = ("kind",)
    search_fields = ("name", "code", "address")
    raw_id_fields = ("community",)
