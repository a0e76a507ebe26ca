from django.core.management.base import BaseCommand, CommandError

from cistern.api import services
from cistern.api.models import ApiToken


class Command(BaseCommand):
    help = (
        "Revoke the API token whose first characters are PREFIX (as listed in admin); audited. "
        "A prefix starting with '-' goes after '--': revoke_api_token -- -Ab3xY9q"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "prefix", help="The token's first characters (admin lists them), or the whole token."
        )
        parser.add_argument("--reason", default="", help="Why (kept in the audit trail).")

    def handle(self, prefix, reason, **options):
        prefix = prefix.strip()
        if len(prefix) > 8:  # the whole token was given
            found = list(ApiToken.objects.filter(key_hash=ApiToken.hash_key(prefix)))
        else:
            found = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
        if not found:
            raise CommandError(f"No live token starts with {prefix[:8]!r}.")
        if len(found) > 1:
            raise CommandError(f"{len(found)} live tokens start with {prefix!r}; give the whole token.")
        try:
            token = services.token_revoke(
                actor=None, token=found[0], reason=reason or "manage.py revoke_api_token"
            )
        except services.TokenError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Revoked {token}.")
