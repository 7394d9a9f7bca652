"""`yizhan create-admin --mobile M`: a city administrator (back office + all city pages).
The password comes from YIZHAN_ADMIN_PASSWORD or is asked for."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yizhan.accounts.models import Role, User
from yizhan.accounts.services import role_assign
from yizhan.core.validators import validate_mobile


class Command(BaseCommand):
    help = "Create a city administrator."

    def add_arguments(self, parser):
        parser.add_argument("--mobile", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args, mobile, name, **options):
        try:
            mobile = validate_mobile(mobile)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        password = os.environ.get("YIZHAN_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("The password needs at least 8 characters.")
        try:
            User.objects.get_by_mobile(mobile)
        except User.DoesNotExist:
            pass
        else:
            raise CommandError("An account with this mobile number already exists.")
        user = User.objects.create_superuser(mobile, password, name=name)
        role_assign(user=user, role=Role.CITY_ADMIN)
        self.stdout.write(f"City administrator {user.masked_mobile} created.")
