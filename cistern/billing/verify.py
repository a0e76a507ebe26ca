"""Billing's checks for manage.py verify_ledger: every standing bill is in the books as its charges, every
cancelled bill's entries are reversed, and no stopped account used water without a final bill."""

from django.db.models import Exists, OuterRef, Sum

from cistern.core.money import money
from cistern.customers.models import Account, AccountStatus
from cistern.ledger.models import JournalEntry, JournalLine
from cistern.metering.models import Read, ReadStatus

from .models import Bill, BillKind, LegacyBill

LIMIT = 100  # breaches listed per check


def breaches() -> list[str]:
    return _bills_against_entries() + _cancelled_bills_reversed() + _stopped_without_final_bill()


def _bills_against_entries() -> list[str]:
    """A standing bill's charges entry puts exactly its current charges on the receivable."""
    charged = dict(
        JournalLine.objects.filter(
            entry__source_kind="bill", entry__reverses__isnull=True, gl_account__receivable=True
        )
        .values("entry__source_id")
        .annotate(total=Sum("amount"))
        .values_list("entry__source_id", "total")
    )
    found = []
    for bill_id, charges in Bill.objects.filter(cancellation__isnull=True).values_list(
        "id", "current_charges"
    ):
        posted = money(charged.get(bill_id) or 0)
        if posted != charges:
            found.append(
                f"Bill {bill_id} charges ${charges:,.2f} but its entry puts ${posted:,.2f} on the receivable."
            )
            if len(found) >= LIMIT:
                break
    return found


def _cancelled_bills_reversed() -> list[str]:
    reversed_entry = JournalEntry.objects.filter(reverses=OuterRef("pk"))
    open_entries = JournalEntry.objects.filter(
        source_kind="bill",
        reverses__isnull=True,
        source_id__in=Bill.objects.filter(cancellation__isnull=False).values("id"),
    ).exclude(Exists(reversed_entry))
    return [
        f"Bill {bill_id} is cancelled but its charges entry is not reversed."
        for bill_id in open_entries.values_list("source_id", flat=True)[:LIMIT]
    ]


def _stopped_without_final_bill() -> list[str]:
    """A stopped account with usage in its service (an accepted read with consumption) and no final bill."""
    used = Read.objects.filter(account=OuterRef("pk"), status=ReadStatus.ACCEPTED, consumption__gt=0)
    final = Bill.objects.filter(account=OuterRef("pk"), kind=BillKind.FINAL, cancellation__isnull=True)
    legacy_final = LegacyBill.objects.filter(account=OuterRef("pk"), is_final=True)  # converted final bills
    stopped = Account.objects.filter(status__in=[AccountStatus.FINAL, AccountStatus.CLOSED]).filter(
        Exists(used)
    )
    return [
        f"Account {number} stopped on {end:%m/%d/%Y} with usage and no final bill."
        for number, end in stopped.exclude(Exists(final))
        .exclude(Exists(legacy_final))
        .values_list("number", "end_date")[:LIMIT]
    ]
