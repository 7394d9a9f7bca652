from django.urls import path

from yizhan.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/new/", views.new_view, name="new"),
    path("reports/nearby/", views.nearby_view, name="nearby"),
    path("reports/mine/", views.mine_view, name="mine"),
    path("reports/public/", views.public_view, name="public"),
    path("reports/<id:report_id>/", views.detail_view, name="detail"),
    path("reports/<id:report_id>/accept/", views.accept_view, name="accept"),
    path("reports/<id:report_id>/start/", views.start_view, name="start"),
    path("reports/<id:report_id>/resolve/", views.resolve_view, name="resolve"),
    path("reports/<id:report_id>/reject/", views.reject_view, name="reject"),
    path("reports/<id:report_id>/transfer/", views.transfer_view, name="transfer"),
    path("reports/<id:report_id>/confirm/", views.confirm_view, name="confirm"),
    path("reports/<id:report_id>/reopen/", views.reopen_view, name="reopen"),
    path("reports/<id:report_id>/follow/", views.follow_view, name="follow"),
    path("staff/reports/", views.console_view, name="console"),
]
