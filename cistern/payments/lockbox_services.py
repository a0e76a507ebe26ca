"""Writes of the lockbox: a remittance file imported (its items posted in one batch or set aside in suspense),
a suspense item applied to an account or returned to the bank, and the bank's BAI2 day reconciled against the
items posted for it. One transaction each, audited.

Posting a file is a batch, not payment_post once per item (issue 11: "Lockbox import >= 5,000 payments/s on
PostgreSQL"): the accounts of the whole file are looked up in one query and locked together (ascending ids,
the one lock order), their receivable lines read in one query and turned into open charges by the ledger's own
code (selectors.movements, aging.open_items), each payment applied in file order by the payment services' own
rule (application.apply_payment with the district's priority), and the payments, tenders, parts, journal
entries and items written with a few COPY statements (core.bulk). What it writes is what payment_post writes
for a lockbox payment (debit cash, credit the account's receivable, one part per payment with `applied`,
`credit` and `balance_after`), except the audit trail: one row for the file (its counts and totals) instead
of a row per payment and per account. Applying a suspense item goes through the same path, one item at a
time, with its own audit row.

An item is set aside in suspense (the money is in the bank, no account is credited) when its scanline names
no account the district has, fails a check digit, is missing or unreadable, or names an account flagged cash
only ("cash only: checks refused"). A final or closed account still takes the payment: it pays the closing
balance or becomes a credit to refund. Suspense is not booked to a GL account (the chart has no suspense role):
the BAI2 reconciliation shows what is in suspense as part of the difference.
"""

import hashlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.bulk import among, insert_rows, reserve_ids
from cistern.core.money import ZERO
from cistern.core.permissions import require
from cistern.customers import account_number as numbers
from cistern.customers.models import Account, AccountFlag, FlagKind
from cistern.customers.services import accounts_lock
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLRole, JournalLine
from cistern.ledger.services import EntryDraft, Posting, journal_insert, journal_rows

from . import application, bai2_day, lockbox
from .models import (
    Bai2Reconciliation,
    Channel,
    LockboxFile,
    LockboxItem,
    LockboxStatus,
    Payment,
    PaymentPart,
    PaymentStatus,
    PaymentTender,
    TenderKind,
)
from .services import PAYMENT, PaymentError, charge_kind, priority

CASH_ONLY_REASON = "cash only: checks refused"
CHANNEL_LABEL = Channel.LOCKBOX.label.lower()


class ImportRefused(PaymentError):
    """The file is malformed; nothing was written. `errors` lists them as file:line:field: message."""

    def __init__(self, file_name: str, errors: list[str], total: int):
        self.file_name, self.errors, self.total = file_name, errors, total
        more = f" (the first {len(errors):,} are listed)" if total > len(errors) else ""
        super().__init__(
            f"{file_name} was not imported: {total:,} error{'s' if total != 1 else ''}{more}. "
            "Nothing was written; correct the file (or ask the bank for it again) and import it again.",
            "file",
        )


@dataclass(frozen=True)
class ImportResult:
    file: LockboxFile
    posted_total: Decimal
    suspense_total: Decimal

    @property
    def summary(self) -> str:
        f = self.file
        return (
            f"{f.file_name}: {f.items:,} items taken, {f.posted:,} posted (${self.posted_total:,.2f}), "
            f"{f.suspense:,} set aside in suspense (${self.suspense_total:,.2f}), {f.already:,} already posted."
        )


# --- the batch posting path ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToPost:
    """One lockbox payment to write: a check of `amount` paying `account_id`."""

    account_id: int
    customer_id: int
    amount: Decimal
    check_number: str
    received_on: date
    reference: str


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


def _lock_accounts(account_ids: list[int]) -> None:
    """customers.accounts_lock for a whole file: the same rows, the same ascending order, FOR UPDATE, but
    without making an Account object of each (at tens of thousands, that was most of the lock's time)."""
    ids = sorted(set(account_ids))
    if ids:
        list(
            among(Account.objects.select_for_update(), "id", ids).order_by("pk").values_list("pk", flat=True)
        )


