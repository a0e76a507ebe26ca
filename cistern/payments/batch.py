"""Many payments that arrive together (a lockbox file, an autopay settlement, a conversion's history), posted
as one batch: the same rows and entries `services.payment_post` writes one by one (the payment, its tender,
its part applied to the open charges by due date and priority, one journal entry each), written a table at a
time in one transaction and audited as one batch with the payments' id range. A batch takes no drawer: cash
is never in one."""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.bulk import among, insert_rows, reserve_ids
from cistern.core.money import ZERO, is_cents
from cistern.core.permissions import require
from cistern.customers.services import accounts_lock
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole, JournalLine

from . import application
from .models import Channel, Payment, PaymentPart, PaymentStatus, PaymentTender, TenderKind
from .services import PAYMENT, PaymentError, _tender_gl, charge_kind, priority

# Who may post a batch of each channel.
PERMISSION = {
    Channel.LOCKBOX: "payments.import_lockbox",
    Channel.AUTOPAY: "payments.export_autopay",
    Channel.ONLINE: "payments.post_remote_payment",
    Channel.PHONE: "payments.post_remote_payment",
    Channel.ACH: "payments.post_remote_payment",
    # What the prior system took before the conversion, recorded with the balances it settles.
    Channel.CONVERSION: "ledger.post_opening_balance",
}


@dataclass(frozen=True)
class BatchItem:
    account_id: int
    amount: Decimal
    tender: str = TenderKind.ELECTRONIC
    check_number: str = ""
    reference: str = ""


PAYMENT_COLUMNS = [
    "id", "customer_id", "channel", "session_id", "received_on", "amount", "status", "cash_tendered",
    "change_given", "reference", "idempotency_key", "request_fingerprint", "entry_id", "reversal_entry_id",
    "posted_by_id", "posted_at", "ended_by_id", "ended_at", "ended_reason",
]  # fmt: skip
TENDER_COLUMNS = ["payment_id", "kind", "amount", "check_number", "card_brand", "card_last_four", "reference"]
PART_COLUMNS = ["payment_id", "account_id", "amount", "applied", "credit", "balance_after"]


def _open_charges(account_ids: list[int]) -> tuple[dict[int, list], dict[int, Decimal]]:
    """{account: its open charges as application.OpenCharge, oldest due first} and {account: balance}, from
    one read of the accounts' receivable lines."""
    lines = defaultdict(list)
    query = among(JournalLine.objects.filter(gl_account__receivable=True), "account_id", account_ids)
    for line in query.select_related("entry").order_by("entry__entry_date", "id"):
        lines[line.account_id].append(line)
    charges, balances = {}, {}
    for account_id in account_ids:
        items, _ = aging.open_items(ledger_selectors.movements(lines[account_id]))
        charges[account_id] = [
            application.OpenCharge(i.line_id, i.due, charge_kind(i), i.open)
            for i in items
            if i.line_id is not None
        ]
        balances[account_id] = sum((line.amount for line in lines[account_id]), ZERO)
    return charges, balances


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
    *, actor, channel: str, received_on: date, items: list[BatchItem], note: str = ""
) -> list[int]:
    """Post every item as one payment of `channel` dated `received_on`, all or nothing. Returns the payments'
    ids in the items' order."""
    if channel not in PERMISSION:
        raise PaymentError(f"A batch takes no {channel} payments.", "channel")
    require(actor, PERMISSION[channel])
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
        accounts = {a.pk: a for a in accounts_lock(item.account_id for item in items)}
        missing = sorted({item.account_id for item in items} - set(accounts))
        if missing:
            raise PaymentError(f"No account with id {missing[0]}.", "account")
        charges, balances = _open_charges(sorted(accounts))
        kinds = priority()
        receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
        money_side = {kind: ledger_selectors.gl_code(_tender_gl(channel, kind)) for kind in TenderKind.values}
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
            drafts.append(ledger.EntryDraft(received_on, f"Payment {receipt} ({label})", PAYMENT, pk, postings,
                                            note or Channel(channel).label))  # fmt: skip
            tenders.append(
                (pk, item.tender, item.amount, item.check_number[:20], "", "", item.reference[:60])
            )
            allocations = [
                {"line": a.charge_id, "kind": a.kind, "due": a.due.isoformat(), "amount": str(a.amount)}
                for a in applied.allocations
            ]
            parts.append((pk, item.account_id, item.amount, json.dumps(allocations), applied.credit,
                          balances[item.account_id]))  # fmt: skip
        rows = ledger.journal_rows(actor=actor, drafts=drafts)
        ledger.journal_insert(rows)
        now = timezone.now()
        insert_rows(
            Payment, PAYMENT_COLUMNS,
            (
                (pk, accounts[item.account_id].customer_id, channel, None, received_on, item.amount,
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
            after={"channel": channel, "received_on": received_on.isoformat(), "payments": len(ids),
                   "total": str(total), "first_payment": ids[0], "last_payment": ids[-1]},
        )  # fmt: skip
    return ids
