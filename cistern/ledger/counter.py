"""What the ledger tells the counter: its figures in the account summary (customers/summary.py) and its
queue on the home page (core/queues.py). Registered from the app's ready()."""

from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import Abs

from cistern.core import queues
from cistern.core.money import money
from cistern.core.selectors import authority_limit
from cistern.customers import summary

from . import aging, selectors
from .models import Adjustment, AdjustmentStatus

ZERO = aging.ZERO


def account_figures(account, on: date) -> dict:
    """Past due (the open charges whose due date has passed), the deposit held, and the credits waiting for
    a lead's approval."""
    buckets = aging.aging(selectors.movements(selectors.receivable_lines(account.pk)), on)
    past_due = sum((amount for key, amount in buckets.items() if key != aging.NOT_DUE), ZERO)
    waiting = Adjustment.objects.filter(
        account_id=account.pk, status=AdjustmentStatus.PENDING, amount__gt=0
    ).aggregate(total=Sum("amount"), n=Count("id"))
    return {
        "past_due": money(past_due),
        "deposit_held": selectors.deposits_held([account.pk])[account.pk],
        "pending_credits": money(waiting["total"] or ZERO),
        "pending_credit_count": waiting["n"],
    }


def adjustments_waiting(user) -> int:
    """Adjustments this user may decide: waiting, not their own, within their adjustment limit."""
    limit = authority_limit(user=user, kind="adjustment")
    waiting = Adjustment.objects.filter(status=AdjustmentStatus.PENDING).exclude(requested_by=user)
    if limit.is_finite():
        waiting = waiting.alias(size=Abs("amount")).filter(size__lte=limit)
    return waiting.count()


def register_all() -> None:
    summary.register(
        summary.SummarySource(key="ledger", permission="ledger.view_journalentry", figures=account_figures)
    )
    queues.register(
        queues.WorkQueue(
            key="adjustments", title="Adjustments to approve", permission="ledger.approve_adjustment",
            count=adjustments_waiting, url_name="ledger:adjustments_pending",
            hint="Others' adjustments above their limit and within yours.",
        )
    )  # fmt: skip
