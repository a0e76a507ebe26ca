"""What the bank adds to the house: the home page's queues for leads and the office that pays refunds
(core/queues.py), the account page's panel of returned payments and refunds (core/panels.py), and the refund
row a final bill's settlement owes (billing's `final_bill_refunded`). Registered from the app's ready()."""

from cistern.billing import signals as billing_signals
from cistern.core import panels, queues

from . import bank
from .models import PaymentReturn, Refund, RefundStatus


def _returns_refunds(account, request):
    return {
        "returns": PaymentReturn.objects.filter(payment__parts__account=account)
        .select_related("payment")
        .distinct()[:20],
        "refunds": Refund.objects.filter(account=account).select_related("requested_by")[:20],
        "credit": bank.account_credit(account),
    }


def drawers_to_deposit(user) -> int:
    return bank.sessions_to_deposit().count()


def refunds_to_approve(user) -> int:
    return bank.refunds_waiting_for(user).count()


def refunds_to_export(user) -> int:
    # Not one whose entry was reversed since (a cancelled final bill's): the export sets those aside.
    waiting = Refund.objects.filter(status=RefundStatus.APPROVED, exported_at__isnull=True)
    return waiting.filter(entry__reversed_by__isnull=True).count()


def _final_bill_refunded(sender, *, actor, bill, entry_id, **kwargs) -> None:
    bank.refund_of_final_bill(actor=actor, bill=bill, entry_id=entry_id)


def register_all() -> None:
    billing_signals.final_bill_refunded.connect(_final_bill_refunded, dispatch_uid="payments_final_bill_refund")
    panels.register(
        panels.AccountPanel(
            key="returns_refunds", title="Returned payments and refunds", template="payments/bank/_account_panel.html",
            permission="payments.view_payment", context=_returns_refunds,
        )
    )  # fmt: skip
    queues.register(
        queues.WorkQueue(
            key="drawers_to_deposit", title="Drawers to deposit", permission="payments.prepare_deposit",
            count=drawers_to_deposit, url_name="payments:deposits",
            hint="Audited drawers whose cash and checks have not gone to the bank.",
        )
    )  # fmt: skip
    queues.register(
        queues.WorkQueue(
            key="refunds_to_approve", title="Refunds to approve", permission="payments.approve_refund",
            count=refunds_to_approve, url_name="payments:refunds",
            hint="Others' refunds of credit balances, within your limit.",
        )
    )  # fmt: skip
    queues.register(
        queues.WorkQueue(
            key="refunds_to_export", title="Refunds to send to accounts payable", permission="payments.export_refunds",
            count=refunds_to_export, url_name="payments:refund_exports",
            hint="Approved refunds not yet in a CSV for accounts payable.",
        )
    )  # fmt: skip
