from django.urls import path

from yizhan.portal import dashboard_views as dash
from yizhan.portal import views

app_name = "portal"
urlpatterns = [
    path("staff/communities/", views.communities_view, name="communities"),
    path("staff/communities/<id:community_id>/", views.community_view, name="community"),
    path("dashboard/", dash.dashboard_view, name="dashboard"),
    path("dashboard/monthly/", dash.monthly_list_view, name="dashboard_monthly"),
    path(
        "dashboard/monthly/<id:report_id>/",
        dash.monthly_report_view,
        name="dashboard_monthly_report",
    ),
    path("dashboard/planning/", dash.planning_view, name="dashboard_planning"),
    path("dashboard/planning/run/", dash.planning_run_view, name="dashboard_planning_run"),
    path("dashboard/planning/import/", dash.planning_import_view, name="dashboard_planning_import"),
    path("dashboard/<slug:section>/", dash.dashboard_view, name="dashboard_section"),
]

# Un-namespaced names every template uses.
root_urlpatterns = [
    path("", views.home_view, name="home"),
    path("privacy/", views.privacy_view, name="privacy"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("inbox/read/", views.inbox_read_view, name="inbox_read"),
    path("inbox/<id:notification_id>/", views.inbox_open_view, name="inbox_open"),
]
