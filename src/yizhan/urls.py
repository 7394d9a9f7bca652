from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import include, path, re_path
from django.views.static import serve

from yizhan.api import api
from yizhan.core import views as core_views

# Roles and scopes are RoleAssignment rows; Django's groups would only confuse.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

urlpatterns = [
    path("", core_views.home_view, name="home"),
    path("privacy/", core_views.privacy_view, name="privacy"),
    path("inbox/", core_views.inbox_view, name="inbox"),
    path("inbox/read/", core_views.inbox_read_view, name="inbox_read"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("yizhan.accounts.urls")),
    path("", include("yizhan.places.urls")),
    path("", include("yizhan.reports.urls")),
    path("open311/v2/", include("yizhan.reports.open311.urls")),
    path("", include("yizhan.stations.urls")),
    path("cases/", include("yizhan.cases.urls")),
    path("", include("yizhan.points.urls")),
]

if settings.SERVE_MEDIA:  # the demo serves uploads itself; production uses nginx or S3
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