def _cash_only(account_ids: list[int]) -> dict[int, list[AccountFlag]]:
    flags = among(AccountFlag.objects.filter(kind=FlagKind.CASH_ONLY), "account_id", account_ids)
    by_account = defaultdict(list)
    for flag in flags.only("account_id", "starts_on", "expires_on"):
        by_account[flag.account_id].append(flag)
    return by_account


def _refuses_checks(flags: dict[int, list[AccountFlag]], account_id: int, on: date) -> bool:
    return any(flag.is_in_force(on) for flag in flags.get(account_id, ()))


def _write_payments(actor, to_post: list[ToPost], *, note: str = "") -> list[int]:
    """Write the payments (their accounts locked by the caller), each applied to its account's open charges
    as payment_post applies one, in the order given; their ids, in that order."""
    if not to_post:
        return []
    account_ids = sorted({p.account_id for p in to_post})
    charges = _open_charges(account_ids)
    kinds = priority()
    cash = ledger_selectors.gl_code(GLRole.CASH)  # the bank already has the money
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    payment_ids = reserve_ids(Payment, len(to_post))
    now = timezone.now()
    drafts, parts = [], []
    for pk, p in zip(payment_ids, to_post, strict=True):
        receipt = f"R{pk:08d}"
        open_charges, balance = charges[p.account_id]
        applied = application.apply_payment(p.amount, open_charges, kinds)
        paid = {a.charge_id: a.amount for a in applied.allocations}
        # What this payment paid is no longer open for the account's next item in the file.
        left = [
            application.OpenCharge(c.id, c.due, c.kind, c.amount_open - paid.get(c.id, ZERO))
            for c in open_charges
        ]
        balance -= p.amount
        charges[p.account_id] = ([c for c in left if c.amount_open > 0], balance)
        allocations = [
            {"line": a.charge_id, "kind": a.kind, "due": a.due.isoformat(), "amount": str(a.amount)}
            for a in applied.allocations
        ]
        parts.append((pk, p.account_id, p.amount, json.dumps(allocations), applied.credit, balance))
        drafts.append(
            EntryDraft(
                entry_date=p.received_on,
                memo=f"Payment {receipt} ({CHANNEL_LABEL})",
                source_kind=PAYMENT,
                source_id=pk,
                reason=note or Channel.LOCKBOX.label,
                postings=(
                    Posting(cash, p.amount),
                    Posting(receivable, -p.amount, p.account_id, f"Payment {receipt}"),
                ),
            )  # fmt: skip
        )
    journal = journal_rows(actor=actor, drafts=drafts)
    journal_insert(journal)
    insert_rows(
        Payment,
        ["id", "customer_id", "channel", "session_id", "received_on", "amount", "status", "cash_tendered",
         "change_given", "reference", "idempotency_key", "request_fingerprint", "entry_id", "reversal_entry_id",
         "posted_by_id", "posted_at", "ended_by_id", "ended_at", "ended_reason"],
        (
            (pk, p.customer_id, Channel.LOCKBOX, None, p.received_on, p.amount, PaymentStatus.POSTED, None, ZERO,
             p.reference[:60], None, "", entry_id, None, actor.pk, now, None, None, "")
            for pk, p, entry_id in zip(payment_ids, to_post, journal.entry_ids, strict=True)
        ),
    )  # fmt: skip
    insert_rows(
        PaymentTender,
        ["payment_id", "kind", "amount", "check_number", "card_brand", "card_last_four", "reference"],
        ((pk, TenderKind.CHECK, p.amount, p.check_number[:20], "", "", "") for pk, p in zip(payment_ids, to_post, strict=True)),
    )  # fmt: skip
    insert_rows(
        PaymentPart, ["payment_id", "account_id", "amount", "applied", "credit", "balance_after"], parts
    )
    return payment_ids


