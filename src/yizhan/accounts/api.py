"""Account endpoints: tokens for the mobile app, and the person's own data. Refusals are
`yizhan.core.errors`, answered in the API's one error shape (`core.schema.ErrorOut`)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import field_validator

from yizhan.accounts import services
from yizhan.accounts.auth import bearer, token_or_session
from yizhan.accounts.permissions import roles
from yizhan.core.errors import Unauthenticated
from yizhan.core.schema import ERRORS, READ_ERRORS, ErrorOut
from yizhan.core.validators import validate_mobile

router = Router(tags=["accounts"])


class TokenIn(Schema):
    mobile: str = Field(..., max_length=30)
    password: str = Field(..., max_length=200)

    @field_validator("password")
    @classmethod
    def password_printable(cls, value):
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("mobile")
    @classmethod
    def mobile_valid(cls, value):
        try:
            return validate_mobile(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime


class MeOut(Schema):
    id: int
    name: str
    mobile: str
    roles: list[str]
    worker_kind: str | None = None
    home_district: str | None = None


@router.post(
    "/auth/token",
    response={200: TokenOut, **ERRORS},
    summary="Exchange mobile and password for an expiring bearer token",
    auth=None,
)
def token_create(request, payload: TokenIn):
    user = services.login_with_password(
        request=request, mobile=payload.mobile, password=payload.password
    )  # Throttled (429, with Retry-After) when there were too many failures
    if user is None:
        raise Unauthenticated(_("Wrong mobile number or password."))
    issued = services.api_token_issue(user=user)
    return Status(200, {"token": issued.token, "expires_at": issued.expires_at})


@router.delete(
    "/auth/token",
    response={204: None, 401: ErrorOut},
    summary="Revoke the token this request is made with",
    auth=bearer,
)
def token_revoke(request):
    token = request.headers.get("Authorization", "").split(" ", 1)[-1]
    services.api_token_revoke(token=token)
    return Status(204, None)


@router.get(
    "/me",
    response={200: MeOut, **READ_ERRORS},
    summary="The authenticated person's own account (unmasked: it is theirs)",
    auth=token_or_session,
)
def me(request):
    user = request.auth
    worker = getattr(user, "worker", None)
    return {
        "id": user.id,
        "name": user.name,
        "mobile": user.mobile,
        "roles": sorted(roles(user)),
        "worker_kind": worker.kind if worker else None,
        "home_district": worker.home_district.name if worker else None,
    }


@router.get(
    "/me/export",
    summary="Everything Yizhan holds about the authenticated person (PIPL data portability)",
    auth=token_or_session,
    response={200: dict, **READ_ERRORS},
)
def me_export(request):
    return services.my_data_export(user=request.auth, request=request)
