"""The site's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from yizhan.urls import urlpatterns as site


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [*site, path("boom/", boom)]
