"""What a start of service takes from the address and the calendar. Pure: plain values in and out, no ORM.

A premise's occupancy decides the relationship the clerk starts from: a rental (or vacation rental) is let
to a tenant, an owner-occupied house is the owner's. A commercial premise may be either, so the clerk says
which. A start date the office is closed (weekend, holiday, closure day) is warned about, not refused: the
water can be on in the customer's name that day, but nobody turns it on until the office opens.
"""

from datetime import date

from cistern.core.calendar import BusinessCalendar

from .models import AccountRelationship, OccupancyType

DEFAULT_RELATIONSHIP: dict[str, str | None] = {
    OccupancyType.OWNER_OCCUPIED: AccountRelationship.OWNER,
    OccupancyType.RENTAL: AccountRelationship.TENANT,
    OccupancyType.VACATION_RENTAL: AccountRelationship.TENANT,
    OccupancyType.COMMERCIAL: None,  # leased or owned: the clerk asks
}


def default_relationship(occupancy: str) -> str | None:
    """The relationship a start at a premise of this occupancy defaults to (None: the clerk must choose)."""
    return DEFAULT_RELATIONSHIP.get(occupancy)


def closed_day_warning(day: date, calendar: BusinessCalendar) -> str | None:
    """Why the office is closed on `day` and when it opens next, or None when it is open."""
    if calendar.is_business_day(day):
        return None
    why = calendar.holiday_name(day) or day.strftime("%A")
    opens = calendar.next_business_day(day)
    return (
        f"{day:%m/%d/%Y} is a day the office is closed ({why}). The turn-on will wait for the next business "
        f"day, {opens:%A %m/%d/%Y}."
    )
