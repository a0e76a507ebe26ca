from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken

LAST_USED_EVERY = timedelta(seconds=60)  # a token's last use is written at most once a minute


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` made by `manage.py create_api_token USERNAME`."""

    def authenticate(self, request, token):
        # The token's user in one written-out query (every API request asks it; building it with the ORM took
        # longer than answering it), with whether the token's last use is older than a minute.
        User = get_user_model()
        now = timezone.now()
        users = User.objects.raw(
            f"SELECT u.*, t.id AS token_id, (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale "  # noqa: S608
            f"FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active",
            [connection.ops.adapt_datetimefield_value(now - LAST_USED_EVERY), ApiToken.hash_key(token)],
        )
        user = next(iter(users), None)
        if user is None:
            return None
        if user.token_stale:
            ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
        request.user = user
        return user


def require_perm(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(f"This token's user may not do this ({permission}).")
