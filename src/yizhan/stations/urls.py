from django.urls import path

from yizhan.stations import views

app_name = "stations"
urlpatterns = [
    path("stations/", views.finder_view, name="finder"),
    path("stations/map/<slug:version>.json", views.map_layer_view, name="map_layer"),
    path("stations/<slug:code>/", views.station_view, name="detail"),
    path("stations/<slug:code>/check-in/", views.check_in_view, name="check_in"),
    path("staff/stations/", views.staff_home_view, name="staff"),
    path("staff/stations/city/", views.city_view, name="city"),
    path("staff/stations/import/", views.import_view, name="import"),
    path("staff/stations/import/<id:job_id>/", views.import_job_view, name="import_job"),
    path(
        "staff/stations/export.xlsx", views.export_view, {"file_format": "xlsx"}, name="export_xlsx"
    ),
    path("staff/stations/export.csv", views.export_view, {"file_format": "csv"}, name="export_csv"),
    path("staff/stations/<slug:code>/", views.console_view, name="console"),
    path("staff/stations/<slug:code>/status/", views.status_view, name="status"),
    path("staff/stations/<slug:code>/amenities/", views.amenities_view, name="amenities"),
    path("staff/stations/<slug:code>/hours/", views.hours_view, name="hours"),
    path("staff/stations/<slug:code>/exceptions/", views.exception_add_view, name="exception_add"),
    path(
        "staff/stations/<slug:code>/exceptions/<id:exception_id>/delete/",
        views.exception_delete_view,
        name="exception_delete",
    ),
    path("staff/stations/<slug:code>/confirm/", views.confirm_view, name="confirm"),
    path("staff/stations/<slug:code>/photos/", views.photo_view, name="photo"),
    path("staff/stations/<slug:code>/qr/", views.qr_view, name="qr"),
    path("staff/stations/<slug:code>/stats/", views.stats_view, name="stats"),
]
