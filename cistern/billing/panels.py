"""The account page's bills panel (see core/panels.py)."""

from cistern.core import panels

from . import selectors, unbilled


def _bills(account, request):
    bills = selectors.account_bills(account.pk)
    final = any(b.kind == "final" and not hasattr(b, "cancellation") for b in bills)
    return {
        "bills": bills,
        "needs_final_bill": account.status == "final" and not final,
        "held": unbilled.held_from_billing(account.pk),
    }


def register_all() -> None:
    panels.register(
        panels.AccountPanel(
            key="bills", title="Bills", template="billing/_bills_panel.html", permission="billing.view_bill",
            context=_bills,
        )
    )  # fmt: skip
