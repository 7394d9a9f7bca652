"""API authentication: `Authorization: Bearer <token>` from POST /api/v1/auth/token,
or the page session (ninja then checks CSRF)."""

from ninja.security import HttpBearer, django_auth

from yizhan.accounts import services


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = services.api_token_user(token=token)
        if user is not None:
            request.user = user
        return user


bearer = BearerToken()
token_or_session = [bearer, django_auth]
