"""Writes of the lockbox: a remittance file imported (its items posted in one batch or set aside in suspense),
a suspense item applied to an account or returned to the bank, and the bank's BAI2 day reconciled against the
items posted for it. One transaction each, audited.

Posting a file is a batch, not payment_post once per item (issue 11: "Lockbox import >= 5,000 payments/s on
PostgreSQL"): the accounts of the whole file are looked up in one query and locked together (ascending ids,
the one lock order), and the items to post go to `batch.payments_post_batch` (what payment_post writes for a
lockbox payment, a table at a time, in file order: debit cash, credit the account's receivable), with the
items written in one more statement. The audit trail has one row for the file (its counts and totals) and
the batch's own. Applying a suspense item goes through the same path, one item at a time, with its own audit
row.

An item is set aside in suspense (the money is in the bank, no account is credited) when its scanline names
no account the district has, fails a check digit, is missing or unreadable, or names an account flagged cash
only ("cash only: checks refused"). A final or closed account still takes the payment: it pays the closing
balance or becomes a credit to refund. Suspense is not booked to a GL account (the chart has no suspense role):
the BAI2 reconciliation shows what is in suspense as part of the difference.
"""

import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record
from cistern.core.bulk import among, insert_rows
from cistern.core.money import ZERO
from cistern.core.permissions import require
from cistern.customers import account_number as numbers
from cistern.customers.models import Account, AccountFlag, FlagKind
from cistern.customers.services import accounts_lock

from . import bai2_day, batch, lockbox, posting
from .models import (
    Bai2Reconciliation,
    Channel,
    LockboxFile,
    LockboxItem,
    LockboxStatus,
    TenderKind,
)
from .services import PaymentError

CASH_ONLY_REASON = "cash only: checks refused"


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


def _to_post(account_id: int, item, file_name: str) -> batch.BatchItem:
    """A remittance as the batch posts it: a check, dated the day the bank deposited it."""
    return batch.BatchItem(account_id, item.amount, TenderKind.CHECK, item.check_number,
                           f"lockbox {file_name[:40]}:{item.line}", received_on=item.deposit_date)  # fmt: skip


def _cash_only(account_ids: list[int]) -> dict[int, list[AccountFlag]]:
    flags = among(AccountFlag.objects.filter(kind=FlagKind.CASH_ONLY), "account_id", account_ids)
    by_account = defaultdict(list)
    for flag in flags.only("account_id", "starts_on", "expires_on"):
        by_account[flag.account_id].append(flag)
    return by_account


def _refuses_checks(flags: dict[int, list[AccountFlag]], account_id: int, on: date) -> bool:
    return any(flag.is_in_force(on) for flag in flags.get(account_id, ()))


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
        posting.lock_accounts([pk for pk, _ in accounts.values()])
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
                pk, _customer = accounts[item.account_number]
                to_post.append(_to_post(pk, item, file_name))
                posted_items.append(item)
        posted_total = sum((i.amount for i in posted_items), ZERO)
        held_total = sum((i.amount for i, _, _ in held), ZERO)
        record = LockboxFile.objects.create(
            file_name=file_name, sha256=sha256, items=len(items), posted=len(posted_items), suspense=len(held),
            already=len(again), total=parsed.total, imported_by=actor,
        )  # fmt: skip
        payment_ids = batch.payments_post_batch(actor=actor, channel=Channel.LOCKBOX, items=to_post)
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
        (payment_id,) = batch.payments_post_batch(
            actor=actor,
            channel=Channel.LOCKBOX,
            items=[_to_post(account.pk, item, item.file.file_name)],
            note=note,
        )
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
