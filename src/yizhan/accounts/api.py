"""Account endpoints: tokens for the mobile app, and the person's own data."""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import field_validator

from yizhan.accounts import services
from yizhan.accounts.auth import bearer, token_or_session
from yizhan.accounts.permissions import roles
from yizhan.core.validators import validate_mobile

router = Router(tags=["accounts"])


class Message(Schema):
    message: str


class TokenIn(Schema):
    mobile: str
    password: str

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
    response={200: TokenOut, 401: Message, 429: Message, 422: Message},
    summary="Exchange mobile and password for an expiring bearer token",
    auth=None,
)
def token_create(request, payload: TokenIn):
    try:
        user = services.login_with_password(
            request=request, mobile=payload.mobile, password=payload.password
        )
    except services.LoginThrottled as exc:
        return Status(429, {"message": str(exc)})
    if user is None:
        return Status(401, {"message": "Wrong mobile number or password."})
    issued = services.api_token_issue(user=user)
    return Status(200, {"token": issued.token, "expires_at": issued.expires_at})


@router.delete(
    "/auth/token",
    response={204: None, 401: Message},
    summary="Revoke the token this request is made with",
    auth=bearer,
)
def token_revoke(request):
    token = request.headers.get("Authorization", "").split(" ", 1)[-1]
    services.api_token_revoke(token=token)
    return Status(204, None)


@router.get(
    "/me",
    response={200: MeOut, 401: Message},
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
    response={200: dict, 401: Message},
)
def me_export(request):
    return services.my_data_export(user=request.auth, request=request)
