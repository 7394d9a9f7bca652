"""Headers Django's SecurityMiddleware does not set: a Content-Security-Policy (no inline
scripts, no third-party scripts) and a Permissions-Policy that allows only our own geolocation."""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        tiles = settings.MAP_TILE_URL
        tile_origin = ""
        if tiles.startswith("http"):
            tile_origin = " " + "/".join(tiles.split("/")[:3]).replace("{s}.", "*.")
        self.csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{tile_origin}; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(("/api/v1/docs", "/admin/")):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        return response
