"""A row of the accessibility table (test_accessibility.py): one page, as the role that works there."""

from typing import NamedTuple


class Page(NamedTuple):
    name: str  # the URL name in the permission matrix (tests/matrix/*.py), or what the page is
    user: str | None  # who signs in (a demo user, or "root" the superuser); None: signed out
    path: str  # {placeholders} are filled from the demo district's facts below
    status: int = 200
    fill: str = ""  # a field typed into after the page opens (results that open as you type are audited too)
    text: str = ""  # what is typed
    appears: str = ""  # what the typing brings up, waited for before axe runs
