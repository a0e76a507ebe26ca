"""Work that belongs to one person (a case's owner, a call to return, a technician's order): a lead sees each
team member's items and hands them to someone else. Core imports no app above it: each app that keeps owned work
registers an `AssignableWork` at start-up (its apps.ready()), as queues are registered (core/queues.py).

The contract:
    register(AssignableWork(...))
    work_kinds() -> list[AssignableWork]
    kind.items_for(user) -> list[AssignedItem]          what `user` owns and has not finished
    kind.reassign(actor=, item_id=, to_user=, reason=)  the app's audited service; raises PermissionDenied or the
                                                        app's error (a message a clerk can act on)
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


_kinds: dict[str, AssignableWork] = {}


def register(kind: AssignableWork) -> None:
    _kinds[kind.key] = kind


def work_kinds() -> list[AssignableWork]:
    return list(_kinds.values())


def get(key: str) -> AssignableWork:
    return _kinds[key]