# --- importing a file ------------------------------------------------------------------------------------


def _read(content) -> bytes:
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if isinstance(content, str):
        return content.encode()
    if hasattr(content, "chunks"):  # an uploaded file
        return b"".join(content.chunks())
    return content.read()


def _size_of(content) -> int | None:
    size = getattr(content, "size", None)
    if size is None and isinstance(content, io.IOBase) and content.seekable():
        here = content.tell()
        size = content.seek(0, io.SEEK_END) - here
        content.seek(here)
    return size


def lockbox_import(*, actor, file_name: str, content) -> ImportResult:
    """Import a remittance detail file (`content`: bytes, text or a binary file). All or nothing: a malformed
    file raises ImportRefused listing every error; an item imported before (in any file) is counted as
    already posted and never posted again."""
    require(actor, "payments.import_lockbox")
    file_name = (file_name or "lockbox.csv").replace("\\", "/").rsplit("/", 1)[-1][:200]
    limit = settings.CISTERN_UPLOAD_MAX_BYTES
    size = _size_of(content)
    if size is not None and size > limit:
        problem = f"is {size / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read (split it)"
        raise ImportRefused(file_name, [lockbox.FieldError(1, "file", problem).format(file_name)], 1)
    raw = _read(content)
    if len(raw) > limit:
        problem = f"is {len(raw) / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read (split it)"
        raise ImportRefused(file_name, [lockbox.FieldError(1, "file", problem).format(file_name)], 1)
    parsed = lockbox.parse_file(raw, today=clock.today(), max_rows=settings.CISTERN_UPLOAD_MAX_ROWS)
    if parsed.error_count:
        raise ImportRefused(file_name, [e.format(file_name) for e in parsed.errors], parsed.error_count)
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        return _store(actor, file_name, sha256, parsed)
    except IntegrityError:
        # Another import took some of these items a moment ago (the unique remittance key): read again, and
        # what it took counts as already posted.
        return _store(actor, file_name, sha256, parsed)


def _store(actor, file_name: str, sha256: str, parsed: lockbox.Parsed) -> ImportResult:
    items = parsed.items
    with transaction.atomic():
        wanted = {item.account_number for item in items if item.account_number}
        accounts = {
            number: (pk, customer_id)
            for pk, number, customer_id in among(Account.objects.all(), "number", sorted(wanted)).values_list(
                "pk", "number", "customer_id"
            )
        }
        # Locked before anything that depends on them is read (the open charges, the flags, what was posted).
        _lock_accounts([pk for pk, _ in accounts.values()])
        days = sorted({item.deposit_date for item in items})
        seen = set(
            LockboxItem.objects.filter(deposit_date__in=days).values_list(
                "scanline", "check_number", "amount", "deposit_date"
            )
        )
        new, again = lockbox.split_repeats(items, seen)
        flags = _cash_only([pk for pk, _ in accounts.values()])
        to_post, posted_items, held = [], [], []
        for item in new:
            reason, account = _judge(item, accounts, flags)
            if reason:
                held.append((item, reason, account))
            else:
                pk, customer_id = accounts[item.account_number]
                to_post.append(
                    ToPost(pk, customer_id, item.amount, item.check_number, item.deposit_date,
                           f"lockbox {file_name[:40]}:{item.line}")
                )  # fmt: skip
                posted_items.append(item)
        posted_total = sum((i.amount for i in posted_items), ZERO)
        held_total = sum((i.amount for i, _, _ in held), ZERO)
        record = LockboxFile.objects.create(
            file_name=file_name, sha256=sha256, items=len(items), posted=len(posted_items), suspense=len(held),
            already=len(again), total=parsed.total, imported_by=actor,
        )  # fmt: skip
        payment_ids = _write_payments(actor, to_post)
        rows = [
            (record.pk, i.line, i.scanline, i.amount, i.check_number, i.deposit_date, LockboxStatus.POSTED, "",
             p.account_id, payment_id, None, None, "")
            for i, p, payment_id in zip(posted_items, to_post, payment_ids, strict=True)
        ] + [
            (record.pk, i.line, i.scanline, i.amount, i.check_number, i.deposit_date, LockboxStatus.SUSPENSE,
             reason[:200], account, None, None, None, "")
            for i, reason, account in held
        ]  # fmt: skip
        rows.sort(key=lambda row: row[1])
        insert_rows(
            LockboxItem,
            ["file_id", "line", "scanline", "amount", "check_number", "deposit_date", "status", "reason",
             "account_id", "payment_id", "resolved_by_id", "resolved_at", "resolution_note"],
            rows,
        )  # fmt: skip
        audit_record(
            actor=actor, action="lockbox.import", obj=record,
            after={
                "file": file_name, "sha256": sha256, "items": len(items), "posted": len(posted_items),
                "posted_total": str(posted_total), "suspense": len(held), "suspense_total": str(held_total),
                "already": len(again), "total": str(parsed.total),
                "payments": [payment_ids[0], payment_ids[-1]] if payment_ids else [],
            },
        )  # fmt: skip
    return ImportResult(record, posted_total, held_total)


