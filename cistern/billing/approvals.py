"""Bill cancellations as credits under the clerk's adjustment authority, told to the ledger (ledger/authority.py):
what a clerk's cancellations credited an account on a day (the day's total), and those waiting for a lead
(the Approvals page)."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse

from cistern.core.money import money
from cistern.ledger import authority

from .models import BillCancelRequest, CancelStatus


def credited(actor_id: int, account_id: int, day: date) -> Decimal:
    """The credits of the cancellations `actor` asked for on `account` that were made on `day`."""
    total = BillCancelRequest.objects.filter(
        requested_by_id=actor_id, bill__account_id=account_id, status=CancelStatus.APPROVED, done_on=day
    ).aggregate(total=Sum("credit"))["total"]
    return money(total or Decimal(0))


def waiting() -> list[authority.Waiting]:
    requests = BillCancelRequest.objects.filter(status=CancelStatus.PENDING).select_related(
        "bill__account__customer", "requested_by"
    )
    return [
        authority.Waiting(
            pk=r.pk,
            what=f"Cancel bill {r.bill_id}{' and rebill' if r.rebill else ''}",
            account_number=r.bill.account.number,
            customer=str(r.bill.account.customer),
            credit=r.credit,
            reason=r.reason,
            requested_by=r.requested_by.get_full_name() or r.requested_by.username,
            requested_at=r.requested_at,
            why_approval=r.why_approval,
            decide_url=reverse("billing:cancel_decide", args=[r.pk]),
        )
        for r in requests.order_by("requested_at", "id")
    ]


def register_all() -> None:
    authority.register(
        authority.CreditSource(
            key="bill_cancellations",
            title="Bill cancellations to approve",
            credited=credited,
            waiting=waiting,
        )
    )
