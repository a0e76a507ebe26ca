"""API tokens are made and revoked here, audited: the command line, the admin and tests go through these."""

import secrets

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.permissions import require

from .models import ApiToken


class TokenError(Exception):
    """A token change that cannot be made; the message says why."""


def token_create(*, actor, user, name: str, reason: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for `user`: (the row, the key). The key is shown once and only its SHA-256 is kept.
    `actor` None is the operator at the server's command line (`manage.py create_api_token`)."""
    if actor is not None:
        require(actor, "api.add_apitoken")
    name = (name or "").strip()
    if not name:
        raise TokenError("Say what will use the token (e.g. 'AMI head-end').")
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise TokenError("The token's name is too long (at most 80 characters).")
    if not user.is_active:
        raise TokenError(f"{user.username} is not an active user.")
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8])
        audit_record(
            actor=actor, action="apitoken.create", obj=token,
            after={"user": user.username, "name": name, "prefix": token.prefix},
            reason=reason or "Token made",
        )  # fmt: skip
    return token, key


def token_revoke(*, actor, token: ApiToken, reason: str = "") -> ApiToken:
    """The token stops working at once. A revoked token stays listed (and audited); it is never revived."""
    if actor is not None:
        require(actor, "api.change_apitoken")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenError(f"Token {token.prefix}… was already revoked on {token.revoked_at:%m/%d/%Y}.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="apitoken.revoke", obj=token, before={"revoked_at": None},
            after={"revoked_at": token.revoked_at.isoformat()}, reason=reason or "Token revoked",
        )  # fmt: skip
    return token
