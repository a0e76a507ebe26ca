"""Many payments that arrive together (a lockbox file, an autopay settlement, a conversion's history), posted
as one batch: the same rows and entries `services.payment_post` writes one by one (the payment, its tender,
its part applied to the open charges by due date and priority, one journal entry each), written a table at a
time in one transaction and audited as one batch with the payments' id range. A batch takes no drawer: cash
is never in one."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.bulk import insert_rows, reserve_ids
from cistern.core.logs import log_event
from cistern.core.money import ZERO, is_cents
from cistern.core.permissions import require
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole

from . import application
from .models import Channel, Payment, PaymentPart, PaymentStatus, PaymentTender, TenderKind
from .posting import (
    PART_COLUMNS,
    PAYMENT,
    PAYMENT_COLUMNS,
    TENDER_COLUMNS,
    allocations,
    chart,
    lock_accounts,
    open_charges,
    tender_gl,
)
from .services import PaymentError
from .signals import payment_posted

# Who may post a batch of each channel.
PERMISSION = {
    # A file imported, or one of its items applied from suspense.
    Channel.LOCKBOX: ("payments.import_lockbox", "payments.change_lockboxitem"),
    Channel.AUTOPAY: ("payments.export_autopay",),
    Channel.ONLINE: ("payments.post_remote_payment",),
    Channel.PHONE: ("payments.post_remote_payment",),
    Channel.ACH: ("payments.post_remote_payment",),
    # What the prior system took before the conversion, recorded with the balances it settles.
    Channel.CONVERSION: ("ledger.post_opening_balance",),
}


@dataclass(frozen=True)
class BatchItem:
    account_id: int
    amount: Decimal
    tender: str = TenderKind.ELECTRONIC
    check_number: str = ""
    reference: str = ""
    received_on: date | None = None  # its own date (a lockbox item's deposit day), else the batch's


def _apply(charges: list, amount: Decimal, kinds) -> tuple[application.Application, list]:
    """The application of `amount`, and the charges still open after it (the next payment's)."""
    applied = application.apply_payment(amount, charges, kinds)
    paid = {a.charge_id: a.amount for a in applied.allocations}
    left = [
        application.OpenCharge(c.id, c.due, c.kind, c.amount_open - paid.get(c.id, ZERO))
        for c in charges
        if c.amount_open - paid.get(c.id, ZERO) > 0
    ]
    return applied, left


def payments_post_batch(
    *, actor, channel: str, items: list[BatchItem], received_on: date | None = None, note: str = ""
) -> list[int]:
    """Post every item as one payment of `channel` dated `received_on` (or its own date), all or nothing, in
    the items' order (an account's second item pays what its first left open). Returns the payments' ids in
    the items' order."""
    if channel not in PERMISSION:
        raise PaymentError(f"A batch takes no {channel} payments.", "channel")
    if not any(actor is not None and actor.has_perm(p) for p in PERMISSION[channel]):
        require(actor, PERMISSION[channel][0])
    if received_on is None and any(item.received_on is None for item in items):
        raise PaymentError("Give the payments' date.", "received_on")
    for i, item in enumerate(items, start=1):
        if not is_cents(item.amount) or item.amount <= 0:
            raise PaymentError(
                f"Item {i}: an amount more than zero, to the cent, not {item.amount}.", "amount"
            )
        if item.tender not in (TenderKind.CHECK, TenderKind.MONEY_ORDER, TenderKind.ELECTRONIC):
            raise PaymentError(
                f"Item {i}: a batch takes checks, money orders and electronic payments.", "tender"
            )
    if not items:
        return []
    with transaction.atomic():
        customers = lock_accounts(item.account_id for item in items)
        missing = sorted({item.account_id for item in items} - set(customers))
        if missing:
            raise PaymentError(f"No account with id {missing[0]}.", "account")
        found = open_charges(sorted(customers))
        charges = {pk: still_open for pk, (still_open, _) in found.items()}
        balances = {pk: balance for pk, (_, balance) in found.items()}
        gl = chart()  # the chart and the payment priority, in one read
        kinds = gl.priority
        receivable = gl.codes[GLRole.RECEIVABLE]
        money_side = {kind: gl.code(tender_gl(channel, kind)) for kind in {item.tender for item in items}}
        ids = reserve_ids(Payment, len(items))
        drafts, tenders, parts = [], [], []
        label = Channel(channel).label.lower()
        for pk, item in zip(ids, items, strict=True):
            receipt = f"R{pk:08d}"
            applied, charges[item.account_id] = _apply(charges[item.account_id], item.amount, kinds)
            balances[item.account_id] -= item.amount
            postings = (
                ledger.Posting(money_side[item.tender], item.amount),
                ledger.Posting(receivable, -item.amount, item.account_id, f"Payment {receipt}"),
            )
            drafts.append(ledger.EntryDraft(item.received_on or received_on, f"Payment {receipt} ({label})", PAYMENT,
                                            pk, postings, note or Channel(channel).label))  # fmt: skip
            tenders.append(
                (pk, item.tender, item.amount, item.check_number[:20], "", "", item.reference[:60])
            )
            parts.append((pk, item.account_id, item.amount, json.dumps(allocations(applied)), applied.credit,
                          balances[item.account_id]))  # fmt: skip
        rows = ledger.journal_rows(actor=actor, drafts=drafts, chart=gl.accounts)
        ledger.journal_insert(rows)
        now = timezone.now()
        insert_rows(
            Payment, PAYMENT_COLUMNS,
            (
                (pk, customers[item.account_id], channel, None, item.received_on or received_on, item.amount,
                 PaymentStatus.POSTED, None, ZERO, item.reference[:60], None, "", entry_id, None, actor.pk, now,
                 None, None, "")
                for pk, item, entry_id in zip(ids, items, rows.entry_ids, strict=True)
            ),
        )  # fmt: skip
        insert_rows(PaymentTender, TENDER_COLUMNS, tenders)
        insert_rows(PaymentPart, PART_COLUMNS, parts)
        total = sum((item.amount for item in items), ZERO)
        audit_record(
            actor=actor, action="payment.batch", obj=Payment(pk=ids[0], amount=items[0].amount), reason=note,
            after={"channel": channel, "received_on": str(received_on or items[0].received_on), "payments": len(ids),
                   "total": str(total), "first_payment": ids[0], "last_payment": ids[-1]},
        )  # fmt: skip
        amounts: dict[int, Decimal] = {}
        for item in items:
            amounts[item.account_id] = amounts.get(item.account_id, ZERO) + item.amount
        payment_posted.send(
            sender=Payment, actor=actor, payment=None, account_ids=sorted(amounts), amounts=amounts,
            on=received_on or max(item.received_on for item in items),
        )  # fmt: skip
    log_event("payments.batch_posted", user=actor, channel=channel, payments=len(ids), total=str(total))
    return ids
