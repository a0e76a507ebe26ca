"""The account page's "Leak relief" panel (see core/panels.py): the account's applications and the link to apply."""

from cistern.core import panels

from . import selectors


def _assistance(account, request):
    return {"applications": selectors.account_applications(account)}


assistance_panel = panels.AccountPanel(
    key="assistance", title="Leak relief", template="assistance/_assistance_panel.html",
    permission="assistance.view_leakreliefapplication", context=_assistance,
)  # fmt: skip
