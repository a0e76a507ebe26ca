"""Actions other apps offer on a read exception (field work registers "send a re-read order"), so the review
queue can show them without metering importing the apps above it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExceptionAction:
    key: str
    label: str
    url_name: str  # reversed with the read's id: reverse(url_name, args=[read.pk]); POST
    permission: str


_actions: dict[str, ExceptionAction] = {}


def register(action: ExceptionAction) -> None:
    _actions[action.key] = action


def actions_for(user) -> list[ExceptionAction]:
    return [a for a in _actions.values() if user.has_perm(a.permission)]
