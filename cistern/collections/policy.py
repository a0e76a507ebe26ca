"""The collection policy of the Water Shutoff Protection Act (SB 998; ../shared/domain/shutoff-law.md): given
one account's facts on a date, the next collection step due and whether a shutoff for nonpayment is allowed,
the earliest day it could be, and the trace of every rule checked.

Pure: plain values in and out, no ORM. `collections.selectors` gathers the facts; services, the daily run, the
lock-off list and the API all ask `decide`, so no path shuts water off on a rule another path skipped.
Statutory figures are floors: `Settings.lawful()` raises a looser setting to the floor and says so.
"""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from cistern.core.calendar import BusinessCalendar

# The statute's floors (HSC 116900-116926, Gov. Code 60370-60375.5).
DELINQUENT_DAYS_FLOOR = 60  # delinquent at least 60 calendar days
NOTICE_BUSINESS_DAYS_FLOOR = 7  # written notice at least 7 business days before (HSC 116908)
NOTICE_CALENDAR_DAYS_FLOOR = 10  # a district's mailed notice at least 10 days before (Gov. Code 60373)
OCCUPANT_NOTICE_DAYS_FLOOR = (
    10  # occupants of a landlord's premises: at least 10 days before (Gov. Code 60371)
)
DOOR_HANGER_HOURS_FLOOR = 48  # policy most districts follow for the good-faith visit; treated as a floor
FINAL_NOTICE_BUSINESS_DAYS_FLOOR = 5  # a broken arrangement: final notice posted 5 business days before
ARRANGEMENT_DEFAULT_DAYS_FLOOR = 60  # an arrangement ends only after 60 days of non-payment (HSC 116910)

# The steps `Decision.next_step` names.
REMINDER = "reminder"
SHUTOFF_NOTICE = "shutoff_notice"  # the notice to the customer; with it the occupant copy where one is due
DOOR_HANGER = "door_hanger"  # the letter came back and no phone contact: a visit, 48 hours before
FINAL_NOTICE = "final_notice"  # a broken arrangement: posted at the property 5 business days before
OFFER_ARRANGEMENT = "offer_arrangement"  # medical + hardship + willing: no shutoff, offer an arrangement
LOCK_OFF = "lock_off"  # on the lock-off list for the day
STEPS = (REMINDER, SHUTOFF_NOTICE, DOOR_HANGER, FINAL_NOTICE, OFFER_ARRANGEMENT, LOCK_OFF)

# Kinds of `NoticeSent`.
NOTICE_KINDS = ("reminder", "shutoff", "occupant", "door_hanger", "final")
# Kinds of `Hold` (each pauses collection steps while in force).
HOLD_KINDS = ("dispute", "extension", "leak_review", "shutoff_hold")


@dataclass(frozen=True)
class Suspension:
    """A district-wide suspension of shutoffs (and late fees) from `starts_on` through `ends_on`."""

    starts_on: date
    ends_on: date
    shutoffs: bool = True
    late_fees: bool = True


@dataclass(frozen=True)
class Settings:
    reminder_days: int = 10  # the past-due reminder, days after the due date (policy)
    notice_days: int = 30  # the shutoff notice is mailed this many days after the due date (policy)
    delinquent_days: int = DELINQUENT_DAYS_FLOOR
    notice_business_days: int = NOTICE_BUSINESS_DAYS_FLOOR
    notice_calendar_days: int = NOTICE_CALENDAR_DAYS_FLOOR
    occupant_notice_days: int = OCCUPANT_NOTICE_DAYS_FLOOR
    door_hanger_hours: int = DOOR_HANGER_HOURS_FLOOR
    final_notice_business_days: int = FINAL_NOTICE_BUSINESS_DAYS_FLOOR
    arrangement_default_days: int = ARRANGEMENT_DEFAULT_DAYS_FLOOR
    minimum_amount: Decimal = Decimal("50.00")  # no notice or shutoff for less past due (policy)
    office_opens: time = time(8, 0)
    office_closes: time = time(17, 0)
    suspensions: tuple[Suspension, ...] = ()

    def lawful(self) -> tuple["Settings", tuple[str, ...]]:
        """These settings with every statutory figure raised to its floor, and a line for each one raised."""
        raise NotImplementedError


