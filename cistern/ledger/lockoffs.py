"""Which accounts were locked off, asked of whoever sends the field crews.

Lock-offs are service orders of field work, which sits above the ledger; the deposit's good-payment rule
(no lock-off in the window) asks here, and field work registers its answer when it loads (FieldworkConfig).
"""

from collections.abc import Callable, Iterable
from datetime import date

# A source takes account ids and a date and returns the ids of those locked off on or after that date.
LockoffSource = Callable[[Iterable[int], date], set[int]]

_sources: dict[str, LockoffSource] = {}


def register_lockoff_source(name: str, source: LockoffSource) -> None:
    _sources[name] = source


def locked_off_since(account_ids: Iterable[int], since: date) -> set[int]:
    ids = list(account_ids)
    found: set[int] = set()
    for source in _sources.values():
        found |= source(ids, since)
    return found
