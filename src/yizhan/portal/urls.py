from django.urls import path

from yizhan.portal import views

app_name = "portal"
urlpatterns = [
    path("staff/communities/", views.communities_view, name="communities"),
    path("staff/communities/<id:community_id>/", views.community_view, name="community"),
]

# Un-namespaced names every template uses.
root_urlpatterns = [
    path("", views.home_view, name="home"),
    path("privacy/", views.privacy_view, name="privacy"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("inbox/read/", views.inbox_read_view, name="inbox_read"),
    path("inbox/<id:notification_id>/", views.inbox_open_view, name="inbox_open"),
]
