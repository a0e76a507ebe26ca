"""An account's status on a day. Pure: plain values in and out, no ORM.

Stopping service records the stop at once (the account's status becomes final, its end date the stop date:
the final read order, the move-in of the next customer and the final bill all work from that record). But
the customer is in service until that date: an account is final on its stop date, not before. Billing reads
it the same way (an account stopped after a period's end is billed for the period as active), so every
page asks this module rather than showing the stored status.
"""

from datetime import date

STOPPED = ("final", "closed")  # AccountStatus.FINAL and CLOSED, as stored
ACTIVE = "active"


def status_on(status: str, end_date: date | None, day: date) -> str:
    """The account's status on `day`: active until its stop date when the stop is recorded ahead of it."""
    if status in STOPPED and end_date is not None and day < end_date:
        return ACTIVE
    return status


def stop_scheduled(status: str, end_date: date | None, day: date) -> date | None:
    """The stop date when the stop is recorded and still ahead of `day`, else None."""
    if status in STOPPED and end_date is not None and day < end_date:
        return end_date
    return None
