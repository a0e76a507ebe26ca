"""What an account owes, asked of whoever keeps the books.

Customers sit below billing and the ledger, so they cannot import them. Instead each app that knows
about money an account owes registers a source here; the start-service check asks all of them. There is one:
the ledger's receivable. Balances converted from the previous system (OpeningBalance rows) are journal
entries since ledger migration 0009 (`opening_balances_into_ledger`), so they are counted there, once; the
rows stay as the conversion's record.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal

from cistern.core.money import money

# A source takes account ids and returns {account_id: amount owed}.
BalanceSource = Callable[[Iterable[int]], dict[int, Decimal]]

_sources: dict[str, BalanceSource] = {}


def register_balance_source(name: str, source: BalanceSource) -> None:
    _sources[name] = source


def balances_owed(account_ids: Iterable[int]) -> dict[int, Decimal]:
    ids = list(account_ids)
    totals = {account_id: Decimal("0.00") for account_id in ids}
    for source in _sources.values():
        for account_id, amount in source(ids).items():
            totals[account_id] = money(totals[account_id] + amount)
    return totals
