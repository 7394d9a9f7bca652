"""Authentication by mobile number and password (the mobile is looked up by its keyed hash)."""

from django.contrib.auth.backends import ModelBackend

from yizhan.accounts.models import User
from yizhan.core.pii import blind_index
from yizhan.core.validators import normalise_mobile


class MobilePasswordBackend(ModelBackend):
    def authenticate(self, request, mobile=None, password=None, username=None, **kwargs):
        mobile = mobile or username
        if not mobile or password is None:
            return None
        try:
            user = User.objects.get(mobile_index=blind_index(normalise_mobile(mobile)))
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
