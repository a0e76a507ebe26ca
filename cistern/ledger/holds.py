"""Accounts on which no late fee is charged for a while, asked of whoever holds them.

An app above the ledger that holds an account's late fees (customer assistance: a leak-relief application under
review) registers a source at start-up (its `ready()`); `assess_late_fees` skips the accounts any source holds
on the day it runs. The ledger imports none of them.
"""

from collections.abc import Callable, Iterable
from datetime import date

# A source takes account ids and a date and returns the ids of those whose late fees it holds on that date.
LateFeeHold = Callable[[Iterable[int], date], set[int]]

_sources: dict[str, LateFeeHold] = {}


def register_late_fee_hold(name: str, source: LateFeeHold) -> None:
    _sources[name] = source


def held_accounts(account_ids: Iterable[int], on: date) -> set[int]:
    """The ids among `account_ids` whose late fees some source holds on `on`."""
    ids = list(account_ids)
    found: set[int] = set()
    if not ids:
        return found
    for source in _sources.values():
        found |= set(source(ids, on))
    return found
