"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Errors are always JSON with a `message` (and `detail` for field errors): 4xx for bad input,
never a 500 for something the client can fix. Three edges make that hold for every app's
operations without each router repeating it:

- the body parser (`YizhanParser`): a body that is not a JSON object is a 422 (a bare string
  must not be read as an object through its attributes), and a text value with a NUL
  character fails its field's validation with a message naming the field;
- the OpenAPI document says so: every string an operation takes excludes NUL (`pattern`);
- `core.middleware.ApiErrorShapeMiddleware` gives Django's own answers under /api/ (no such
  URL, method not allowed, CSRF, a crash) the same JSON shape.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from yizhan.core.errors import (
    Invalid,
    NotAllowed,
    NotFound,
    Throttled,
    Unauthenticated,
    YizhanError,
    as_yizhan_error,
)
from yizhan.core.schema import (
    BODY_NOT_AN_OBJECT,
    NUL_MESSAGE,
    NulText,
    YizhanParser,
    declare_no_nul,
    error_body,
)


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes: a third smaller on a weak signal."""

    json_dumps_params = {"ensure_ascii": False}


class YizhanAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_no_nul(schema)
        return schema

    def validation_error_from_error_contexts(self, error_contexts):
        error = super().validation_error_from_error_contexts(error_contexts)
        # ninja drops each error's input; keep the one fact we need from it.
        inputs = [
            isinstance(e.get("input"), NulText)
            for context in error_contexts
            for e in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, nul in zip(error.errors, inputs, strict=False):
            item["nul"] = nul
        return error


api = YizhanAPI(
    title="Yizhan API",
    version="1",
    description=(
        "The Yizhan (驿站) platform API for the workers' mobile app and partner systems. "
        "Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. "
        'Every error is JSON of one shape: `{"message", "code", "detail": [{"field", '
        '"message"}]}` with 401, 403, 404, 409, 422 or 429; creation answers 201 with the '
        "object; create operations take an `Idempotency-Key` so retries are safe."
    ),
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
    parser=YizhanParser(),
)


def _field_path(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts)


def _respond(request, error: YizhanError):
    response = api.create_response(request, error_body(error), status=error.status)
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "invalid"))
        if error.get("nul"):
            message = str(NUL_MESSAGE)
        elif message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        fields.setdefault(_field_path(error.get("loc", ())), []).append(message)
    top = fields.pop("", None)
    summary = "; ".join(f"{name}: {'; '.join(msgs)}" for name, msgs in fields.items())
    return _respond(request, Invalid(top[0] if top else summary or None, fields=fields))


@api.exception_handler(YizhanError)
def on_service_error(request, exc):
    return _respond(request, exc)


@api.exception_handler(ValidationError)
def on_django_validation_error(request, exc):
    return _respond(request, as_yizhan_error(exc))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _respond(request, NotAllowed())


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _respond(request, NotFound())


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _respond(request, Unauthenticated())


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if exc.status_code == 400:  # ninja: "Cannot parse request body"
        return _respond(request, Invalid(BODY_NOT_AN_OBJECT))
    error = YizhanError(str(exc))
    error.status = exc.status_code
    return _respond(request, error)


@api.get("/health", tags=["meta"], summary="Liveness check (also the trivial bench endpoint)")
def health(request):
    return {"status": "ok"}


def _register_routers():
    from yizhan.accounts.api import router as accounts_router
    from yizhan.cases.api import router as cases_router
    from yizhan.membership.api import router as membership_router
    from yizhan.news.api import router as news_router
    from yizhan.places.api import router as places_router
    from yizhan.points.api import router as points_router
    from yizhan.portal.api import router as dashboard_router
    from yizhan.reports.api import router as reports_router
    from yizhan.stations.api import geo_router as stations_geo_router
    from yizhan.stations.api import router as stations_router
    from yizhan.training.api import router as training_router
    from yizhan.transparency.api import router as transparency_router
    from yizhan.volunteering.api import router as volunteering_router

    api.add_router("/", accounts_router)
    api.add_router("/places", places_router)
    api.add_router("/reports", reports_router)
    api.add_router("/stations", stations_router)
    api.add_router("/", stations_geo_router)
    api.add_router("/cases", cases_router)
    api.add_router("/points", points_router)
    api.add_router("/volunteering", volunteering_router)
    api.add_router("/training", training_router)
    api.add_router("/transparency", transparency_router)
    api.add_router("/membership", membership_router)
    api.add_router("/news", news_router)
    api.add_router("/dashboard", dashboard_router)


_register_routers()
