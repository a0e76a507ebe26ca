"""A proposed bill from an account's facts: pure, plain values in and out, no ORM.

(account facts: meter spans with their reads and units, last year's bill) + the tariffs in force + proration
settings -> a proposal (lines per meter, total) and its exceptions. A trial run and a posted bill go through
this one call; the checks are a list of functions returning problems, so a reviewer sees all of them at once.
"""

import hashlib
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
    estimated: bool = False


@dataclass(frozen=True)
class AccountFacts:
    account_id: int
    spans: tuple[MeterSpan, ...]
    unread: tuple[str, ...] = ()  # serials of meters in service with no read to bill this period
    last_year_charges: Decimal | None = None  # the bill for the same period a year ago


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
    if not facts.spans:
        return [("no_read", "No read to bill this period: nothing is billed until one is entered.")]
    if facts.unread:
        return [("no_read", f"No read this period for meter {', '.join(facts.unread)}.")]
    return []


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
    zero = [s.serial for s in facts.spans if s.units == 0]
    return [("zero", f"Zero usage on meter {', '.join(zero)} of an active account.")] if zero else []


def check_negative(facts: AccountFacts, proposal: Proposal, limits: Limits) -> list[tuple[str, str]]:
    if proposal.lines and proposal.total < 0:
        return [("negative", f"The bill's total is negative (${proposal.total:,.2f}).")]
    return []


CHECKS: tuple[Callable, ...] = (check_no_read, check_estimated, check_high, check_zero, check_negative)
EXCEPTION_NAMES = {
    "no_read": "No read",
    "estimated": "Estimated read",
    "high": "High bill",
    "zero": "Zero usage",
    "negative": "Negative total",
    "no_rates": "No rates",
}

TariffLookup = Callable[[str, str], Sequence[engine.Tariff]]  # (rate class, meter size) -> tariffs


def propose(
    facts: AccountFacts, *, tariffs: TariffLookup, proration: engine.Proration, limits: Limits = Limits()
) -> Proposal:
    """The bill `facts` call for. Without a read nothing is billable; otherwise every meter span is rated."""
    lines: list[ProposedLine] = []
    problems: list[tuple[str, str]] = []
    for index, span in enumerate(facts.spans):
        try:
            rated = engine.rate(
                tariffs(span.rate_class, span.size), start=span.from_date, end=span.to_date, units=span.units,
                size_label=span.size, proration=proration,
            )  # fmt: skip
        except engine.RatingError as error:
            problems.append(("no_rates", f"Meter {span.serial}: {error}"))
            continue
        lines.extend(ProposedLine(index, line) for line in rated)
    proposal = Proposal(facts.account_id, False, facts.spans, tuple(lines))
    for check in CHECKS:
        problems.extend(check(facts, proposal, limits))
    billable = bool(facts.spans) and not any(code == "no_rates" for code, _ in problems)
    return Proposal(facts.account_id, billable, facts.spans, tuple(lines), tuple(problems))


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
