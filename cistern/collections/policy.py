"""The collection policy of the Water Shutoff Protection Act (SB 998; ../shared/domain/shutoff-law.md): given
one account's facts on a date, the next collection step due and whether a shutoff for nonpayment is allowed,
the earliest day it could be, and the trace of every rule checked.

Pure: plain values in and out, no ORM. `collections.selectors` gathers the facts; services, the daily run, the
lock-off list and the API all ask `decide`, so no path shuts water off on a rule another path skipped.
Statutory figures are floors: `Settings.lawful()` raises a looser setting to the floor and says so.
"""

import math
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from decimal import Decimal

from cistern.core.calendar import BusinessCalendar
from cistern.core.money import ZERO, format_money, money

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
HOLD_LABELS = {
    "dispute": "bill dispute",
    "extension": "extension",
    "leak_review": "leak review",
    "shutoff_hold": "shutoff hold",
}

# The rules a shutoff must pass, in the order `Decision.trace` lists them (after a "settings" check, present
# only when a setting was raised to the law's floor).
RULES = (
    "delinquent",
    "active_account",
    "not_already_locked_off",
    "delinquent_60_days",
    "shutoff_notice",
    "occupant_notice",
    "contact",
    "business_day",
    "office_hours",
    "no_suspension",
    "no_hold",
    "arrangement",
    "medical",
)
SETTINGS_CHECK = "settings"
HORIZON_DAYS = 400  # how far `earliest_shutoff` looks ahead


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
        changes: dict[str, int] = {}
        lines: list[str] = []
        for name, label, floor in _FLOORS:
            value = getattr(self, name)
            if value < floor:
                changes[name] = floor
                lines.append(f"{label} {value} is below the law's {floor}; {floor} used.")
        reminder_days = changes.get("reminder_days", self.reminder_days)
        if reminder_days < 0:
            changes["reminder_days"] = reminder_days = 0
            lines.append(f"Reminder days {self.reminder_days} is below 0; 0 used.")
        if self.notice_days < reminder_days:
            changes["notice_days"] = reminder_days
            lines.append(
                f"Notice days {self.notice_days} is before the reminder's {reminder_days}; {reminder_days} used."
            )
        return (replace(self, **changes) if changes else self), tuple(lines)


_FLOORS = (
    ("delinquent_days", "Delinquent days", DELINQUENT_DAYS_FLOOR),
    ("notice_business_days", "Notice business days", NOTICE_BUSINESS_DAYS_FLOOR),
    ("notice_calendar_days", "Notice calendar days", NOTICE_CALENDAR_DAYS_FLOOR),
    ("occupant_notice_days", "Occupant notice days", OCCUPANT_NOTICE_DAYS_FLOOR),
    ("door_hanger_hours", "Door-hanger hours", DOOR_HANGER_HOURS_FLOOR),
    ("final_notice_business_days", "Final notice business days", FINAL_NOTICE_BUSINESS_DAYS_FLOOR),
    ("arrangement_default_days", "Arrangement default days", ARRANGEMENT_DEFAULT_DAYS_FLOOR),
)


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
    # The notices not yet sent that `earliest_shutoff` counts on, with the dates it assumes (see `decide`).
    assumed_notices: tuple[NoticeSent, ...] = ()

    @property
    def refusals(self) -> tuple[Check, ...]:
        return tuple(check for check in self.trace if not check.passed)


def shutoff_date_for_notice(
    mailed_on: date, delinquent_since: date, settings: Settings, calendar: BusinessCalendar
) -> date:
    """The shutoff date a notice mailed on `mailed_on` states: at least `delinquent_days` after the delinquency
    began, at least `notice_business_days` business days and `notice_calendar_days` days after mailing (the
    longest wins), moved to a business day."""
    settings = settings.lawful()[0]
    day = max(
        delinquent_since + timedelta(days=settings.delinquent_days),
        calendar.add_business_days(mailed_on, settings.notice_business_days),
        mailed_on + timedelta(days=settings.notice_calendar_days),
    )
    day = calendar.business_day_on_or_after(day)
    while (suspension := _suspension_on(settings, day)) is not None:
        day = calendar.business_day_on_or_after(suspension.ends_on + timedelta(days=1))
    return day


