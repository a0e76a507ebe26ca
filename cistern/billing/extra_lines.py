"""Lines a bill carries for the apps above billing: collections' payment arrangement (the installment this
bill asks for and what is left). Billing sits below them, so each registers a source when it loads; the bill's
document (PDF and page) asks every source. A source takes the bill and returns its lines, already in the
bill's language."""

from collections.abc import Callable

Source = Callable[[object], list[str]]  # (bill) -> lines of text

_sources: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    _sources[name] = source


def lines_for(bill) -> list[str]:
    found: list[str] = []
    for source in _sources.values():
        found.extend(source(bill))
    return found
