"""Work that belongs to one person (a case's owner, a call to return, a technician's order): a lead sees each
team member's items and hands them to someone else. Core imports no app above it: each app that keeps owned work
registers an `AssignableWork` at start-up (its apps.ready()), as queues are registered (core/queues.py).

The contract:
    register(AssignableWork(...))
    work_kinds() -> list[AssignableWork]
    kind.items_for(user) -> list[AssignedItem]          what `user` owns and has not finished
    kind.reassign(actor=, item_id=, to_user=, reason=)  the app's audited service; raises PermissionDenied or the
                                                        app's error (a message a clerk can act on)
Extended (optional, with defaults):
    kind.errors: tuple of exception classes             the app's domain errors: the team page shows their message
                                                        (anything else is a bug and is not caught)
    kind.assignees() -> queryset of users | None        who may take this kind of work (e.g. only field
                                                        technicians); None: any active member of the team
    unregister(key)                                     tests that register a kind of their own take it away again
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AssignedItem:
    id: int
    label: str  # "Case 2026-0042: billing dispute, account 1000-0012-3"
    url: str
    due_on: date | None = None


@dataclass(frozen=True)
class AssignableWork:
    key: str  # "cases"
    title: str  # "Cases"
    permission: str  # who may reassign this kind of work
    items_for: Callable  # (user) -> list[AssignedItem]
    reassign: Callable  # (*, actor, item_id, to_user, reason) -> None
    errors: tuple[type[Exception], ...] = ()  # the app's domain errors, shown to the lead as a message
    assignees: Callable | None = None  # () -> queryset of the users who may take it; None: the whole team


_kinds: dict[str, AssignableWork] = {}


def register(kind: AssignableWork) -> None:
    _kinds[kind.key] = kind


def unregister(key: str) -> None:
    _kinds.pop(key, None)


def work_kinds() -> list[AssignableWork]:
    return list(_kinds.values())


def get(key: str) -> AssignableWork:
    return _kinds[key]


def team_members():
    """The active people of the district's roles (not the machines: a user whose only role is Integration), by
    name: whom a lead sees on the team page and can hand work to."""
    from django.contrib.auth import get_user_model

    from . import roles

    people = [r for r in roles.ROLES if r != roles.INTEGRATION]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=people)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