def decide(
    facts: Facts, settings: Settings, calendar: BusinessCalendar, on: date, at: time | None = None,
    *, earliest: bool = True,
) -> Decision:  # fmt: skip
    """The next step due on `on` and whether a shutoff is allowed that day (at `at`, when given).

    Always under `settings.lawful()`; a "settings" check (passed) heads the trace when a figure was raised.
    The trace then holds one `Check` per rule of `RULES`, in that order; `shutoff_allowed` is True only when
    every one passed. `next_step` is the first step that applies: a reminder, the shutoff notice, a door
    hanger (the notice came back and no phone call offered the policy), a final notice (an arrangement broken
    `arrangement_default_days` ago), an offer of an arrangement (medical + hardship + willing, where a notice
    or a shutoff would otherwise be next), the lock-off (every rule but `office_hours` passes: the day's
    list). Holds pause every notice step; a suspension of shutoffs pauses the notices that announce one.

    The delinquency starts the day after the due date of the oldest charge still open and past due; credits
    reduce its amount. A notice counts only for the delinquency it names (`NoticeSent.delinquent_since` equal
    to today's): a new oldest unpaid charge is a new delinquency that needs its own notices. A shutoff notice
    whose stated date is not lawful does not count either: the shutoff-notice step is due again. A payment
    arrangement concerns this delinquency when it was running when the oldest unpaid charge fell due or began
    later. It is in force from the day it is on file (an agreed start later does not leave a gap) to its end
    date; one broken stays in force `arrangement_default_days` after the default, past its end date too.

    `earliest_shutoff` is the first day from `on` up to `HORIZON_DAYS` later on which every rule but
    `office_hours` would pass on the facts known (the delinquency as of `on`, no new payment or charge). It is
    None when time cannot bring one: not delinquent or below `minimum_amount`, an inactive or locked-off
    account, a hold in force with no end, medical + hardship + willing, a payment arrangement being kept.
    It assumes the steps still to come are taken on the first day they may be, and lists them in
    `assumed_notices`:
    - a reminder not yet sent goes out on the first day it is due outside a hold, unless that is on or after
      the day the shutoff notice may go (the reminder is then moot and the notice goes instead, as the daily
      run does);
    - no shutoff notice for this delinquency yet: it is mailed on max(`on`, oldest due + `notice_days`), or
      the first day after that with no hold, suspension of shutoffs or arrangement in force, stating
      `shutoff_date_for_notice`; an occupant copy, when one is needed, goes with it;
    - a shutoff notice sent but an occupant copy needed and missing: the copy is mailed on the first such
      free day from `on`;
    - the notice came back and no phone contact offered the policy: a door hanger is delivered the next
      business day after `on` that is free of holds and suspensions;
    - an arrangement broken with no final notice for this delinquency: one is posted on the first free
      business day from `arrangement_default_days` after the default.
    A notice that cannot go within the horizon is not assumed; the search then finds no day that needs it.

    `earliest=False` skips that search (`earliest_shutoff` None, nothing assumed): the daily run, which acts
    on the day's step and allowance only, judges thousands of accounts.
    """
    lawful, raised = settings.lawful()
    ctx = _Context(facts, lawful, calendar, _delinquency(facts, on))
    checks = _checks(ctx, on, at)
    trace = ((Check(SETTINGS_CHECK, True, " ".join(raised)),) if raised else ()) + checks
    found, assumed = _earliest(ctx, on) if earliest else (None, ())
    dq = ctx.dq
    return Decision(
        on=on,
        next_step=_next_step(ctx, on, checks),
        delinquent_since=dq.since if dq else None,
        amount_delinquent=dq.amount if dq else ZERO,
        shutoff_allowed=all(check.passed for check in checks),
        earliest_shutoff=found,
        trace=trace,
        assumed_notices=assumed,
    )


# The facts, read -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Delinquency:
    oldest_due: date
    since: date  # the day after the oldest past-due charge's due date
    amount: Decimal


@dataclass
class _Context:
    facts: Facts
    settings: Settings  # lawful
    calendar: BusinessCalendar
    dq: _Delinquency | None
    lawful_cache: dict[NoticeSent, str | None] = field(default_factory=dict)

    @property
    def triple(self) -> bool:
        return self.facts.medical and self.facts.hardship and self.facts.willing_to_arrange


