from django.urls import path

from yizhan.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("trips/<id:pk>/", views.trip_view, name="trip"),
    path("trips/<id:pk>/<slug:step>/", views.trip_step_view, name="trip_step"),
    path("availability/", views.availability_view, name="availability"),
    path(
        "availability/<id:pk>/remove/", views.availability_remove_view, name="availability_remove"
    ),
    path("free-now/", views.free_now_view, name="free_now"),
    path("hours/", views.hours_view, name="hours"),
    path("hours.xlsx", views.hours_export_view, name="hours_export"),
    path("confirm/", views.confirm_view, name="confirm"),
    path("console/", views.console_view, name="console"),
    path("console/solve/", views.solve_view, name="solve"),
    path("console/plans/<id:pk>/publish/", views.publish_view, name="publish"),
    path("console/requests/<id:pk>/pin/", views.pin_view, name="pin"),
    path("console/requests/<id:pk>/cancel/", views.cancel_view, name="cancel"),
    path("console/requests/<id:pk>/urgent/", views.urgent_view, name="urgent"),
    path("console/trips/<id:pk>/call/", views.call_view, name="call"),
    path("console/book/", views.book_view, name="book"),
    path("console/beneficiaries/", views.beneficiaries_view, name="beneficiaries"),
    path("console/beneficiaries/<id:pk>/", views.beneficiary_view, name="beneficiary"),
    path(
        "console/beneficiaries/<id:pk>/erase/",
        views.beneficiary_erase_view,
        name="beneficiary_erase",
    ),
    path("console/teams/", views.teams_view, name="teams"),
    path("console/hours.xlsx", views.hours_all_export_view, name="hours_all_export"),
    path("console/campaigns/", views.campaigns_view, name="campaigns"),
    path("console/campaigns/<id:pk>/", views.campaign_view, name="campaign"),
]