def _judge(item: lockbox.Item, accounts: dict, flags: dict) -> tuple[str, int | None]:
    """(why the item goes to suspense, the account its scanline names if any); ("", account) to post it."""
    if item.problem:
        return item.problem, None
    if numbers.check_digit_fails(item.account_number):
        return f"account number {item.account_number} on the scanline fails its check digit", None
    found = accounts.get(item.account_number)
    if found is None:
        return f"no account {item.account_number}", None
    if _refuses_checks(flags, found[0], item.deposit_date):
        return CASH_ONLY_REASON, found[0]
    return "", found[0]


# --- the suspense queue ----------------------------------------------------------------------------------


def suspense_count() -> int:
    return LockboxItem.objects.filter(status=LockboxStatus.SUSPENSE).count()


def _in_suspense(item: LockboxItem) -> LockboxItem:
    item = LockboxItem.objects.select_for_update().select_related("file").get(pk=item.pk)
    if item.status != LockboxStatus.SUSPENSE:
        raise PaymentError(f"This item is no longer in suspense: it is {item.get_status_display().lower()}.")
    return item


def suspense_apply(*, actor, item: LockboxItem, account_number: str, note: str = "") -> LockboxItem:
    """Apply a suspense item to the account the clerk found: its payment is posted (dated the deposit day)."""
    require(actor, "payments.change_lockboxitem")
    try:
        number = numbers.parse_account_number(account_number or "")
    except numbers.InvalidAccountNumber as e:
        raise PaymentError(str(e), "account") from None
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise PaymentError(f"There is no account {number}.", "account")
    note = (note or "").strip()
    with transaction.atomic():
        accounts_lock([account.pk])  # the one lock order: the account, then the item
        item = _in_suspense(item)
        if _refuses_checks(_cash_only([account.pk]), account.pk, item.deposit_date):
            raise PaymentError(
                f"Account {number} is cash only after returned payments: it takes no check. Return the item to "
                "the bank instead.",
                "account",
            )
        (payment_id,) = _write_payments(
            actor,
            [ToPost(account.pk, account.customer_id, item.amount, item.check_number, item.deposit_date,
                    f"lockbox {item.file.file_name[:40]}:{item.line}")],
            note=note,
        )  # fmt: skip
        before = {"status": item.status, "reason": item.reason}
        item.status, item.account, item.payment_id = LockboxStatus.APPLIED, account, payment_id
        item.resolved_by, item.resolved_at, item.resolution_note = actor, timezone.now(), note[:200]
        item.save(
            update_fields=["status", "account", "payment", "resolved_by", "resolved_at", "resolution_note"]
        )
        audit_record(
            actor=actor, action="lockbox.apply", obj=item, account_id=account.pk, reason=note, before=before,
            after={"status": item.status, "account": number, "payment": payment_id, "amount": str(item.amount)},
        )  # fmt: skip
    return item