@dataclass(frozen=True)
class Charge:
    """An open receivable item (a bill, a fee) with what is still owed of it, credits applied oldest first."""

    due: date
    open: Decimal


@dataclass(frozen=True)
class NoticeSent:
    kind: str  # one of NOTICE_KINDS
    sent_on: date  # mailed (letters), delivered (door-hanger), posted (final notice)
    delinquent_since: date  # the delinquency it was sent for (Decision.delinquent_since when sent)
    shutoff_on: date | None = None  # the shutoff date it states (shutoff, occupant, door-hanger, final)
    returned: bool = False  # the letter came back undeliverable


@dataclass(frozen=True)
class PhoneContact:
    on: date
    policy_offered: bool  # the clerk offered the written policy and the options the law lists


@dataclass(frozen=True)
class Hold:
    kind: str  # one of HOLD_KINDS
    starts_on: date
    ends_on: date | None = None  # None: open until someone closes it


@dataclass(frozen=True)
class Arrangement:
    starts_on: date
    ends_on: date  # the last installment's due date
    defaulted_on: date | None = None  # first installment or current bill missed and still unpaid (None: kept)
    cancelled_on: date | None = None  # ended by the customer paying off, or voided


@dataclass(frozen=True)
class Facts:
    """Everything about one account the policy reads."""

    charges: tuple[Charge, ...] = ()
    notices: tuple[NoticeSent, ...] = ()
    phone_contacts: tuple[PhoneContact, ...] = ()
    holds: tuple[Hold, ...] = ()
    arrangements: tuple[Arrangement, ...] = ()
    medical: bool = False  # a medical certificate in force (primary care provider or physician)
    hardship: bool = False  # the customer has shown they cannot pay within the billing cycle
    willing_to_arrange: bool = False
    low_income: bool = False
    needs_occupant_notice: bool = (
        False  # mailing address is not the service address, or a landlord's premises
    )
    active: bool = True  # an active account (a final account is chased by final-bill notices, not shut off)
    locked_off: bool = False  # already locked off for nonpayment


@dataclass(frozen=True)
class Check:
    rule: str  # a stable name: "delinquent_60_days", "business_day", ...
    passed: bool
    detail: str  # a sentence a clerk can read: dates as MM/DD/YYYY, money as $1,234.56


@dataclass(frozen=True)
class Decision:
    on: date
    next_step: str | None  # one of STEPS, or None when nothing is due on `on`
    delinquent_since: date | None  # the day after the due date of the oldest charge past due; None: none
    amount_delinquent: Decimal  # what is past due on `on`
    shutoff_allowed: bool  # a lock-off on `on` (at `at`, when given) obeys every rule
    earliest_shutoff: date | None  # the first day on or after `on` it would, on the facts known; None: never
    trace: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def refusals(self) -> tuple[Check, ...]:
        return tuple(check for check in self.trace if not check.passed)


def shutoff_date_for_notice(
    mailed_on: date, delinquent_since: date, settings: Settings, calendar: BusinessCalendar
) -> date:
    """The shutoff date a notice mailed on `mailed_on` states: at least `delinquent_days` after the delinquency
    began, at least `notice_business_days` business days and `notice_calendar_days` days after mailing (the
    longest wins), moved to a business day."""
    raise NotImplementedError


def decide(
    facts: Facts, settings: Settings, calendar: BusinessCalendar, on: date, at: time | None = None
) -> Decision:
    """The next step due on `on` and whether a shutoff is allowed that day (at `at`, when given)."""
    raise NotImplementedError


