import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cistern.api.models import ApiToken


class Command(BaseCommand):
    help = "Make a bearer token for USERNAME and print it once (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="What will use the token.")

    def handle(self, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None
        key = secrets.token_urlsafe(32)
        ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8])
        self.stdout.write(key)
