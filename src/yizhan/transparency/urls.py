from django.urls import path

from yizhan.transparency import views

app_name = "transparency"
urlpatterns = [
    # public, no login
    path("", views.index_view, name="index"),
    path("p/<slug:code>/", views.platform_view, name="platform"),
    # the worker's check (查一查)
    path("check/", views.check_view, name="check"),
    path("check/statement/", views.upload_view, name="upload"),
    path(
        "check/<slug:platform_code>/<slug:service_code>/<str:start>/",
        views.week_view,
        name="week",
    ),
    path(
        "check/<slug:platform_code>/<slug:service_code>/<str:start>/dispute/",
        views.dispute_view,
        name="dispute",
    ),
    path("hours/", views.hours_view, name="hours"),
    # the platform representative's console
    path("console/", views.console_view, name="console"),
    path("console/file/", views.console_file_view, name="console_file"),
    path("console/confirm/", views.console_confirm_view, name="console_confirm"),
    path("console/answer/", views.console_answer_view, name="console_answer"),
    path("console/cases/<id:case_id>/", views.console_case_view, name="console_case"),
    # the city's review, the dispatcher's routing
    path("review/", views.review_view, name="review"),
    path("review/<id:disclosure_id>/", views.review_detail_view, name="review_detail"),
    path("review/<id:disclosure_id>/publish/", views.review_publish_view, name="review_publish"),
    path("review/<id:disclosure_id>/reject/", views.review_reject_view, name="review_reject"),
    path("review/index/", views.review_index_view, name="review_index"),
    path("review/settings/", views.review_settings_view, name="review_settings"),
    path("review/routes/", views.review_routes_view, name="review_routes"),
    path("disputes/", views.disputes_view, name="disputes"),
    path("disputes/<id:dispute_id>/route/", views.dispute_route_view, name="dispute_route"),
]