def _delinquency(facts: Facts, on: date) -> _Delinquency | None:
    past_due = [charge for charge in facts.charges if charge.open > 0 and charge.due < on]
    if not past_due:
        return None
    credits = sum((charge.open for charge in facts.charges if charge.open < 0), Decimal(0))
    amount = money(sum((charge.open for charge in past_due), Decimal(0)) + credits)
    if amount <= 0:
        return None
    oldest = min(charge.due for charge in past_due)
    return _Delinquency(oldest, oldest + timedelta(days=1), amount)


def _fmt(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _notices(ctx: _Context, kind: str, day: date) -> list[NoticeSent]:
    """Notices of `kind` sent for the current delinquency by `day`, oldest first."""
    since = ctx.dq.since if ctx.dq else None
    found = [
        n for n in ctx.facts.notices if n.kind == kind and n.delinquent_since == since and n.sent_on <= day
    ]
    return sorted(found, key=lambda n: n.sent_on)


def _notice_defect(ctx: _Context, notice: NoticeSent) -> str | None:
    """Why the shutoff date a customer's notice states is not lawful, or None when it is."""
    if notice in ctx.lawful_cache:
        return ctx.lawful_cache[notice]
    s, cal, stated = ctx.settings, ctx.calendar, notice.shutoff_on
    sent = _fmt(notice.sent_on)
    defect = None
    if stated is None:
        defect = f"The notice mailed {sent} states no shutoff date."
    elif stated < notice.sent_on + _days(s.notice_calendar_days):
        defect = (
            f"The notice mailed {sent} states {_fmt(stated)}, less than {s.notice_calendar_days} days after "
            "mailing."
        )
    elif cal.business_days_between(notice.sent_on, stated) < s.notice_business_days:
        defect = (
            f"The notice mailed {sent} states {_fmt(stated)}, less than {s.notice_business_days} business days "
            "after mailing."
        )
    elif stated < notice.delinquent_since + _days(s.delinquent_days):
        defect = (
            f"The notice mailed {sent} states {_fmt(stated)}, before {s.delinquent_days} days of delinquency "
            f"from {_fmt(notice.delinquent_since)}."
        )
    ctx.lawful_cache[notice] = defect
    return defect


def _shutoff_notices(ctx: _Context, day: date) -> list[NoticeSent]:
    """The customer's shutoff notices for this delinquency, sent by `day`, whose stated date is lawful."""
    return [n for n in _notices(ctx, "shutoff", day) if _notice_defect(ctx, n) is None]


def _hold_on(facts: Facts, day: date) -> Hold | None:
    for hold in facts.holds:
        if hold.starts_on <= day and (hold.ends_on is None or day <= hold.ends_on):
            return hold
    return None


def _suspension_on(settings: Settings, day: date) -> Suspension | None:
    for suspension in settings.suspensions:
        if suspension.shutoffs and suspension.starts_on <= day <= suspension.ends_on:
            return suspension
    return None


def _defaulted(arrangement: Arrangement) -> bool:
    """Broken while in force (a cancellation after the default does not undo it)."""
    d, c = arrangement.defaulted_on, arrangement.cancelled_on
    return d is not None and (c is None or c > d)


def _arrangements(ctx: _Context) -> list[Arrangement]:
    """The arrangements that concern the current delinquency: broken during it, or running when it began
    (an arrangement kept to its end, or broken, before the oldest unpaid charge fell due is history)."""
    if ctx.dq is None:
        return list(ctx.facts.arrangements)
    due = ctx.dq.oldest_due
    return [
        a for a in ctx.facts.arrangements if (a.defaulted_on >= due if _defaulted(a) else a.ends_on >= due)
    ]


def _arrangement_state(ctx: _Context, arrangement: Arrangement, day: date) -> str | None:
    """ "in_force", "broken" (defaulted `arrangement_default_days` or more ago) or None (not running)."""
    if _defaulted(arrangement) and arrangement.defaulted_on <= day:
        lapse = arrangement.defaulted_on + _days(ctx.settings.arrangement_default_days)
        return "broken" if day >= lapse else "in_force"
    if arrangement.cancelled_on is not None and arrangement.cancelled_on <= day:
        return None
    # Agreed (it is on file) but starting later: it protects already.
    return "in_force" if day <= arrangement.ends_on else None


def _in_force(ctx: _Context, day: date) -> Arrangement | None:
    for arrangement in _arrangements(ctx):
        if _arrangement_state(ctx, arrangement, day) == "in_force":
            return arrangement
    return None


def _contact(ctx: _Context, day: date) -> tuple[bool, str]:
    """Whether the customer was reached for this delinquency by `day`, and how (or why not)."""
    notices = _shutoff_notices(ctx, day)
    if not notices:
        return False, "No shutoff notice for this delinquency to reach the customer."
    for notice in notices:
        if not notice.returned:
            return True, f"The notice mailed {_fmt(notice.sent_on)} was not returned."
    first = notices[0].sent_on
    for call in ctx.facts.phone_contacts:
        if call.policy_offered and first <= call.on <= day:
            return True, f"Reached by telephone on {_fmt(call.on)}; the written policy was offered."
    hanger_days = math.ceil(ctx.settings.door_hanger_hours / 24)
    hangers = _notices(ctx, "door_hanger", day)
    for hanger in hangers:
        if hanger.sent_on + _days(hanger_days) <= day:
            return True, (
                f"The notice came back; a door hanger was left on {_fmt(hanger.sent_on)}, "
                f"{ctx.settings.door_hanger_hours} hours or more before."
            )
    if hangers:
        ready = hangers[0].sent_on + _days(hanger_days)
        return False, (
            f"The notice came back; the door hanger left on {_fmt(hangers[0].sent_on)} gives "
            f"{ctx.settings.door_hanger_hours} hours only on {_fmt(ready)}."
        )
    return False, (
        f"The notice mailed {_fmt(notices[-1].sent_on)} came back undeliverable and no telephone call offered "
        "the policy: a door hanger is needed."
    )


# The rules -------------------------------------------------------------------------------------------------


def _checks(ctx: _Context, day: date, at: time | None) -> tuple[Check, ...]:
    return tuple(rule(ctx, day, at) for rule in _RULE_FUNCTIONS)


_NOT_DELINQUENT = "Not delinquent: no notice period runs."


def _rule_delinquent(ctx: _Context, day: date, at: time | None) -> Check:
    dq, minimum = ctx.dq, ctx.settings.minimum_amount
    if dq is None:
        return Check("delinquent", False, "Not delinquent: nothing is past due.")
    amount = format_money(dq.amount)
    if dq.amount < minimum:
        return Check(
            "delinquent",
            False,
            f"{amount} past due since {_fmt(dq.since)} is below the minimum of {format_money(minimum)}.",
        )
    return Check(
        "delinquent", True, f"{amount} past due since {_fmt(dq.since)} (minimum {format_money(minimum)})."
    )


def _rule_active(ctx: _Context, day: date, at: time | None) -> Check:
    if ctx.facts.active:
        return Check("active_account", True, "The account is active.")
    return Check("active_account", False, "The account is closed: final-bill notices, not a shutoff.")


def _rule_not_locked_off(ctx: _Context, day: date, at: time | None) -> Check:
    if ctx.facts.locked_off:
        return Check("not_already_locked_off", False, "The service is already locked off for nonpayment.")
    return Check("not_already_locked_off", True, "The service is on.")


def _rule_delinquent_days(ctx: _Context, day: date, at: time | None) -> Check:
    if ctx.dq is None:
        return Check("delinquent_60_days", False, _NOT_DELINQUENT)
    n = ctx.settings.delinquent_days
    reached = ctx.dq.since + _days(n)
    since = _fmt(ctx.dq.since)
    if day >= reached:
        return Check(
            "delinquent_60_days", True, f"Delinquent since {since}: {n} days reached on {_fmt(reached)}."
        )
    return Check(
        "delinquent_60_days", False, f"Delinquent since {since}: {n} days are reached on {_fmt(reached)}."
    )


def _rule_shutoff_notice(ctx: _Context, day: date, at: time | None) -> Check:
    if ctx.dq is None:
        return Check("shutoff_notice", False, _NOT_DELINQUENT)
    sent = _notices(ctx, "shutoff", day)
    if not sent:
        return Check("shutoff_notice", False, "No shutoff notice was mailed for this delinquency.")
    lawful = [n for n in sent if _notice_defect(ctx, n) is None]
    if not lawful:
        return Check("shutoff_notice", False, _notice_defect(ctx, sent[-1]) + " A new notice is needed.")
    for notice in lawful:
        if notice.shutoff_on <= day:
            return Check(
                "shutoff_notice",
                True,
                f"Notice mailed {_fmt(notice.sent_on)} states {_fmt(notice.shutoff_on)}.",
            )
    notice = lawful[0]
    return Check(
        "shutoff_notice",
        False,
        f"The notice mailed {_fmt(notice.sent_on)} states {_fmt(notice.shutoff_on)}: too early.",
    )


def _rule_occupant_notice(ctx: _Context, day: date, at: time | None) -> Check:
    if not ctx.facts.needs_occupant_notice:
        return Check("occupant_notice", True, "not needed")
    if ctx.dq is None:
        return Check("occupant_notice", False, _NOT_DELINQUENT)
    n = ctx.settings.occupant_notice_days
    sent = _notices(ctx, "occupant", day)
    for notice in sent:
        if notice.sent_on + _days(n) <= day:
            return Check(
                "occupant_notice",
                True,
                f"Occupant notice mailed {_fmt(notice.sent_on)}, {n} days or more before.",
            )
    if sent:
        ready = sent[0].sent_on + _days(n)
        return Check(
            "occupant_notice",
            False,
            f"Occupant notice mailed {_fmt(sent[0].sent_on)}: {n} days are reached on {_fmt(ready)}.",
        )
    return Check("occupant_notice", False, f"No occupant notice mailed; occupants need {n} days' notice.")


def _rule_contact(ctx: _Context, day: date, at: time | None) -> Check:
    if ctx.dq is None:
        return Check("contact", False, _NOT_DELINQUENT)
    passed, detail = _contact(ctx, day)
    return Check("contact", passed, detail)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _rule_business_day(ctx: _Context, day: date, at: time | None) -> Check:
    name = f"{_WEEKDAYS[day.weekday()]} {_fmt(day)}"
    if day.weekday() >= 5:
        return Check("business_day", False, f"{name} is a weekend day.")
    closed = ctx.calendar.holiday_name(day)
    if closed:
        return Check("business_day", False, f"{name} is {closed}: the office is closed.")
    return Check("business_day", True, f"{name} is a business day.")


def _rule_office_hours(ctx: _Context, day: date, at: time | None) -> Check:
    if at is None:
        return Check("office_hours", True, "no time given")
    opens, closes = ctx.settings.office_opens, ctx.settings.office_closes
    hours = f"{opens:%H:%M}-{closes:%H:%M}"
    if opens <= at < closes:
        return Check("office_hours", True, f"{at:%H:%M} is within office hours ({hours}).")
    return Check("office_hours", False, f"{at:%H:%M} is outside office hours ({hours}).")


def _rule_no_suspension(ctx: _Context, day: date, at: time | None) -> Check:
    suspension = _suspension_on(ctx.settings, day)
    if suspension is None:
        return Check("no_suspension", True, "Shutoffs are not suspended.")
    return Check(
        "no_suspension",
        False,
        f"Shutoffs are suspended from {_fmt(suspension.starts_on)} through {_fmt(suspension.ends_on)}.",
    )


def _rule_no_hold(ctx: _Context, day: date, at: time | None) -> Check:
    hold = _hold_on(ctx.facts, day)
    if hold is None:
        return Check("no_hold", True, "No hold in force.")
    label = HOLD_LABELS.get(hold.kind, hold.kind)
    until = f"through {_fmt(hold.ends_on)}" if hold.ends_on else "until it is closed"
    return Check("no_hold", False, f"A {label} hold is in force from {_fmt(hold.starts_on)} {until}.")


def _rule_arrangement(ctx: _Context, day: date, at: time | None) -> Check:
    s = ctx.settings
    broken = []
    for arrangement in _arrangements(ctx):
        state = _arrangement_state(ctx, arrangement, day)
        span = f"{_fmt(arrangement.starts_on)}-{_fmt(arrangement.ends_on)}"
        if state == "in_force" and arrangement.defaulted_on is not None and _defaulted(arrangement):
            lapse = arrangement.defaulted_on + _days(s.arrangement_default_days)
            return Check(
                "arrangement",
                False,
                f"The payment arrangement {span} was broken on {_fmt(arrangement.defaulted_on)}: no shutoff "
                f"before {s.arrangement_default_days} days, on {_fmt(lapse)}.",
            )
        if state == "in_force":
            return Check("arrangement", False, f"A payment arrangement {span} is being kept.")
        if state == "broken":
            broken.append(arrangement)
    if not broken:
        return Check("arrangement", True, "No payment arrangement in force.")
    n = s.final_notice_business_days
    since = max(a.defaulted_on for a in broken)
    finals = [f for f in _notices(ctx, "final", day) if f.sent_on >= since]
    for final in finals:
        if ctx.calendar.business_days_between(final.sent_on, day) >= n:
            return Check(
                "arrangement",
                True,
                f"The arrangement broken on {_fmt(since)}: final notice posted {_fmt(final.sent_on)}, "
                f"{n} business days or more before.",
            )
    if finals:
        ready = ctx.calendar.add_business_days(finals[0].sent_on, n)
        return Check(
            "arrangement",
            False,
            f"Final notice posted {_fmt(finals[0].sent_on)}: {n} business days are reached on {_fmt(ready)}.",
        )
    return Check(
        "arrangement",
        False,
        f"The arrangement broken on {_fmt(since)} needs a final notice posted at the property "
        f"{n} business days before a shutoff.",
    )


def _rule_medical(ctx: _Context, day: date, at: time | None) -> Check:
    f = ctx.facts
    if ctx.triple:
        return Check(
            "medical",
            False,
            "Medical certificate, financial hardship and willing to arrange: no shutoff; offer an arrangement "
            "repayable within 12 months.",
        )
    if f.medical:
        missing = " and ".join(
            part
            for part, shown in (
                ("financial hardship", f.hardship),
                ("willingness to arrange", f.willing_to_arrange),
            )
            if not shown
        )
        return Check("medical", True, f"Medical certificate on file, but no {missing} shown.")
    return Check("medical", True, "No medical certificate.")


_RULE_FUNCTIONS = (
    _rule_delinquent,
    _rule_active,
    _rule_not_locked_off,
    _rule_delinquent_days,
    _rule_shutoff_notice,
    _rule_occupant_notice,
    _rule_contact,
    _rule_business_day,
    _rule_office_hours,
    _rule_no_suspension,
    _rule_no_hold,
    _rule_arrangement,
    _rule_medical,
)


# The next step ---------------------------------------------------------------------------------------------


def _next_step(ctx: _Context, on: date, checks: tuple[Check, ...]) -> str | None:
    f, s, dq = ctx.facts, ctx.settings, ctx.dq
    if dq is None or not f.active or f.locked_off:
        return None
    held = _hold_on(f, on) is not None
    suspended = _suspension_on(s, on) is not None
    enough = dq.amount >= s.minimum_amount
    sent = _shutoff_notices(ctx, on)
    if (
        not held
        and on >= dq.oldest_due + _days(s.reminder_days)
        and not _notices(ctx, "reminder", on)
        and not _notices(ctx, "shutoff", on)
    ):
        return REMINDER
    notice_due = (
        not held
        and not suspended
        and enough
        and on >= dq.oldest_due + _days(s.notice_days)
        and not sent
        and _in_force(ctx, on) is None
    )
    if notice_due and not ctx.triple:
        return SHUTOFF_NOTICE
    threatening = enough and not held and not suspended and not ctx.triple
    if threatening and _door_hanger_due(ctx, on):
        return DOOR_HANGER
    if threatening and _final_notice_due(ctx, on):
        return FINAL_NOTICE
    on_the_day = [c for c in checks if c.rule != "office_hours"]
    if ctx.triple and (notice_due or all(c.passed for c in on_the_day if c.rule != "medical")):
        return OFFER_ARRANGEMENT
    if all(c.passed for c in on_the_day):
        return LOCK_OFF
    return None


def _door_hanger_due(ctx: _Context, on: date) -> bool:
    return (
        bool(_shutoff_notices(ctx, on))
        and _in_force(ctx, on) is None
        and not _contact(ctx, on)[0]
        and not _notices(ctx, "door_hanger", on)
    )


def _broken(ctx: _Context, day: date) -> list[Arrangement]:
    return [a for a in _arrangements(ctx) if _defaulted(a) and a.defaulted_on <= day]


def _final_notice_due(ctx: _Context, on: date) -> bool:
    lapsed = [a for a in _broken(ctx, on) if _arrangement_state(ctx, a, on) == "broken"]
    if not lapsed or _in_force(ctx, on) is not None:
        return False
    since = max(a.defaulted_on for a in lapsed)
    return not [n for n in _notices(ctx, "final", on) if n.sent_on >= since]


# The earliest shutoff --------------------------------------------------------------------------------------


def _first_free(
    ctx: _Context, start: date, end: date, *, suspension: bool, arrangement: bool, business: bool
) -> date | None:
    """The first day from `start` to `end` with no hold (and, as asked, no suspension of shutoffs, no
    arrangement in force, and a business day)."""
    day = start
    while day <= end:
        if (
            _hold_on(ctx.facts, day) is None
            and not (suspension and _suspension_on(ctx.settings, day))
            and not (arrangement and _in_force(ctx, day))
            and not (business and not ctx.calendar.is_business_day(day))
        ):
            return day
        day += _days(1)
    return None


def _assumed_notices(ctx: _Context, on: date, end: date) -> tuple[NoticeSent, ...]:
    """The notices still to come that a shutoff needs, each on the first day it may go (one that cannot go
    before `end` is left out: the search then finds no day that needs it)."""
    f, s, cal, dq = ctx.facts, ctx.settings, ctx.calendar, ctx.dq
    assert dq is not None
    assumed: list[NoticeSent] = []

    def free(start: date, *, business: bool = False, suspension: bool = True, arrangement: bool = True):
        return _first_free(ctx, start, end, suspension=suspension, arrangement=arrangement, business=business)

    if not _shutoff_notices(ctx, on):
        start = max(on, dq.oldest_due + _days(s.notice_days))
        if not _notices(ctx, "reminder", on) and not _notices(ctx, "shutoff", on):
            reminder = free(
                max(on, dq.oldest_due + _days(s.reminder_days)), suspension=False, arrangement=False
            )
            if reminder is not None and reminder < start:  # later it is moot: the notice goes instead
                assumed.append(NoticeSent("reminder", reminder, dq.since))
        mailed = free(start)
        if mailed is None:
            return tuple(assumed)
        stated = shutoff_date_for_notice(mailed, dq.since, s, cal)
        assumed.append(NoticeSent("shutoff", mailed, dq.since, stated))
        if f.needs_occupant_notice and not _notices(ctx, "occupant", on):
            assumed.append(NoticeSent("occupant", mailed, dq.since, stated))
    else:
        if f.needs_occupant_notice and not _notices(ctx, "occupant", on):
            mailed = free(on)
            if mailed is not None:
                stated = cal.business_day_on_or_after(mailed + _days(s.occupant_notice_days))
                assumed.append(NoticeSent("occupant", mailed, dq.since, stated))
        if not _contact(ctx, on)[0] and not _notices(ctx, "door_hanger", on):
            left = free(on + _days(1), business=True)
            if left is not None:
                stated = cal.business_day_on_or_after(left + _days(math.ceil(s.door_hanger_hours / 24)))
                assumed.append(NoticeSent("door_hanger", left, dq.since, stated))
    broken = _broken(ctx, end)
    if broken:
        defaulted = max(a.defaulted_on for a in broken)
        if not [n for n in _notices(ctx, "final", on) if n.sent_on >= defaulted]:
            posted = free(max(on, defaulted + _days(s.arrangement_default_days)), business=True)
            if posted is not None:
                stated = cal.add_business_days(posted, s.final_notice_business_days)
                assumed.append(NoticeSent("final", posted, dq.since, stated))
    return tuple(assumed)


def _blocked_for_good(ctx: _Context, day: date) -> bool:
    """From `day` on no shutoff can come on the facts known: a hold with no end, or a payment arrangement
    being kept (kept to its end, the debt is paid)."""
    if any(h.ends_on is None and h.starts_on <= day for h in ctx.facts.holds):
        return True
    return any(
        not _defaulted(a) and _arrangement_state(ctx, a, day) == "in_force" for a in _arrangements(ctx)
    )


def _earliest(ctx: _Context, on: date) -> tuple[date | None, tuple[NoticeSent, ...]]:
    f, s, dq = ctx.facts, ctx.settings, ctx.dq
    if dq is None or dq.amount < s.minimum_amount or not f.active or f.locked_off or ctx.triple:
        return None, ()
    if _blocked_for_good(ctx, on):
        return None, ()
    end = on + _days(HORIZON_DAYS)
    assumed = _assumed_notices(ctx, on, end)
    future = _Context(replace(f, notices=f.notices + assumed), s, ctx.calendar, dq)
    first = dq.since + _days(s.delinquent_days)
    day = on
    while day <= end:
        if _blocked_for_good(ctx, day):
            return None, ()
        if day >= first and all(rule(future, day, None).passed for rule in _RULE_FUNCTIONS):
            return day, assumed
        day += _days(1)
    return None, ()
