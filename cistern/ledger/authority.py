"""Credits that other apps make under a clerk's adjustment authority (billing's bill cancellations).

An adjustment limit caps one credit and also the day's total a clerk credits one account. The ledger knows its
own adjustments; an app above it that makes credits of its own registers a `CreditSource` at start-up (its
`ready()`), so that the ledger can count them in the day's total and the Approvals page can list what of theirs
waits for a lead. The ledger imports none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Waiting:
    """A credit waiting for a lead's approval, as the Approvals page lists it."""

    pk: int
    what: str  # e.g. "Cancel bill 123 and rebill"
    account_number: str
    customer: str
    credit: Decimal
    reason: str
    requested_by: str
    requested_at: datetime
    why_approval: str
    decide_url: str  # POST decision=approve|reject, note


@dataclass(frozen=True)
class CreditSource:
    key: str
    title: str  # its heading on the Approvals page
    credited: Callable[[int, int, date], Decimal]  # (actor id, account id, day) -> what the actor credited
    waiting: Callable[[], list[Waiting]]  # oldest first


_sources: dict[str, CreditSource] = {}


def register(source: CreditSource) -> None:
    _sources[source.key] = source


def sources() -> list[CreditSource]:
    return list(_sources.values())
