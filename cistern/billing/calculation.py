"""A proposed bill from an account's facts: pure, plain values in and out, no ORM.

(account facts: meter spans with their reads and units, last year's bill) + the tariffs in force + proration
settings -> a proposal (lines per meter, total) and its exceptions. A trial run and a posted bill go through
this one call; the checks are a list of functions returning problems, so a reviewer sees all of them at once.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cistern.rates import engine

ZERO = Decimal("0.00")

# Rate class from what the service point is and how the premise is occupied.
_CLASS_BY_POINT = {"irrigation": "irrigation", "fire_line": "fire_line"}


def rate_class_for(service_point_kind: str, occupancy_type: str) -> str:
    if service_point_kind in _CLASS_BY_POINT:
        return _CLASS_BY_POINT[service_point_kind]
    return "commercial" if occupancy_type == "commercial" else "residential"


@dataclass(frozen=True)
class MeterSpan:
    """A meter's service this period: from the last billed read (or the move-in read) to this period's read."""

    installation_id: int
    serial: str
    size: str
    rate_class: str
    from_read_id: int | None
    from_date: date
    from_value: Decimal
    to_read_id: int
    to_date: date
    to_value: Decimal
    units: Decimal
    estimated: bool = False  # the closing read is an estimate
    start_estimated: bool = False  # no turn-on read: the start was estimated for the move-in date


class Service:
    """How an account stood in the period: billed in the run only when active."""

    ACTIVE = "active"
    STOPPED = "stopped"  # service ended inside the period: its final bill settles it, outside the run
    PENDING = "pending"  # started, but the turn-on is not completed


class Disposition:
    """What a run does with an account in service: in service = billed + final-billed + held."""

    BILLED = "billed"
    FINAL_BILLED = "final_billed"
    HELD = "held"


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    spans: tuple[MeterSpan, ...]
    unread: tuple[str, ...] = ()  # serials of meters in service with no read to bill this period
    last_year_charges: Decimal | None = None  # the bill for the same period a year ago
    service: str = Service.ACTIVE
    service_date: date | None = None  # the stop date (stopped) or the start date (pending)
    final_billed: bool = False  # a stopped account whose final bill stands
    start_problems: tuple[str, ...] = ()  # read exceptions about where a span starts (no turn-on read)


@dataclass(frozen=True)
class ProposedLine:
    span: int | None  # index into the proposal's spans; None for a line of no meter
    line: engine.Line


@dataclass(frozen=True)
class Proposal:
    account_id: int
    billable: bool
    spans: tuple[MeterSpan, ...]
    lines: tuple[ProposedLine, ...]
    exceptions: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    disposition: str = Disposition.HELD

    @property
    def total(self) -> Decimal:
        return sum((p.line.amount for p in self.lines), ZERO)

    @property
    def units(self) -> Decimal:
        return sum((s.units for s in self.spans), ZERO)

    @property
    def period_start(self) -> date | None:
        return min((s.from_date for s in self.spans), default=None)

    @property
    def period_end(self) -> date | None:
        return max((s.to_date for s in self.spans), default=None)


# --- checks: each returns the (code, message) problems it finds ------------------------------------------


@dataclass(frozen=True)
class Limits:
    high_percent: int = 50


def check_no_read(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    if facts.service != Service.ACTIVE:
        return []
    if not facts.spans:
        return [("no_read", "No read to bill this period: nothing is billed until one is entered.")]
    if facts.unread:
        return [("no_read", f"No read this period for meter {', '.join(facts.unread)}.")]
    return []


def check_service(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    on = f"{facts.service_date:%m/%d/%Y}" if facts.service_date else "?"
    if facts.service == Service.STOPPED and facts.final_billed:
        return [("final_billed", f"Service stopped on {on}: its final bill settles it, outside this run.")]
    if facts.service == Service.STOPPED:
        return [
            ("no_final_bill", f"Service stopped on {on}: no final bill yet (it is made from the final read).")
        ]
    if facts.service == Service.PENDING:
        return [
            ("pending", f"Service started on {on}: the turn-on is not completed, so nothing is billed yet.")
        ]
    return []


def check_start(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    return [("no_start_read", problem) for problem in facts.start_problems]


def check_fire_line_usage(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    return [
        ("fire_usage", f"Fire line {s.serial} recorded {s.units} units: water drawn other than for a fire is "
         "reviewed (a fire line has no usage charge).")
        for s in facts.spans
        if s.rate_class == "fire_line" and s.units > 0
    ]  # fmt: skip


def check_estimated(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    estimated = [s.serial for s in facts.spans if s.estimated]
    return [("estimated", f"Estimated read on meter {', '.join(estimated)}.")] if estimated else []


def check_high(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    last = facts.last_year_charges
    if last is None or last <= 0 or not proposal.lines:
        return []
    if proposal.total > last * (100 + limits.high_percent) / 100:
        more = (proposal.total - last) * 100 / last
        return [
            ("high", f"${proposal.total:,.2f} is {more:.0f}% above last year's ${last:,.2f} for this period.")
        ]
    return []


def check_zero(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    zero = [s.serial for s in facts.spans if s.units == 0 and s.rate_class != "fire_line"]
    return [("zero", f"Zero usage on meter {', '.join(zero)} of an active account.")] if zero else []


def check_negative(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    if proposal.lines and proposal.total < 0:
        return [("negative", f"The bill's total is negative (${proposal.total:,.2f}).")]
    return []


CHECKS: tuple[Callable, ...] = (
    check_service, check_no_read, check_start, check_estimated, check_fire_line_usage, check_high, check_zero,
    check_negative,
)  # fmt: skip
EXCEPTION_NAMES = {
    "final_billed": "Final-billed",
    "no_final_bill": "Stopped, no final bill",
    "pending": "Turn-on not completed",
    "no_start_read": "No turn-on read",
    "fire_usage": "Fire-line usage",
    "no_read": "No read",
    "estimated": "Estimated read",
    "high": "High bill",
    "zero": "Zero usage",
    "negative": "Negative total",
    "no_rates": "No rates",
}

TariffLookup = Callable[[str, str], Sequence[engine.Tariff]]  # (rate class, meter size) -> tariffs


# Exceptions that keep a meter (or the whole account) from this run's bills: the account is listed on
# Accounts not billed until they are resolved. The others are for review and do not hold a bill.
HOLDING = frozenset({"no_final_bill", "pending", "no_read", "no_rates"})


def propose(
    facts: AccountFacts, *, tariffs: TariffLookup, proration: engine.Proration, limits: Limits = Limits(),
    rate: Callable[[MeterSpan], Sequence[engine.Line]] | None = None,
) -> Proposal:  # fmt: skip
    """The bill `facts` call for (`rate`: engine.rate of a span with `tariffs` and `proration`, remembered). An active account's rated meter spans are billed; a meter that cannot be
    rated is left out of the bill (its read stays unbilled for the next run) and named in an exception, so
    one unrated service point never hides the rest of the account. Without a rated span nothing is billed."""
    lines: list[ProposedLine] = []
    problems: list[tuple[str, str]] = []
    spans: list[MeterSpan] = []
    for span in facts.spans if facts.service == Service.ACTIVE else ():
        try:
            rated = (
                rate(span)
                if rate is not None
                else engine.rate(
                    tariffs(span.rate_class, span.size), start=span.from_date, end=span.to_date, units=span.units,
                    size_label=span.size, proration=proration,
                )
            )  # fmt: skip
        except engine.RatingError as error:
            problems.append(
                ("no_rates", f"Meter {span.serial} ({span.rate_class.replace('_', ' ')}): {error}")
            )
            continue
        lines.extend(ProposedLine(len(spans), line) for line in rated)
        spans.append(span)
    proposal = Proposal(facts.account_id, False, tuple(spans), tuple(lines))
    for check in CHECKS:
        problems.extend(check(facts, proposal, limits))
    billable = bool(spans)
    if billable:
        disposition = Disposition.BILLED
    elif facts.service == Service.STOPPED and facts.final_billed:
        disposition = Disposition.FINAL_BILLED
    else:
        disposition = Disposition.HELD
    return Proposal(facts.account_id, billable, tuple(spans), tuple(lines), tuple(problems), disposition)


RATED_KEPT = 100_000  # ratings remembered at most (then forgotten at once)


@dataclass(frozen=True)
class Rating:
    """What proposals are rated with over a period: the billed tariffs by (rate class, meter size), the
    proration window, the high-bill limit, and a digest of all three (a changed setting recalculates every
    trial item)."""

    book: dict
    proration: engine.Proration
    limits: Limits
    # engine.rate is pure: the same meter, dates and units rate to the same lines, which a cycle's accounts
    # share by the thousand (one read day, a few meter sizes, a few dozen usages).
    _rated: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def digest(self) -> str:
        return f"{sorted(self.book.items())!r}|{self.proration!r}|{self.limits!r}"

    def tariffs(self, rate_class: str, size: str):
        found = self.book.get((rate_class, size))
        if not found:
            raise engine.RatingError(
                f'The billed schedule has no {rate_class.replace("_", " ")} rates for a {size}" meter.'
            )
        return found

    def rate(self, span: MeterSpan) -> tuple[engine.Line, ...]:
        """engine.rate of the span with its tariffs, remembered (frozen lines, shared)."""
        key = (span.rate_class, span.size, span.from_date, span.to_date, str(span.units))
        found = self._rated.get(key)
        if found is None:
            found = tuple(
                engine.rate(
                    self.tariffs(span.rate_class, span.size), start=span.from_date, end=span.to_date,
                    units=span.units, size_label=span.size, proration=self.proration,
                )
            )  # fmt: skip
            if len(self._rated) >= RATED_KEPT:
                self._rated.clear()
            self._rated[key] = found
        return found

    def propose(self, facts: AccountFacts) -> Proposal:
        return propose(
            facts, tariffs=self.tariffs, proration=self.proration, limits=self.limits, rate=self.rate
        )


def holds(exceptions) -> list[tuple[str, str]]:
    """The exceptions of a trial item that keep something of the account from being billed."""
    return [(code, message) for code, message in exceptions if code in HOLDING]


def fingerprint(facts: AccountFacts, rates_digest: str) -> str:
    """What a proposal was calculated from: the same facts and rates give the same digest, so calculating
    again rewrites only the items whose facts changed."""
    return hashlib.sha256(f"{facts!r}|{rates_digest}".encode()).hexdigest()


# --- the stored form of a proposal (the trial item's JSON) ------------------------------------------------


def span_to_json(span: MeterSpan) -> dict:
    return {
        "installation_id": span.installation_id, "serial": span.serial, "size": span.size,
        "rate_class": span.rate_class, "from_read_id": span.from_read_id, "from_date": span.from_date.isoformat(),
        "from_value": str(span.from_value), "to_read_id": span.to_read_id, "to_date": span.to_date.isoformat(),
        "to_value": str(span.to_value), "units": str(span.units), "estimated": span.estimated,
        "start_estimated": span.start_estimated,
    }  # fmt: skip


def line_to_json(proposed: ProposedLine) -> dict:
    line = proposed.line
    return {
        "span": proposed.span, "description": line.description, "quantity": str(line.quantity),
        "unit_price": str(line.unit_price), "amount": str(line.amount), "gl_account": line.gl_account,
        "tier": line.tier, "explanation": line.explanation,
    }  # fmt: skip


def proposal_to_json(proposal: Proposal) -> dict:
    """The stored form: spans, lines and the charges per GL account (what the bill's journal entry credits),
    all money as strings, so posting writes them without working anything out again."""
    return {
        "spans": [span_to_json(s) for s in proposal.spans],
        "lines": [line_to_json(line) for line in proposal.lines],
        "gl": [[gl, str(amount)] for gl, amount in revenue_by_gl([p.line for p in proposal.lines])],
    }


# --- the journal entry a bill posts ------------------------------------------------------------------------


def revenue_by_gl(lines: Sequence[engine.Line]) -> list[tuple[str, Decimal]]:
    """A bill's charges summed per GL account, in account order, zero sums left out."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.gl_account] = sums.get(line.gl_account, ZERO) + line.amount
    return [(gl, amount) for gl, amount in sorted(sums.items()) if amount != 0]


# --- a trial item as the database stores it ------------------------------------------------------------------

# A trial item's values, in this order (what trial_item returns and the run writes as a row).
ITEM_FIELDS = (
    "account_id", "billable", "disposition", "period_start", "period_end", "total", "units", "proposal",
    "exceptions", "has_exceptions", "fingerprint",
)  # fmt: skip


def trial_item(facts: AccountFacts, rating: Rating, digest: str, known: str | None = None) -> tuple | None:
    """The trial item `facts` call for (ITEM_FIELDS; its proposal and exceptions as JSON text), or None when
    `known`, the fingerprint of the stored item, says nothing changed."""
    facts_print = fingerprint(facts, digest)
    if known == facts_print:
        return None
    proposal = rating.propose(facts)
    return (
        facts.account_id, proposal.billable, proposal.disposition, proposal.period_start, proposal.period_end,
        proposal.total, proposal.units, json.dumps(proposal_to_json(proposal)),
        json.dumps([list(e) for e in proposal.exceptions]), bool(proposal.exceptions), facts_print,
    )  # fmt: skip


def trial_items(facts: Sequence[AccountFacts], rating: Rating, known: dict[int, str]) -> list[tuple]:
    """trial_item for each of `facts` whose stored fingerprint (`known`, by account) differs."""
    digest = rating.digest
    found = (trial_item(f, rating, digest, known.get(f.account_id)) for f in facts)
    return [item for item in found if item is not None]
