"""Writes to the ledger: post a balanced journal entry, reverse one. One transaction each, audited."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from cistern.core.audit import audit_record
from cistern.core.money import money

from .models import GLAccount, JournalEntry, JournalLine


class LedgerError(ValueError):
    pass


@dataclass(frozen=True)
class Posting:
    """One line to post: a GL account code, an amount (debit positive), and for receivable lines the customer
    account (and when the charge is due)."""

    gl_code: str
    amount: Decimal
    account_id: int | None = None
    description: str = ""
    due_date: date | None = None


def _check(postings: list[Posting], gl: dict[str, GLAccount]) -> None:
    if len(postings) < 2:
        raise LedgerError("A journal entry has at least two lines.")
    for posting in postings:
        account = gl.get(posting.gl_code)
        if account is None:
            raise LedgerError(f"No GL account {posting.gl_code}.")
        if money(posting.amount) != posting.amount or posting.amount == 0:
            raise LedgerError(
                f"{posting.gl_code}: {posting.amount} is not an amount in cents other than zero."
            )
        if account.receivable and posting.account_id is None:
            raise LedgerError(f"{account}: a receivable line names the customer account.")
        if not account.receivable and posting.account_id is not None:
            raise LedgerError(f"{account}: only receivable lines name a customer account.")
    total = sum((p.amount for p in postings), Decimal("0.00"))
    if total != 0:
        raise LedgerError(f"The lines do not balance: debits and credits differ by {total}.")


def journal_post(
    *, actor, entry_date: date, memo: str, source_kind: str, source_id: int | None = None,
    postings: list[Posting], reason: str = "",
) -> JournalEntry:  # fmt: skip
    """Post a balanced entry. Callers check the actor's permission for what the entry is (a bill, a payment,
    an adjustment); the ledger checks the books."""
    with transaction.atomic():
        entry = _write(
            postings, actor=actor, entry_date=entry_date, memo=memo, source_kind=source_kind, source_id=source_id,
            reason=reason,
        )  # fmt: skip
        for account_id in sorted({p.account_id for p in postings if p.account_id}):
            owed = sum((p.amount for p in postings if p.account_id == account_id), Decimal("0.00"))
            audit_record(
                actor=actor, action="ledger.post", obj=entry, account_id=account_id, reason=reason,
                after={"memo": memo, "source": f"{source_kind} {source_id or ''}".strip(), "amount": str(owed)},
            )  # fmt: skip
        if not any(p.account_id for p in postings):
            audit_record(actor=actor, action="ledger.post", obj=entry, reason=reason, after={"memo": memo})
    return entry


def _write(postings: list[Posting], *, actor, **fields) -> JournalEntry:
    """The entry and its lines, once the books' rules are checked (SQLite has no trigger for the sum)."""
    gl = {a.code: a for a in GLAccount.objects.filter(code__in={p.gl_code for p in postings})}
    _check(postings, gl)
    fields["memo"], fields["reason"] = fields["memo"][:200], fields.get("reason", "")[:200]
    entry = JournalEntry.objects.create(created_by=actor, **fields)
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry, gl_account=gl[p.gl_code], account_id=p.account_id, amount=p.amount,
            description=p.description[:200], due_date=p.due_date,
        )
        for p in postings
    )  # fmt: skip
    return entry


def journal_reverse(
    *, actor, entry: JournalEntry, reason: str, entry_date: date | None = None
) -> JournalEntry:
    """A reversing entry: every line negated, pointing at the original. An entry is reversed once."""
    if not reason.strip():
        raise LedgerError("Say why the entry is reversed.")
    if entry.reverses_id is not None:
        raise LedgerError("A reversing entry is not reversed; post a new entry instead.")
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise LedgerError(f"Journal entry {entry.pk} is already reversed.")
    postings = [
        Posting(line.gl_account.code, -line.amount, line.account_id, line.description, line.due_date)
        for line in entry.lines.select_related("gl_account")
    ]
    with transaction.atomic():
        reversal = _write(
            postings, actor=actor, entry_date=entry_date or entry.entry_date,
            memo=f"Reversal of JE {entry.pk}: {entry.memo}", source_kind=entry.source_kind, source_id=entry.source_id,
            reverses=entry, reason=reason,
        )  # fmt: skip
        for account_id in sorted({p.account_id for p in postings if p.account_id}):
            audit_record(
                actor=actor, action="ledger.reverse", obj=reversal, account_id=account_id, reason=reason,
                before={"entry": entry.pk}, after={"reversal": reversal.pk},
            )  # fmt: skip
    return reversal
