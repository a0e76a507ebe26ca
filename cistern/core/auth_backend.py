"""The authentication backend: Django's ModelBackend, reading a user's permissions in one query."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


class RoleBackend(ModelBackend):
    """Django's ModelBackend (password sign-in, the same permissions), reading a user's permissions, their
    own and their groups' (roles), in one query instead of two built by the ORM: every request that posts a
    payment asks for them (issue 11's 300 payments/s), and every page does."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(_permissions_sql(), [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{app}.{codename}" for app, codename in cursor.fetchall()}
        return user_obj._perm_cache


def _permissions_sql() -> str:
    User = get_user_model()
    own = User.user_permissions.through._meta.db_table
    member = User.groups.through._meta.db_table
    granted = Group.permissions.through._meta.db_table
    return (
        f"SELECT ct.app_label, p.codename FROM {Permission._meta.db_table} p "  # noqa: S608 (model tables)
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = %s "
        f"UNION SELECT g.permission_id FROM {granted} g JOIN {member} m ON m.group_id = g.group_id "
        "WHERE m.user_id = %s)"
    )
