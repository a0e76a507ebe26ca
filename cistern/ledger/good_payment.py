"""The deposit's good-payment rule: when a deposit held for an account is credited back to it. Pure: plain
values in and out, no ORM.

An account in service at least `months` months by the day asked, with at most `max_late` late payments (late
fees charged and not reversed) in those months, and (when the district asks) no lock-off in them, has its
deposit credited to its balance. District settings give the figures (district.md: 24 months, 2, no lock-off).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

CREDIT = "credit"
TOO_NEW = "too_new"
TOO_MANY_LATE = "too_many_late"
LOCKED_OFF = "locked_off"
NOTHING_HELD = "nothing_held"


@dataclass(frozen=True)
class Rule:
    months: int
    max_late: int
    no_lockoff: bool

    def window_start(self, on: date) -> date:
        """The first day of the months the rule looks back over from `on`."""
        return on - relativedelta(months=self.months)


@dataclass(frozen=True)
class Standing:
    """What the books and the field say of one account over the rule's window."""

    started: date
    held: Decimal
    late_payments: int
    locked_off: bool


def decide(standing: Standing, rule: Rule, on: date) -> str:
    """CREDIT, or why not yet: NOTHING_HELD, TOO_NEW, TOO_MANY_LATE or LOCKED_OFF (in that order)."""
    if standing.held <= 0:
        return NOTHING_HELD
    if standing.started > rule.window_start(on):
        return TOO_NEW
    if standing.late_payments > rule.max_late:
        return TOO_MANY_LATE
    if rule.no_lockoff and standing.locked_off:
        return LOCKED_OFF
    return CREDIT
