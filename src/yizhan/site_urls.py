"""Every page's URL: the whole site but the JSON API, which `yizhan.urls` adds in front.

Apart so that a process that only links to pages (`yizhan demo-load`, whose services reverse
page URLs for their notifications) need not build the API: that imports every app's routers
and schemas, about 0.6 s."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import include, path, re_path
from django.views.static import serve

from yizhan.portal.urls import root_urlpatterns as portal_root

# Roles and scopes are RoleAssignment rows; Django's groups would only confuse.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

urlpatterns = [
    *portal_root,
    path("", include("yizhan.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("yizhan.accounts.urls")),
    path("", include("yizhan.reports.urls")),
    path("open311/v2/", include("yizhan.reports.open311.urls")),
    path("", include("yizhan.stations.urls")),
    path("", include("yizhan.places.urls")),
    path("cases/", include("yizhan.cases.urls")),
    path("", include("yizhan.points.urls")),
    path("volunteering/", include("yizhan.volunteering.urls")),
    path("training/", include("yizhan.training.urls")),
    path("transparency/", include("yizhan.transparency.urls")),
    path("membership/", include("yizhan.membership.urls")),
    path("news/", include("yizhan.news.urls")),
]

if settings.SERVE_MEDIA:  # the demo serves uploads itself; production uses nginx or S3
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
