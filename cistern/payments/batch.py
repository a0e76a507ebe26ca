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
from cistern.customers.models import Account
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole, JournalLine

from . import application
from .models import Channel, Payment, PaymentPart, PaymentStatus, PaymentTender, TenderKind
from .services import PAYMENT, PaymentError, _tender_gl, charge_kind, priority

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


PAYMENT_COLUMNS = [
    "id", "customer_id", "channel", "session_id", "received_on", "amount", "status", "cash_tendered",
    "change_given", "reference", "idempotency_key", "request_fingerprint", "entry_id", "reversal_entry_id",
    "posted_by_id", "posted_at", "ended_by_id", "ended_at", "ended_reason",
]  # fmt: skip
TENDER_COLUMNS = ["payment_id", "kind", "amount", "check_number", "card_brand", "card_last_four", "reference"]
PART_COLUMNS = ["payment_id", "account_id", "amount", "applied", "credit", "balance_after"]


class _Entry:
    __slots__ = ("entry_date", "memo", "source_kind", "reverses_id")

    def __init__(self, entry_date, memo, source_kind, reverses_id):
        self.entry_date, self.memo, self.source_kind, self.reverses_id = (
            entry_date,
            memo,
            source_kind,
            reverses_id,
        )


class _Line:
    """A receivable line as ledger_selectors.movements reads it (the attributes it uses), from one row of one
    query for every account of the file, instead of a JournalLine model per line."""

    __slots__ = (
        "pk",
        "account_id",
        "amount",
        "due_date",
        "description",
        "entry_id",
        "gl_account_id",
        "entry",
    )

    def __init__(self, pk, account_id, amount, due_date, description, entry_id, gl_account_id, entry):
        self.pk, self.account_id, self.amount, self.due_date = pk, account_id, amount, due_date
        self.description, self.entry_id, self.gl_account_id, self.entry = (
            description,
            entry_id,
            gl_account_id,
            entry,
        )


_LINES = [
    "id", "account_id", "amount", "due_date", "description", "entry_id", "gl_account_id", "entry__entry_date",
    "entry__memo", "entry__source_kind", "entry__reverses_id",
]  # fmt: skip


def _movements(rows: list[tuple]) -> list[aging.Movement]:
    """An account's receivable lines as aging movements. An account with a reversal among its lines goes
    through ledger_selectors.movements (which pairs each reversing line with the line it reverses); the others,
    most of them, are turned into movements directly (the same values, nothing to pair)."""
    if any(row[10] is not None for row in rows):
        entries = {row[5]: _Entry(row[7], row[8], row[9], row[10]) for row in rows}
        return ledger_selectors.movements(
            _Line(r[0], r[1], r[2], r[3], r[4], r[5], r[6], entries[r[5]]) for r in rows
        )
    return [aging.Movement(r[7], r[2], r[3], r[4] or r[8], r[0], r[9], None) for r in rows]


def _open_charges(account_ids: list[int]) -> dict[int, tuple[list[application.OpenCharge], Decimal]]:
    """{account id: (its open charges as the payment services see them, its balance)} in one query."""
    rows = among(JournalLine.objects.filter(gl_account__receivable=True), "account_id", account_ids)
    by_account: dict[int, list[tuple]] = defaultdict(list)
    for row in rows.values_list(*_LINES).order_by().iterator(chunk_size=20_000):
        by_account[row[1]].append(row)
    found = {}
    for account_id in account_ids:
        lines = sorted(by_account.get(account_id, []), key=lambda r: (r[7], r[0]))  # receivable_lines' order
        items, _credit = aging.open_items(_movements(lines))
        charges = [
            application.OpenCharge(i.line_id, i.due, charge_kind(i), i.open)
            for i in items
            if i.line_id is not None
        ]
        found[account_id] = (charges, sum((line[2] for line in lines), ZERO))
    return found


def lock_accounts(account_ids) -> dict[int, int]:
    """customers.accounts_lock for a whole batch: the same rows, the same ascending order, FOR UPDATE, read as
    {account id: customer id} rather than an Account object each (at tens of thousands, that was most of the
    lock's time)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    return dict(
        among(Account.objects.select_for_update(), "id", ids).order_by("pk").values_list("pk", "customer_id")
    )


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
        found = _open_charges(sorted(customers))
        charges = {pk: open_charges for pk, (open_charges, _) in found.items()}
        balances = {pk: balance for pk, (_, balance) in found.items()}
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
            drafts.append(ledger.EntryDraft(item.received_on or received_on, f"Payment {receipt} ({label})", PAYMENT,
                                            pk, postings, note or Channel(channel).label))  # fmt: skip
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
    return ids
