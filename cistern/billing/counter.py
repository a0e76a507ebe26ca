"""What billing tells the counter: the latest bill, credits waiting and "held from billing" in the account
summary (customers/summary.py), and its queues on the home page (core/queues.py): cancellations and runs to
approve, accounts not billed. Registered from the app's ready()."""

from datetime import date

from django.db.models import Count, Sum
from django.urls import reverse

from cistern.core import queues
from cistern.core.money import money
from cistern.core.selectors import authority_limit
from cistern.customers import summary

from . import unbilled
from .models import Bill, BillCancelRequest, BillRun, CancelStatus, RunStatus

ZERO = money(0)


def account_figures(account, on: date) -> dict:
    latest = (
        Bill.objects.filter(account_id=account.pk, cancellation__isnull=True)
        .order_by("-bill_date", "-id")
        .values("pk", "bill_date", "due_date", "amount_due", "kind")
        .first()
    )
    waiting = BillCancelRequest.objects.filter(
        bill__account_id=account.pk, status=CancelStatus.PENDING, credit__gt=0
    ).aggregate(total=Sum("credit"), n=Count("id"))
    held = unbilled.held_from_billing(account.pk)
    figures = {
        "pending_credits": money(waiting["total"] or ZERO),
        "pending_credit_count": waiting["n"],
    }
    if latest is not None:
        figures["last_bill"] = {**latest, "url": reverse("billing:bill", args=[latest["pk"]])}
    if held is not None:
        figures["held"] = {"since": held.since, "reason": held.reason}
    return figures


def cancellations_waiting(user) -> int:
    """Bill cancellations this user may decide: waiting, not their own, within their adjustment limit."""
    limit = authority_limit(user=user, kind="adjustment")
    waiting = BillCancelRequest.objects.filter(status=CancelStatus.PENDING).exclude(requested_by=user)
    if limit.is_finite():
        waiting = waiting.filter(credit__lte=limit)
    return waiting.count()


def runs_to_approve(user) -> int:
    """Trial runs waiting for approval by someone other than whoever calculated them."""
    return BillRun.objects.filter(status=RunStatus.CALCULATED).exclude(calculated_by=user).count()


def accounts_not_billed(user) -> int:
    return unbilled.not_billed_count()


def register_all() -> None:
    summary.register(
        summary.SummarySource(key="billing", permission="billing.view_bill", figures=account_figures)
    )
    for queue in [
        queues.WorkQueue(
            key="bill_cancellations", title="Bill cancellations to approve", permission="ledger.approve_adjustment",
            count=cancellations_waiting, url_name="ledger:adjustments_pending",
            hint="Cancel-and-rebill credits above the clerk's limit.",
        ),
        queues.WorkQueue(
            key="bill_runs", title="Bill runs to approve", permission="billing.approve_billrun",
            count=runs_to_approve, url_name="billing:run_list", hint="Trial runs calculated by someone else.",
        ),
        queues.WorkQueue(
            key="accounts_not_billed", title="Accounts not billed", permission="billing.view_unbilledreview",
            count=accounts_not_billed, url_name="billing:accounts_not_billed",
            hint="Held by the last run of their cycle, or stopped with no final bill.",
        ),
    ]:  # fmt: skip
        queues.register(queue)
