"""`manage.py create_supervisor USERNAME`: the district's first real user, with the Supervisor role (who then
adds the others in the admin). The password comes from CISTERN_SUPERVISOR_PASSWORD, or is asked twice at the
terminal; it must pass the district's password rules. Audited."""

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cistern.core import roles
from cistern.core.audit import audit_record

PASSWORD_ENV = "CISTERN_SUPERVISOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a user with the Supervisor role (and the admin site). The password is read from "
        f"{PASSWORD_ENV} or asked at the terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def _password(self) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(f"Set {PASSWORD_ENV}, or run this at a terminal to be asked the password.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password

    def handle(self, username, first_name, last_name, email, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("username: give the supervisor's user name.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"username: a user {username!r} exists already.")
        user = User(username=username, first_name=first_name, last_name=last_name, email=email, is_staff=True)
        password = self._password()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("password: " + " ".join(exc.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
            audit_record(
                actor=None, action="user.create", obj=user, reason="manage.py create_supervisor",
                after={"username": username, "role": roles.SUPERVISOR, "is_staff": True},
            )  # fmt: skip
        self.stdout.write(f"Supervisor {username} created: sign in at /login/.")
