from django.core.exceptions import PermissionDenied


def require(actor, permission: str) -> None:
    """Services call this, so the page, the API and a command refuse the same things."""
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied(f"You do not have permission to do this ({permission}).")
