from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from yizhan.api import api
from yizhan.core import views as core_views

urlpatterns = [
    path("", core_views.home_view, name="home"),
    path("privacy/", core_views.privacy_view, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("yizhan.accounts.urls")),
    path("", include("yizhan.places.urls")),
    path("", include("yizhan.points.urls")),
]

if settings.SERVE_MEDIA:  # the demo serves uploads itself; production uses nginx or S3
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
