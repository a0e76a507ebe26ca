"""The district's today, from one place, so a test or the demo district's history can set it.

Services ask `clock.today()` for the date a thing happens (a bill date, a due date, a read taken "today");
`clock.on(day)` sets that date for the code inside it (the demo replays its history day by day through the
same services a clerk uses). Timestamps of when a row was written stay the real time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.utils import timezone

_today: ContextVar[date | None] = ContextVar("cistern_today", default=None)


def today() -> date:
    """The district's date: the one set by `on`, else today in the district's time zone."""
    day = _today.get()
    return day if day is not None else timezone.localdate()


@contextmanager
def on(day: date) -> Iterator[date]:
    """Make `today()` answer `day` inside the block."""
    token = _today.set(day)
    try:
        yield day
    finally:
        _today.reset(token)
