"""The service order's life as a transition table. Pure: plain strings in, plain strings out, no ORM.

    open -> scheduled -> dispatched -> completed -> closed
    void (with a reason) from any state before completed

A scheduled or dispatched order can be rescheduled (back to scheduled); completing a scheduled order is
allowed, so a technician who picks up an order before the dispatcher pressed "dispatch" can still finish it.
"""

OPEN = "open"
SCHEDULED = "scheduled"
DISPATCHED = "dispatched"
COMPLETED = "completed"
CLOSED = "closed"
VOIDED = "voided"

STATUSES = [OPEN, SCHEDULED, DISPATCHED, COMPLETED, CLOSED, VOIDED]

SCHEDULE = "schedule"
DISPATCH = "dispatch"
COMPLETE = "complete"
CLOSE = "close"
VOID = "void"

# (from status, action) -> to status. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, SCHEDULE): SCHEDULED,
    (SCHEDULED, SCHEDULE): SCHEDULED,
    (DISPATCHED, SCHEDULE): SCHEDULED,
    (SCHEDULED, DISPATCH): DISPATCHED,
    (SCHEDULED, COMPLETE): COMPLETED,
    (DISPATCHED, COMPLETE): COMPLETED,
    (COMPLETED, CLOSE): CLOSED,
    (OPEN, VOID): VOIDED,
    (SCHEDULED, VOID): VOIDED,
    (DISPATCHED, VOID): VOIDED,
}

# Orders still waiting for the field (what the board, duplicates checks and the account panel call open).
ACTIVE = frozenset({OPEN, SCHEDULED, DISPATCHED})
FINISHED = frozenset({COMPLETED, CLOSED, VOIDED})

_VERBS = {
    SCHEDULE: "scheduled",
    DISPATCH: "dispatched",
    COMPLETE: "completed",
    CLOSE: "closed",
    VOID: "voided",
}


class TransitionRefused(Exception):
    def __init__(self, status: str, action: str):
        self.status = status
        self.action = action
        super().__init__(f"An order that is {status} cannot be {_VERBS.get(action, action)}.")


def next_status(status: str, action: str) -> str:
    """The status after `action`, or TransitionRefused."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionRefused(status, action) from None


def allowed_actions(status: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]


def can(status: str, action: str) -> bool:
    return (status, action) in TRANSITIONS
