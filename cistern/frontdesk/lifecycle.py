"""A case's life as a transition table. Pure: plain strings in, plain strings out, no ORM.

    open -> escalated to CSS II -> escalated to Supervisor
    open / escalated -> resolved -> reopened -> (escalated ...) -> resolved ...

Escalation moves a case up one level (CSS I -> CSS II -> Supervisor) and leaves it untaken at that level until
someone there takes it. Assigning (a lead hands the case to someone) and notifying the customer of the
resolution keep the status; they are actions of the table too, so services and templates ask one place.
"""

OPEN = "open"
CSS_II = "css2"
SUPERVISOR = "supervisor"
RESOLVED = "resolved"
REOPENED = "reopened"

STATUSES = [OPEN, CSS_II, SUPERVISOR, RESOLVED, REOPENED]
LABELS = {
    OPEN: "Open",
    CSS_II: "Escalated to CSS II",
    SUPERVISOR: "Escalated to Supervisor",
    RESOLVED: "Resolved",
    REOPENED: "Reopened",
}

ESCALATE = "escalate"
ASSIGN = "assign"
RESOLVE = "resolve"
NOTIFY = "notify"
REOPEN = "reopen"

# (from status, action) -> to status. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, ESCALATE): CSS_II,
    (REOPENED, ESCALATE): CSS_II,
    (CSS_II, ESCALATE): SUPERVISOR,
    (OPEN, ASSIGN): OPEN,
    (REOPENED, ASSIGN): REOPENED,
    (CSS_II, ASSIGN): CSS_II,
    (SUPERVISOR, ASSIGN): SUPERVISOR,
    (OPEN, RESOLVE): RESOLVED,
    (REOPENED, RESOLVE): RESOLVED,
    (CSS_II, RESOLVE): RESOLVED,
    (SUPERVISOR, RESOLVE): RESOLVED,
    (RESOLVED, NOTIFY): RESOLVED,
    (RESOLVED, REOPEN): REOPENED,
}

ACTIVE = frozenset({OPEN, CSS_II, SUPERVISOR, REOPENED})

# Who works a case in each status: its level.
LEVEL_CSS_I = "CSS I"
LEVEL_CSS_II = "CSS II"
LEVEL_SUPERVISOR = "Supervisor"
LEVELS = {OPEN: LEVEL_CSS_I, REOPENED: LEVEL_CSS_I, CSS_II: LEVEL_CSS_II, SUPERVISOR: LEVEL_SUPERVISOR}

_VERBS = {
    ESCALATE: "escalated",
    ASSIGN: "assigned",
    RESOLVE: "resolved",
    NOTIFY: "notified",
    REOPEN: "reopened",
}


class TransitionRefused(Exception):
    def __init__(self, status: str, action: str):
        self.status = status
        self.action = action
        what = LABELS.get(status, status).lower()
        if action == ESCALATE and status == SUPERVISOR:
            text = "This case is already at the Supervisor: there is no level above."
        elif action == NOTIFY:
            text = f"The customer is told of a resolution: this case is {what}, resolve it first."
        else:
            text = f"A case that is {what} cannot be {_VERBS.get(action, action)}."
        super().__init__(text)


def next_status(status: str, action: str) -> str:
    """The status after `action`, or TransitionRefused."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionRefused(status, action) from None


def can(status: str, action: str) -> bool:
    return (status, action) in TRANSITIONS


def allowed_actions(status: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status]


def level(status: str) -> str:
    """Who works a case in `status` ("" once resolved)."""
    return LEVELS.get(status, "")
