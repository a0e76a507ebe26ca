"""The home page's work queues: what waits for the signed-in user, each with its count and its page.

Core imports no app above it. Each app that keeps a queue (approvals, read exceptions, accounts not billed,
follow-ups) registers a `WorkQueue` at start-up (its `ready()`), as account-page panels are registered
(core/panels.py); the home page asks every queue the user has the permission for.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

# Where each queue goes on the home page, top to bottom.
QUEUE_ORDER = [
    "cases", "adjustments", "bill_cancellations", "drawers_to_audit", "drawers_to_deposit", "refunds_to_approve",
    "refunds_to_export", "write_offs", "leak_relief", "lockoff_lists", "bill_runs", "read_exceptions",
    "accounts_not_billed", "follow_ups", "lockbox_suspense", "returned_mail", "high_usage", "callbacks", "uncovered_slots",
    "office_checklist", "my_orders",
]  # fmt: skip


@dataclass(frozen=True)
class WorkQueue:
    key: str
    title: str  # "Adjustments to approve"
    permission: str  # the queue's page needs it; the home page shows the queue only with it
    count: Callable  # (user) -> int: what waits for this user; None: not this user's queue
    url_name: str  # the queue's page
    hint: str = ""  # one line on what the queue is


@dataclass(frozen=True)
class QueueCount:
    queue: WorkQueue
    count: int


_queues: dict[str, WorkQueue] = {}


def register(queue: WorkQueue) -> None:
    if queue.key not in QUEUE_ORDER:
        raise ValueError(f"Give work queue {queue.key!r} a place in QUEUE_ORDER")
    _queues[queue.key] = queue


def queues_for(user) -> list[QueueCount]:
    """The queues `user` may open, in page order, each with what waits in it for them."""
    found = []
    for key in QUEUE_ORDER:
        queue = _queues.get(key)
        if queue is None or not user.has_perm(queue.permission):
            continue
        count = queue.count(user)
        if count is not None:
            found.append(QueueCount(queue, count))
    return found


def fingerprint(found: list[QueueCount]) -> str:
    """What the counts are, in a few characters: the home page's refresh answers "no change" (204) when the page
    already shows these counts, so a screen reader hears the list again only when something moved."""
    text = ";".join(f"{q.queue.key}={q.count}" for q in found)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def get(key: str) -> WorkQueue | None:
    """The registered queue `key` (its title, page, permission and count), or None when no app registered it."""
    return _queues.get(key)
