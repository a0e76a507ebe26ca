"""What the counter adds to the house: the account page's payments panel (core/panels.py) and the leads' home-page
queue of closed drawers to audit (core/queues.py). Registered from the app's ready()."""

from cistern.core import panels, queues

from . import selectors


def _payments(account, request):
    return {"parts": selectors.account_payments(account.pk)}


def register_all() -> None:
    panels.register(
        panels.AccountPanel(
            key="payments", title="Payments", template="payments/counter/_payments_panel.html",
            permission="payments.view_payment", context=_payments,
        )
    )  # fmt: skip
    queues.register(
        queues.WorkQueue(
            key="drawers_to_audit", title="Drawers to audit", permission="payments.audit_drawer",
            count=selectors.drawers_to_audit_count, url_name="payments:drawers",
            hint="Closed drawers waiting for a lead's sign-off (not your own).",
        )
    )  # fmt: skip
