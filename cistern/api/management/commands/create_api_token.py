from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cistern.api import services


class Command(BaseCommand):
    help = (
        "Make a bearer token for USERNAME and print it once (only its hash is kept). The token is audited; "
        "machines (AMI head-ends, the payment processor, the IVR) get users with the Integration role."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="What will use the token.")
        parser.add_argument("--reason", default="", help="Why the token is made (kept in the audit trail).")

    def handle(self, username, name, reason, **options):
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None
        try:
            _, key = services.token_create(
                actor=None, user=user, name=name, reason=reason or "manage.py create_api_token"
            )
        except services.TokenError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(key)
