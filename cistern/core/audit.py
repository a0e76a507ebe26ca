"""The audit trail: every service that changes data records who, what, before/after and why."""

import datetime
import decimal
import json
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from .models import AuditEvent


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """Field values of `obj` in a form the trail can keep (JSON)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        out[name] = _plain(value)
    return out


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that changed (or all of `after` for a new object)."""
    keys = list(after) + [key for key in before if key not in after]
    return {
        key: [before.get(key), after.get(key)]
        for key in keys
        if key not in before or key not in after or before[key] != after[key]
    }


def audit_event(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    account_id: int | None = None,
) -> AuditEvent:
    """An audit row, not yet saved (for a writer that saves several in one statement)."""
    return AuditEvent(
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        account_id=account_id,
        changes=diff(before or {}, after or {}),
        reason=reason,
    )


def audit_record(**fields) -> AuditEvent:
    """Record one audit row now (fields as `audit_event` takes them)."""
    event = audit_event(**fields)
    event.save(force_insert=True)
    return event


AUDIT_COLUMNS = [
    "created_at", "actor_id", "action", "object_type", "object_id", "object_repr", "account_id", "changes", "reason",
]  # fmt: skip


def audit_rows(events: Iterable[AuditEvent]) -> list[tuple]:
    """Unsaved audit rows (`audit_event`) as `AUDIT_COLUMNS` values, stamped now, for `core.bulk`'s writers:
    a busy writer (posting a payment) writes them with its own rows."""
    now = timezone.now()
    return [
        (now, e.actor_id, e.action, e.object_type, e.object_id, e.object_repr, e.account_id, json.dumps(e.changes),
         e.reason)
        for e in events
    ]  # fmt: skip
