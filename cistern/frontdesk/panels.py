"""The account page's "Cases" and "Calls" panels (see core/panels.py)."""

from cistern.core import clock, panels

from . import selectors


def _cases(account, request):
    return {"cases": selectors.account_cases(account), "today": clock.today()}


def _calls(account, request):
    return {"calls": selectors.account_calls(account)}


cases_panel = panels.AccountPanel(
    key="cases", title="Cases", template="frontdesk/_cases_panel.html", permission="frontdesk.view_case",
    context=_cases,
)  # fmt: skip
calls_panel = panels.AccountPanel(
    key="calls", title="Calls", template="frontdesk/_calls_panel.html", permission="frontdesk.view_call",
    context=_calls,
)  # fmt: skip
