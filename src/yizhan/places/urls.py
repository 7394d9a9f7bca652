from django.urls import path

from yizhan.places import views

app_name = "places"
urlpatterns = [
    path("maps/<slug:version>/<slug:name>.json", views.map_layer_view, name="map_layer"),
    path("places/search/", views.search_view, name="search"),
]
