from django.urls import path

from yizhan.places import views

app_name = "places"
urlpatterns = [
    path("staff/communities/", views.my_communities_view, name="mine"),
    path("staff/communities/<int:community_id>/", views.community_view, name="community"),
]
