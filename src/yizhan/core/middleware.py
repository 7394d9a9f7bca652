"""Headers Django's SecurityMiddleware does not set: a Content-Security-Policy (no inline
scripts, no third-party scripts) and a Permissions-Policy that allows only our own geolocation."""


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def csp() -> str:
        from yizhan.core.maps import tile_origins  # the configured basemap's tile servers

        tiles = "".join(f" {origin}" for origin in tile_origins())
        return (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{tiles}; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        # Everywhere, the back office and the API docs included: Django's admin and ninja's
        # bundled Swagger UI run without inline scripts.
        response.headers.setdefault("Content-Security-Policy", self.csp())
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self)")
        return response


class ServiceErrorMiddleware:
    """Pages that call a service outside a form: a refused step (Invalid, Conflict, Throttled)
    becomes a message on the page the person came from, not an error page. Forms show errors
    themselves with `core.forms.add_service_errors`; 403 and 404 go to their own pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.shortcuts import redirect, render

        from yizhan.core.errors import Conflict, Invalid, Throttled
        from yizhan.core.redirects import safe_target

        if request.path.startswith("/api/") or not isinstance(
            exception, Invalid | Conflict | Throttled
        ):
            return None
        if request.method == "POST":
            messages.error(request, str(exception.message))
            back = safe_target(request, request.META.get("HTTP_REFERER"), request.path)
            return redirect(back)
        return render(
            request,
            "core/error.html",
            {"status": exception.status, "message": exception.message},
            status=400 if isinstance(exception, Invalid) else exception.status,
        )


OWN_ERROR_FORMATS = ("/open311/",)


class NulByteMiddleware:
    """No text column holds a NUL character (PostgreSQL refuses it with an error, a 500 in the
    making), and no person types one. Refuse it at the edge, for every page and API field:
    query strings, form fields and JSON bodies, naming the field. File uploads are binary and
    are not looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(OWN_ERROR_FORMATS):
            return self.get_response(request)  # Open311 answers in GeoReport's own error format
        field = self._field_with_nul(request)
        if field is not None:
            return self._refuse(request, field)
        return self.get_response(request)

    @staticmethod
    def _in_pairs(pairs) -> str | None:
        for key, values in pairs:
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
        return None

    @classmethod
    def _in_json(cls, value, path="") -> str | None:
        if isinstance(value, str):
            return path if "\x00" in value else None
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = ((str(i), v) for i, v in enumerate(value))
        else:
            return None
        for key, item in items:
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where.replace("\x00", "")
            found = cls._in_json(item, where)
            if found is not None:
                return found
        return None

    @classmethod
    def _field_with_nul(cls, request) -> str | None:
        if "\x00" in request.path:
            return ""
        found = cls._in_pairs(request.GET.lists())
        if found is not None:
            return found
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            if content_type.startswith("application/json"):
                if request.path.startswith("/api/"):
                    return None  # the API's parser names the field (core.schema.YizhanParser)
                body = request.body
                if b"\\u0000" not in body.lower() and b"\x00" not in body:
                    return None
                import json

                try:
                    return cls._in_json(json.loads(body)) or ""
                except ValueError:
                    return ""
            if content_type.startswith(
                ("multipart/form-data", "application/x-www-form-urlencoded")
            ):
                if request.path.startswith("/api/"):
                    return None  # the API's parser names the declared field (YizhanParser)
                return cls._in_pairs(request.POST.lists())
        except Exception:  # noqa: BLE001 - an unreadable or too large body: Django's own limits answer
            return None
        return None

    @staticmethod
    def _refuse(request, field: str):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("The text contains a NUL character, which no form or field accepts.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "message": message,
                    "code": "invalid",
                    "detail": [{"field": field, "message": message}],
                },
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(request, "core/error.html", {"status": 400, "message": message}, status=400)


class ApiErrorShapeMiddleware:
    """Every error under /api/ has the API's one JSON shape, Django's own answers included: a
    URL that matches no operation (404), a method an operation does not take (405, `Allow`
    kept), a CSRF refusal (403), a crash (500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        return self._as_json(response)

    @staticmethod
    def _as_json(response):
        from django.http import JsonResponse
        from django.utils.translation import gettext_lazy as _

        from yizhan.core.errors import (
            Conflict,
            Invalid,
            NotAllowed,
            NotFound,
            Throttled,
            Unauthenticated,
            YizhanError,
        )
        from yizhan.core.schema import error_body

        status = response.status_code
        known = {
            400: Invalid,
            401: Unauthenticated,
            403: NotAllowed,
            404: NotFound,
            409: Conflict,
            422: Invalid,
            429: Throttled,
        }
        if status in known:
            error = known[status]()
        else:
            messages = {
                405: _("This operation does not take this method."),
                413: _("The request is too large."),
            }
            error = YizhanError(
                messages.get(status, _("Something went wrong on our side. Please try again."))
            )
            error.code = {405: "method_not_allowed", 413: "too_large"}.get(status, "error")
        shaped = JsonResponse(
            error_body(error), status=status, json_dumps_params={"ensure_ascii": False}
        )
        for header in ("Allow", "Retry-After", "Content-Security-Policy", "Permissions-Policy"):
            if header in response:
                shaped[header] = response[header]
        return shaped


class TextGZipMiddleware:
    """Pages and JSON compressed for a weak signal (the station finder: 112 KB → 15 KB);
    files, photos and already-compressed answers pass untouched. Django's gzip pads its
    output against BREACH, and CSRF tokens are masked per response."""

    TYPES = ("text/html", "application/json", "text/plain", "text/csv", "application/xml")

    def __init__(self, get_response):
        from django.middleware.gzip import GZipMiddleware

        self.get_response = get_response
        self.gzip = GZipMiddleware(get_response)

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if response.streaming or content_type not in self.TYPES:
            return response
        return self.gzip.process_response(request, response)
