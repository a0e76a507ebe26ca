"""The account page's "Service orders" panel (see core/panels.py)."""

from cistern.core import panels

from . import selectors


def _orders(account, request):
    return {"orders": selectors.account_orders(account)}


orders_panel = panels.AccountPanel(
    key="orders", title="Service orders", template="fieldwork/_orders_panel.html",
    permission="fieldwork.view_serviceorder", context=_orders,
)  # fmt: skip
