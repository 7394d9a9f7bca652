"""The URLs: the JSON API at /api/v1/, then every page (`yizhan.site_urls`)."""

from django.urls import path

from yizhan.api import api
from yizhan.site_urls import urlpatterns as site

urlpatterns = [path("api/v1/", api.urls), *site]
