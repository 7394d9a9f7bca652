"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Errors are always JSON with a `message` (and `detail` for field errors): 4xx for bad input,
never a 500 for something the client can fix.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes: a third smaller on a weak signal."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Yizhan API",
    version="1",
    description=(
        "The Yizhan (驿站) platform API for the workers' mobile app and partner systems. "
        "Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`."
    ),
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
)


def _field_path(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc):
    details = []
    for error in exc.errors:
        field = _field_path(error.get("loc", ()))
        message = error.get("msg", "invalid")
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        details.append({"field": field, "message": message})
    summary = "; ".join(
        f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details
    )
    return api.create_response(request, {"message": summary, "detail": details}, status=422)


@api.exception_handler(ValidationError)
def on_django_validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        details = [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        details = [{"field": "", "message": str(m)} for m in exc.messages]
    summary = "; ".join(
        f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details
    )
    return api.create_response(request, {"message": summary, "detail": details}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, {"message": "You may not do this."}, status=403)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(
        request, {"message": "Authentication required: send a valid bearer token."}, status=401
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"message": "Not found."}, status=404)


@api.get("/health", tags=["meta"], summary="Liveness check (also the trivial bench endpoint)")
def health(request):
    return {"status": "ok"}


def _register_routers():
    from yizhan.accounts.api import router as accounts_router
    from yizhan.cases.api import router as cases_router
    from yizhan.places.api import router as places_router
    from yizhan.points.api import router as points_router
    from yizhan.reports.api import router as reports_router
    from yizhan.stations.api import geo_router as stations_geo_router
    from yizhan.stations.api import router as stations_router

    api.add_router("/", accounts_router)
    api.add_router("/places", places_router)
    api.add_router("/reports", reports_router)
    api.add_router("/stations", stations_router)
    api.add_router("/", stations_geo_router)
    api.add_router("/cases", cases_router)
    api.add_router("/points", points_router)


_register_routers()
