from django.urls import path

from yizhan.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.my_cases_view, name="mine"),
    path("new/", views.case_new_view, name="new"),
    path("walk-in/", views.walk_in_view, name="walk_in"),
    path("queue/", views.dispatcher_queue_view, name="queue"),
    path("department/", views.department_queue_view, name="department_queue"),
    path("platform/", views.platform_queue_view, name="platform_queue"),
    path("metrics/", views.metrics_view, name="metrics"),
    path("metrics.xlsx", views.metrics_export_view, name="metrics_export"),
    path("import/", views.hotline_import_view, name="import"),
    path("symposia/", views.symposia_view, name="symposia"),
    path("symposia/<id:symposium_id>/", views.symposium_view, name="symposium"),
    path("<id:case_id>/", views.case_view, name="detail"),
    path(
        "<id:case_id>/attachments/<id:attachment_id>/",
        views.attachment_view,
        name="attachment",
    ),
    path("<id:case_id>/step/<str:step>/", views.case_step_view, name="step"),
    path("<id:case_id>/mediation/", views.mediation_view, name="mediation"),
    path("<id:case_id>/claim/", views.claim_view, name="claim"),
]
