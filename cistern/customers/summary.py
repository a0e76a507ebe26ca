"""The account page's summary: what a clerk needs first, in one block at the top of the page.

Balance, past due, the latest bill's due date, deposit held, credits waiting for approval, flags in force
(with their expiry), held from billing (and why), and the account's status on the day. Customers sit below
the ledger and billing, so they cannot ask them; each app that knows a figure registers a source here at
start-up (its `ready()`), as panels are registered (core/panels.py), and this module reads them all. The
balance comes from the balance sources (customers/balances.py), the same figure the start-service check uses.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cistern.core.money import money

from . import status as account_status
from .balances import balances_owed
from .models import Account

ZERO = Decimal("0.00")

# The figures sources may give, with how several sources' values combine: money adds up; the others are
# given by one source (the first that gives one wins).
MONEY_FIGURES = ("past_due", "deposit_held", "pending_credits")
OTHER_FIGURES = (
    "pending_credit_count",  # int: how many credits wait
    "last_bill",  # dict: {"bill_date", "due_date", "amount_due", "url"}
    "held",  # dict: {"since", "reason", "url"}
)

# (account, day) -> {figure: value}
Figures = Callable[[Account, date], dict]


@dataclass(frozen=True)
class SummarySource:
    key: str
    permission: str  # the user sees its figures only with this permission
    figures: Figures


_sources: dict[str, SummarySource] = {}


def register(source: SummarySource) -> None:
    _sources[source.key] = source


@dataclass
class AccountSummary:
    on: date
    status: str  # on the day (status.status_on)
    status_label: str
    stop_scheduled: date | None
    balance: Decimal | None = None
    past_due: Decimal | None = None
    deposit_held: Decimal | None = None
    pending_credits: Decimal | None = None
    pending_credit_count: int = 0
    last_bill: dict | None = None
    held: dict | None = None
    flags: list = field(default_factory=list)  # AccountFlag in force on the day

    @property
    def owes(self) -> bool:
        return self.balance is not None and self.balance > 0

    @property
    def credit(self) -> bool:
        return self.balance is not None and self.balance < 0


def account_summary(account: Account, user, on: date) -> AccountSummary:
    """The summary of `account` on `on`, with the figures `user` may see."""
    current = account.status_on(on)
    summary = AccountSummary(
        on=on,
        status=current,
        status_label=account.status_label_on(on),
        stop_scheduled=account_status.stop_scheduled(account.status, account.end_date, on),
        flags=[f for f in account.flags.all() if f.is_in_force(on)],
    )
    if user.has_perm("customers.view_account"):
        summary.balance = balances_owed([account.pk])[account.pk]
    for source in _sources.values():
        if not user.has_perm(source.permission):
            continue
        for key, value in source.figures(account, on).items():
            if key in MONEY_FIGURES:
                before = getattr(summary, key)
                setattr(summary, key, money((before or ZERO) + value))
            elif key == "pending_credit_count":
                summary.pending_credit_count += value
            elif key in OTHER_FIGURES and getattr(summary, key) is None:
                setattr(summary, key, value)
            elif key not in OTHER_FIGURES:
                raise ValueError(f"Summary source {source.key!r} gives an unknown figure {key!r}")
    return summary
