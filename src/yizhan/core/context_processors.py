from django.conf import settings

from yizhan.core.notifications import unread_count


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "MAP_TILE_CRS": settings.MAP_TILE_CRS,
        "UNREAD_NOTIFICATIONS": unread_count(getattr(request, "user", None)),
    }
