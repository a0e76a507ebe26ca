from datetime import date

from ninja import Router, Schema, Status

from cistern.collections import selectors
from cistern.core import clock

from .customers import _account
from .errors import BadValue, Error

router = Router(tags=["collections"])

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class RuleOut(Schema):
    rule: str
    passed: bool
    detail: str


class EligibilityOut(Schema):
    allowed: bool
    earliest_date: date | None
    trace: list[RuleOut]


def _day(value: str | None) -> date:
    if value is None or value == "":
        return clock.today()
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadValue("on", "on: must be a date written YYYY-MM-DD")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadValue("on", f"on: must be between {FIRST_DAY:%m/%d/%Y} and {LAST_DAY:%m/%d/%Y}")
    return day


@router.get("/accounts/{number}/shutoff-eligibility", response={200: EligibilityOut, 400: Error, 404: Error})
def shutoff_eligibility(request, number: str, on: str | None = None):
    """Whether the shutoff policy (SB 998) allows water to be shut off at the account for nonpayment on `on`
    (YYYY-MM-DD, default today), the earliest day it could be on the facts known (`null`: none), and each rule
    checked with its outcome, the same decision the lock-off list and field work's lock-off guard use."""
    account = _account(request, number, "collections.view_notice")
    if isinstance(account, Status):
        return account
    day = _day(on)
    decision = selectors.decision_for(account, day)
    return EligibilityOut(
        allowed=decision.shutoff_allowed,
        earliest_date=decision.earliest_shutoff,
        trace=[RuleOut(rule=c.rule, passed=c.passed, detail=c.detail) for c in decision.trace],
    )