def suspense_return(*, actor, item: LockboxItem, note: str) -> LockboxItem:
    """Mark a suspense item as sent back to the bank (no account is credited), with the clerk's note."""
    require(actor, "payments.change_lockboxitem")
    note = (note or "").strip()
    if not note:
        raise PaymentError("Say why the item goes back to the bank.", "note")
    with transaction.atomic():
        item = _in_suspense(item)
        before = {"status": item.status}
        item.status, item.resolved_by, item.resolved_at = LockboxStatus.RETURNED, actor, timezone.now()
        item.resolution_note = note[:200]
        item.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
        audit_record(
            actor=actor, action="lockbox.return", obj=item, reason=note, before=before,
            after={"status": item.status, "amount": str(item.amount)},
        )  # fmt: skip
    return item


# --- the BAI2 day --------------------------------------------------------------------------------------------

POSTED_STATUSES = (LockboxStatus.POSTED, LockboxStatus.APPLIED)


def bank_account() -> str:
    """The district's account at the bank whose lockbox deposits are reconciled; blank: every account the BAI2
    file reports (settings.CISTERN_LOCKBOX_BANK_ACCOUNT, when the bank reports more than the lockbox account)."""
    return getattr(settings, "CISTERN_LOCKBOX_BANK_ACCOUNT", "") or ""


def _day_figures(day: date) -> dict:
    figures = {}
    for status in LockboxStatus.values:
        amounts = LockboxItem.objects.filter(deposit_date=day, status=status).values_list("amount", flat=True)
        amounts = list(amounts)
        figures[status] = (len(amounts), sum(amounts, ZERO))
    return figures


def bai2_import(*, actor, file_name: str, content, account: str | None = None) -> list[Bai2Reconciliation]:
    """Reconcile the bank's BAI2 file: for each as-of date in it, the lockbox deposits (type 115) against the
    items posted for that deposit date. A malformed file raises PaymentError and writes nothing. The same day
    may be reconciled again (after suspense items are applied): each import is a row of the report."""
    require(actor, "payments.import_lockbox")
    file_name = (file_name or "bai2.txt").replace("\\", "/").rsplit("/", 1)[-1][:200]
    raw = _read(content)
    account = bank_account() if account is None else account.strip()
    try:
        days = bai2_day.lockbox_days(raw, account=account)
    except bai2_day.Bai2Error as e:
        raise PaymentError(f"{file_name} was not read: {e} Nothing was written.", "file") from None
    sha256 = hashlib.sha256(raw if isinstance(raw, bytes) else raw.encode()).hexdigest()
    made = []
    with transaction.atomic():
        for day in days:
            figures = _day_figures(day.as_of)
            posted = sum((figures[s][1] for s in POSTED_STATUSES), ZERO)
            details = {
                "account": account or "every account in the file",
                "accounts": list(day.accounts),
                "deposits": [
                    {"account": d.account, "amount": str(d.amount), "bank_reference": d.bank_reference,
                     "customer_reference": d.customer_reference, "text": d.text}
                    for d in day.deposits
                ],
                "items": {status: {"count": n, "total": str(total)} for status, (n, total) in figures.items()},
                "other_credits": day.other_types,
            }  # fmt: skip
            reconciliation = Bai2Reconciliation.objects.create(
                file_name=file_name, sha256=sha256, as_of=day.as_of, bank_lockbox_total=day.total,
                posted_lockbox_total=posted, difference=day.total - posted, details=details, imported_by=actor,
            )  # fmt: skip
            audit_record(
                actor=actor, action="lockbox.bai2", obj=reconciliation,
                after={"file": file_name, "as_of": day.as_of.isoformat(), "bank": str(day.total),
                       "posted": str(posted), "difference": str(reconciliation.difference)},
            )  # fmt: skip
            made.append(reconciliation)
    return made
